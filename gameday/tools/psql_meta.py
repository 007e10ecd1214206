"""psql's meta-commands over the scenario's tables: ``\\d TABLE``, ``\\dt``, ``\\di``.

Laid out as psql 15 prints them: a title centred over the aligned table, ``\\d``'s
Column/Type/Collation/Nullable/Default rows and its ``Indexes:`` footer (primary key
first, then by name, ``INVALID`` while a concurrent build runs), the lists sorted by
name with their row count. A name that matches nothing answers psql's
``Did not find any relation named "x".``
"""

from __future__ import annotations

import fnmatch
from typing import Any

from gameday.tools.output import psql_table
from gameday.tools.parse import ActionError
from gameday.world.database.catalog import LiveIndex

OWNER = "postgres"


def _titled(title: str, columns: list[str], rows: list[list[Any]], footer: bool) -> str:
    """psql's aligned table with a centred title; ``footer``: keep the ``(N rows)`` line."""
    lines = psql_table(columns, rows).split("\n")
    width = len(lines[0])
    head = " " * max(0, (width - len(title)) // 2) + title
    return "\n".join([head, *(lines if footer else lines[:-1])])


def _matches(pattern: str | None, name: str) -> bool:
    """psql's pattern: ``*`` any characters, ``?`` one, case folded, schema optional."""
    return not pattern or fnmatch.fnmatchcase(name, pattern.removeprefix("public.").lower())


def _not_found(pattern: str | None) -> ActionError:
    if pattern:
        return ActionError(f'Did not find any relation named "{pattern}".')
    return ActionError("Did not find any relations.")


def describe_table(db: Any, pattern: str) -> str:
    """``\\d TABLE``."""
    tables = [t for name, t in sorted(db.catalog.tables.items()) if _matches(pattern, name)]
    if not tables:
        raise _not_found(pattern)
    out = []
    for table in tables:
        rows = [
            [c.name, c.type, "", "" if c.nullable else "not null", c.default or ""]
            for c in table.columns
        ]
        text = _titled(
            f'Table "public.{table.name}"',
            ["Column", "Type", "Collation", "Nullable", "Default"],
            rows,
            footer=False,
        )
        indexes = sorted(db.catalog.indexes_of(table.name, False), key=_index_order)
        if indexes:
            text += "\nIndexes:\n" + "\n".join(f"    {_index_line(i)}" for i in indexes)
        out.append(text)
    return "\n\n".join(out)


def _index_order(index: LiveIndex) -> tuple[bool, bool, str]:
    return (not index.primary, not index.unique, index.name)


def _index_line(index: LiveIndex) -> str:
    kind = " PRIMARY KEY," if index.primary else " UNIQUE," if index.unique else ""
    invalid = "" if index.valid else " INVALID"
    return f'"{index.name}"{kind} {index.definition()}{invalid}'


def list_tables(db: Any, pattern: str | None) -> str:
    """``\\dt [PATTERN]``."""
    rows = [
        ["public", name, "table", OWNER]
        for name in sorted(db.catalog.tables)
        if _matches(pattern, name)
    ]
    if not rows:
        raise _not_found(pattern)
    return _titled("List of relations", ["Schema", "Name", "Type", "Owner"], rows, footer=True)


def list_indexes(db: Any, pattern: str | None) -> str:
    """``\\di [PATTERN]``."""
    rows = [
        ["public", i.name, "index", OWNER, i.table]
        for i in sorted(db.catalog.indexes, key=lambda i: i.name)
        if _matches(pattern, i.name)
    ]
    if not rows:
        raise _not_found(pattern)
    heads = ["Schema", "Name", "Type", "Owner", "Table"]
    return _titled("List of relations", heads, rows, footer=True)


def run_meta(db: Any, command: str) -> str:
    """One backslash command; raises :class:`ActionError` with psql's message."""
    words = command.split()
    verb, arg = words[0], (words[1] if len(words) > 1 else None)
    if verb == "\\d" and arg:
        return describe_table(db, arg)
    if verb in ("\\d", "\\dt"):
        return list_tables(db, arg)
    if verb == "\\di":
        return list_indexes(db, arg)
    simulated = "\\d TABLE, \\dt [PATTERN], \\di [PATTERN]"
    raise ActionError(f"{verb}: this meta-command is not simulated ({simulated} are)")
