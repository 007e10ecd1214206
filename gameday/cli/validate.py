"""``gameday validate PATH...``: every problem in scenario, rule, routing, on-call and
runbook files, each as ``path:line:col: key: message (hint)``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from gameday.errors import ExitStatus, Problem
from gameday.scenario.validation import validate_paths


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _warning_line(p: Problem) -> str:
    """``path:line:col: warning: key: message (hint)``."""
    text = str(p)
    head = p.path + (f":{p.line}" if p.line is not None else "")
    head += f":{p.col}" if p.line is not None and p.col is not None else ""
    return f"{head}: warning: {text[len(head) + 2 :]}"


@click.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON on stdout.")
@click.option("-v", "--verbose", is_flag=True, help="Say which files were checked and how.")
def validate_cmd(paths: tuple[Path, ...], as_json: bool, verbose: bool) -> int:
    """Check scenario folders and the files they name, or standalone files.

    PATH is a scenario folder or id, a scenario.yaml, a Prometheus rule file, an
    alertmanager.yml, an on-call file, a solution.yaml or a Markdown runbook. Every
    problem is printed to stderr; the exit status is 2 if there is any, 0 otherwise.
    """
    report = validate_paths(list(paths))
    problems = report.sorted_problems()
    warnings = report.sorted_warnings()
    if verbose:
        for path, kind in report.files.items():
            click.echo(f"checked {path} ({kind})", err=True)
        for note in report.notes:
            click.echo(f"note: {note}", err=True)
    if as_json:
        payload = {
            "ok": not problems,
            "files": [{"path": str(p), "kind": k} for p, k in report.files.items()],
            "problems": [
                {
                    "path": p.path,
                    "line": p.line,
                    "col": p.col,
                    "key": p.key,
                    "message": p.message,
                    "hint": p.hint,
                }
                for p in problems
            ],
            "warnings": [
                {
                    "path": p.path,
                    "line": p.line,
                    "col": p.col,
                    "key": p.key,
                    "message": p.message,
                    "hint": p.hint,
                }
                for p in warnings
            ],
        }
        click.echo(json.dumps(payload, indent=2))
    else:
        from gameday.textsafe import visible

        for warning in warnings:
            click.echo(visible(_warning_line(warning)), err=True)
        for problem in problems:
            click.echo(visible(str(problem)), err=True)
        if problems:
            files = len({p.path for p in problems})
            click.echo(f"{_plural(len(problems), 'problem')} in {_plural(files, 'file')}", err=True)
        else:
            click.echo(f"ok: {_plural(len(report.files), 'file')}", err=True)
    return ExitStatus.BAD_INPUT if problems else ExitStatus.OK
