"""Tables of a scenario's database: columns, indexes and size, as ``\\d`` shows them.

A database's ``tables:`` entry is a table name (a small default table: ``id`` as its
primary key and ``created_at``) or a full definition. Sizes and column statistics feed
the simulated planner (``EXPLAIN``), so a missing index shows as a ``Seq Scan`` over
``rows`` rows and an index built during the drill changes the plan.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from gameday.scenario.model_base import Strict

#: column types the simulation knows, with PostgreSQL's average width in bytes
TYPE_WIDTHS = {
    "bigint": 8,
    "integer": 4,
    "smallint": 2,
    "numeric": 8,
    "boolean": 1,
    "text": 32,
    "uuid": 16,
    "date": 4,
    "timestamp with time zone": 8,
    "timestamp without time zone": 8,
    "jsonb": 120,
}
_ALIASES = {
    "int8": "bigint",
    "int": "integer",
    "int4": "integer",
    "int2": "smallint",
    "bool": "boolean",
    "timestamptz": "timestamp with time zone",
    "timestamp": "timestamp without time zone",
    "varchar": "text",
}
_IDENT = r"^[a-z_][a-z0-9_]{0,62}$"


def _type_name(value: Any) -> Any:
    if isinstance(value, str):
        low = " ".join(value.lower().split())
        return _ALIASES.get(low, low)
    return value


class Column(Strict):
    """One column of a table."""

    name: str = Field(pattern=_IDENT)
    type: Annotated[str, BeforeValidator(_type_name)] = Field(
        "text", description="a PostgreSQL type: " + ", ".join(TYPE_WIDTHS)
    )
    nullable: bool = True
    default: str | None = Field(None, description="the default as \\d prints it, e.g. now()")
    width: int | None = Field(None, ge=1, description="average width in bytes (pg_stats)")
    distinct: int | None = Field(
        None, ge=1, description="distinct values (pg_stats.n_distinct); unset: none analysed"
    )

    @model_validator(mode="after")
    def _known_type(self) -> Column:
        if self.type not in TYPE_WIDTHS:
            known = ", ".join(TYPE_WIDTHS)
            raise ValueError(f"type {self.type!r} is not simulated; use one of: {known}")
        return self

    @property
    def avg_width(self) -> int:
        """The width the planner uses for this column."""
        return self.width or TYPE_WIDTHS[self.type]


class Index(Strict):
    """A btree index: its keys are column names or parenthesised expressions."""

    name: str = Field(pattern=_IDENT)
    columns: list[str] = Field(
        min_length=1, description="e.g. [customer_ref] or ['(lower(email))']"
    )
    unique: bool = False
    primary: bool = False


class Table(Strict):
    """A table: its rows, columns and indexes."""

    name: str = Field(pattern=_IDENT)
    rows: int = Field(1_000_000, ge=0, description="live rows (pg_class.reltuples)")
    columns: list[Column] = Field(
        min_length=1, description="unset: id bigint (the primary key) and created_at"
    )
    indexes: list[Index] | None = Field(None, description="unset: a primary key on id; [] for none")

    @model_validator(mode="before")
    @classmethod
    def _default_columns(cls, data: Any) -> Any:
        if isinstance(data, dict) and "columns" not in data and isinstance(data.get("name"), str):
            seq = f"nextval('{data['name']}_id_seq'::regclass)"
            data = {
                **data,
                "columns": [
                    {"name": "id", "type": "bigint", "nullable": False, "default": seq},
                    {
                        "name": "created_at",
                        "type": "timestamptz",
                        "nullable": False,
                        "default": "now()",
                    },
                ],
            }
        return data

    @model_validator(mode="after")
    def _indexes_name_columns(self) -> Table:
        names = {c.name for c in self.columns}
        if len(names) != len(self.columns):
            raise ValueError(f"table {self.name}: a column name is repeated")
        for index in self.indexes or []:
            for key in index.columns:
                if not key.startswith("(") and key not in names:
                    raise ValueError(
                        f"index {index.name}: column {key!r} is not a column of {self.name}"
                    )
        if sum(1 for i in self.indexes or [] if i.primary) > 1:
            raise ValueError(f"table {self.name}: more than one primary key")
        return self

    def all_indexes(self) -> list[Index]:
        """The indexes, with the default primary key when none are given."""
        if self.indexes is not None:
            return list(self.indexes)
        if any(c.name == "id" for c in self.columns):
            return [Index(name=f"{self.name}_pkey", columns=["id"], unique=True, primary=True)]
        return []


def table_of(value: Any) -> Any:
    """A bare table name stands for the default table of that name."""
    return {"name": value} if isinstance(value, str) else value


TableSpec = Annotated[Table, BeforeValidator(table_of)]
