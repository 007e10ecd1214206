"""``gameday report RESULT.json``: re-render a run's report from its ``result.json``."""

from __future__ import annotations

from pathlib import Path

import click

from gameday.cli.outputs import OutputPath
from gameday.errors import ExitStatus, InputError, Problem


@click.command("report")
@click.argument("result", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "html", "junit"]),
    default="md",
    show_default=True,
    help="md: postmortem draft; html: self-contained page with charts; junit: JUnit XML.",
)
@click.option(
    "-o",
    "--output",
    type=OutputPath(),
    default=None,
    help="Write here instead of stdout.",
)
def report_cmd(result: Path, fmt: str, output: Path | None) -> int:
    """Render RESULT (a result.json written by a drill or a tabletop) as a report.

    Everything the report needs is inside result.json, so the scenario folder is not
    read. The same result.json always renders to the same bytes.
    """
    from gameday.atomic import refuse_same_file, write_atomic
    from gameday.reports import load_result
    from gameday.reports.writer import RENDERERS

    if output is not None:
        refuse_same_file(output, [result], "--output")
    data = load_result(result)
    text = RENDERERS[fmt][1](data)
    if output is None:
        click.echo(text, nl=False)
        return ExitStatus.OK
    try:
        write_atomic(output, text)
    except OSError as exc:
        raise InputError(Problem(str(output), message=f"cannot write: {exc.strerror}")) from exc
    return ExitStatus.OK
