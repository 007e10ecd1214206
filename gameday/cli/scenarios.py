"""``gameday list`` and ``gameday schema``: what scenarios exist, and their file format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from gameday.cli.outputs import OutputPath
from gameday.durations import format_duration
from gameday.errors import InputError, Problem
from gameday.scenario.catalog import ENV_VAR, CatalogEntry, discover, search_roots
from gameday.scenario.loader import load_scenario


def _short(problem: Problem, folder: Path) -> str:
    """A problem with its path shown relative to the scenario folder."""
    try:
        path = str(Path(problem.path).relative_to(folder))
    except ValueError:
        path = problem.path
    return str(Problem(path, problem.line, problem.col, problem.key, problem.message))


def describe(entry: CatalogEntry) -> dict[str, Any]:
    """One scenario as a row of ``gameday list`` (``error`` set when it does not load)."""
    row: dict[str, Any] = {"id": entry.id, "origin": entry.origin, "folder": str(entry.folder)}
    try:
        loaded = load_scenario(entry.folder)
    except InputError as exc:
        first = _short(exc.problems[0], entry.folder) if exc.problems else "cannot be read"
        more = len(exc.problems) - 1
        row["error"] = first + (f" (+{more} more)" if more > 0 else "")
        row["problems"] = len(exc.problems)
        return row
    except (RecursionError, MemoryError, ValueError, TypeError, OverflowError) as exc:
        # A folder gameday cannot load must not hide the others: its row says why.
        row["error"] = f"cannot be loaded: {type(exc).__name__}: {exc}"[:200]
        row["problems"] = 1
        return row
    s = loaded.scenario
    row.update(
        title=s.title,
        severity=s.truth.severity,
        duration=format_duration(s.duration),
        difficulty=s.difficulty,
        tags=list(s.tags),
    )
    return row


def _table(rows: list[dict[str, Any]]) -> list[str]:
    header = ["ID", "TITLE", "SEV", "DURATION", "DIFFICULTY", "TAGS"]
    cells = [header]
    for r in rows:
        if "error" in r:
            cells.append([r["id"], f"(invalid: {r['error']})"])
        else:
            tags = ",".join(r["tags"]) or "-"
            cells.append([r["id"], r["title"], r["severity"], r["duration"], r["difficulty"], tags])
    widths = [max(len(c[i]) for c in cells if len(c) > 2 or i == 0) for i in range(len(header))]
    lines = []
    for c in cells:
        if len(c) == 2:
            lines.append(f"{c[0]:<{widths[0]}}  {c[1]}")
        else:
            lines.append("  ".join(f"{v:<{w}}" for v, w in zip(c, widths, strict=True)).rstrip())
    return lines


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the scenarios as JSON on stdout.")
def list_cmd(as_json: bool) -> int:
    """List bundled and local scenarios, one line each.

    Local scenarios are folders under ./scenarios or under the folders named in
    $GAMEDAY_SCENARIOS (separated like PATH); a local id shadows a bundled one.
    """
    rows = [describe(entry) for entry in discover()]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return 0
    if not rows:
        looked = ", ".join(str(root) for root, _ in search_roots())
        click.echo(
            f"no scenarios found (looked in {looked}); create ./scenarios/<id>/scenario.yaml "
            f"or point ${ENV_VAR} at a folder of scenarios"
        )
        return 0
    from gameday.textsafe import visible

    for line in _table(rows):
        click.echo(visible(line))
    return 0


@click.command("schema")
@click.option(
    "-o",
    "--output",
    type=OutputPath(),
    help="Write the schema to FILE instead of stdout.",
)
def schema_cmd(output: Path | None) -> int:
    """Print the JSON Schema of scenario.yaml (for editors and CI linters)."""
    from gameday.scenario.schema import render_schema

    text = render_schema()
    if output is None:
        click.echo(text, nl=False)
        return 0
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(
            Problem(str(output), message=f"cannot write: {exc.strerror or exc}")
        ) from None
    click.echo(f"wrote {output}", err=True)
    return 0
