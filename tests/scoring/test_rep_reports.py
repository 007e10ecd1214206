"""Reports: the folder layout, byte-identical output, a valid JUnit file, an offline HTML
page and a postmortem with the run's numbers, all re-renderable from result.json."""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import scoring_synth as synth
import xmlschema
from click.testing import CliRunner

from gameday.cli.report import report_cmd
from gameday.errors import InputError
from gameday.reports import (
    SCHEMA,
    build_result,
    debrief,
    load_result,
    render_html,
    render_junit,
    render_markdown,
    write_reports,
)
from gameday.scoring import score

XSD = Path(__file__).parent / "junit.xsd"
CLOCK_TIME = datetime(2026, 11, 22, 9, 30, 5, tzinfo=UTC)


def _clock() -> datetime:
    return CLOCK_TIME


def _result(run: str = "novice") -> dict:
    events, end, fixed = {
        "expert": (synth.expert(), 1080, 800),
        "novice": (synth.novice(), 2400, 2100),
        "idle": (synth.idle(), 3600, None),
    }[run]
    scn, metrics = synth.scenario(), synth.metrics(end, fixed)
    judged = synth.Run()
    judged.events = events
    verdicts = [
        synth.verdict(judged, e.t, "no effect")
        for e in events
        if e.kind == "action" and e.data.get("changed") and "restart" in e.data["command"]
    ]
    card = score(events, scn, synth.runbooks(), metrics, verdicts)
    return build_result(events, scn, card, metrics, seed=7, responder=run)


def test_writer_folder_and_files(tmp_path):
    """Reports land in <scenario>-<UTC time>-seed<N>/ with the journal copied in."""
    journal = tmp_path / "session.jsonl"
    journal.write_text("".join(e.to_json() + "\n" for e in synth.expert()))
    card, paths = debrief(
        synth.expert(),
        synth.scenario(),
        synth.runbooks(),
        synth.metrics(1080, 800),
        seed=7,
        responder="expert",
        out_dir=tmp_path / "reports",
        clock=_clock,
        journal=journal,
    )
    assert card.passed
    assert paths.folder == tmp_path / "reports" / "orders-pool-20261122T093005Z-seed7"
    names = sorted(p.name for p in paths.folder.iterdir())
    assert names == ["journal.jsonl", "junit.xml", "postmortem.md", "report.html", "result.json"]
    assert paths.journal.read_bytes() == journal.read_bytes()


def test_clock_in_another_zone_names_the_folder_in_utc(tmp_path):
    """A clock in UTC+2 still gives a UTC folder name."""

    def clock() -> datetime:
        return datetime(2026, 11, 22, 11, 30, 5, tzinfo=timezone(timedelta(hours=2)))

    paths = write_reports(_result(), tmp_path, clock)
    assert paths.folder.name == "orders-pool-20261122T093005Z-seed7"


def test_same_inputs_same_bytes(tmp_path):
    """Two writes of the same run are byte-identical, file by file."""
    a = write_reports(_result(), tmp_path / "a", _clock)
    b = write_reports(_result(), tmp_path / "b", _clock)
    for name in ("postmortem.md", "result.json", "junit.xml", "report.html"):
        assert (a.folder / name).read_bytes() == (b.folder / name).read_bytes(), name


def test_result_json_schema_and_content(tmp_path):
    """result.json is versioned and carries the scorecard, metrics and timeline."""
    paths = write_reports(_result(), tmp_path, _clock)
    data = json.loads(paths.result.read_text())
    assert data["schema"] == SCHEMA == "gameday.result/1"
    assert data["generated_at"] == "2026-11-22T09:30:05Z"
    assert (data["seed"], data["responder"], data["passed"]) == (7, "novice", False)
    assert data["scenario"]["root_cause"].startswith("A long-running UPDATE")
    assert len(data["scorecard"]["dimensions"]) == 9  # detection is a finding
    assert data["scorecard"]["findings"] == []  # the burn alert paged within 2m
    [judged] = data["scorecard"]["actions"]
    assert (judged["label"], judged["red_herring"]) == ("no effect", "it does not touch the cause")
    assert data["metrics"]["budget_consumed_pct"] == pytest.approx(24.729, abs=0.01)
    assert data["timeline"][1]["text"].startswith("Fault lock-holder began on orders")
    assert load_result(paths.result) == data


def test_load_result_rejects_bad_files(tmp_path):
    """Wrong schema, missing keys and broken JSON are input errors naming the file."""
    bad = tmp_path / "r.json"
    bad.write_text('{"schema": "gameday.result/0"}')
    with pytest.raises(InputError, match="expected 'gameday.result/1'"):
        load_result(bad)
    bad.write_text('{"schema": "gameday.result/1"}')
    with pytest.raises(InputError) as missing:
        load_result(bad)
    assert {p.key for p in missing.value.problems} >= {"scorecard", "timeline"}
    bad.write_text("{not json")
    with pytest.raises(InputError) as broken:
        load_result(bad)
    assert broken.value.problems[0].line == 1


def test_junit_validates_against_the_schema():
    """The JUnit XML validates; failed dimensions are failures carrying their evidence."""
    for run in ("expert", "novice", "idle"):
        xml = render_junit(_result(run))
        xmlschema.XMLSchema(str(XSD)).validate(xml)
    root = xmlschema.XMLSchema(str(XSD)).to_dict(render_junit(_result("idle")))
    suite = root["testsuite"][0]
    assert suite["@name"] == "gameday.orders-pool" and suite["@tests"] == 9
    cases = {c["@name"]: c for c in suite["testcase"]}
    ack = cases["acknowledgement"]["failure"][0]
    assert ack["@message"].startswith("Alice was paged at T+7m16s and nobody acknowledged")
    assert "Points: 0.0 / 11.1" in ack["$"]  # detection is a finding: ten points shared
    assert suite["@failures"] == sum(1 for c in cases.values() if "failure" in c)


def test_junit_expert_has_no_failures():
    """An expert run is all green."""
    assert 'failures="0"' in render_junit(_result("expert"))


def test_html_is_self_contained_with_markers():
    """The page embeds plotly.js, loads nothing from the network and marks events."""
    html = render_html(_result())
    assert re.search(r"<script[^>]*\bsrc=", html) is None
    assert re.search(r"<link[^>]*\bhref=", html) is None
    assert "Plotly.newPlot" in html and len(html) > 1_000_000
    assert '"name":"alerts"' in html and '"name":"pages"' in html and '"name":"actions"' in html
    assert "Orders database connection pool exhausted" in html
    assert "What each change did" in html and "red herring: it does not touch the cause" in html


def test_html_escapes_text():
    """Text from the run is HTML-escaped."""
    result = _result()
    result["scenario"]["title"] = "<b>pool</b>"
    assert "&lt;b&gt;pool&lt;/b&gt;" in render_html(result, include_plotlyjs=False)


def test_postmortem_sections_and_numbers():
    """The postmortem has the usual sections, the run's numbers and dated action items."""
    md = render_markdown(_result())
    for heading in (
        "## Summary",
        "## Impact",
        "## Timeline",
        "## Root cause",
        "## Contributing factors",
        "## What went well",
        "## What went wrong",
        "## Action items",
    ):
        assert heading in md
    assert "- Failed requests: 76,916 of 289,800 (26.54%)" in md
    assert "- Error budget consumed: 24.7% of the 30-day budget" in md
    assert "| 22:55:00 | T+5m | Fault lock-holder began on orders" in md
    assert "| 22:57:16 | T+7m16s | Paged Alice for P1 (level 1) |" in md
    assert (
        "| Remove a contributing factor: the archiver has no lock_timeout. | orders team "
        "| P1 | 2026-03-17 |" in md
    )
    assert "| Route critical alerts to a pager" in md
    assert "acknowledged 11m04s after the page, mitigated after 30m." in md


def test_cli_rerenders_from_result_json(tmp_path):
    """gameday report renders each format from result.json alone, identical to the writer."""
    paths = write_reports(_result(), tmp_path, _clock)
    runner = CliRunner()
    for fmt, written in (("md", paths.postmortem), ("junit", paths.junit), ("html", paths.html)):
        out = tmp_path / f"again.{fmt}"
        res = runner.invoke(report_cmd, [str(paths.result), "--format", fmt, "-o", str(out)])
        assert res.exit_code == 0, res.output
        assert out.read_bytes() == written.read_bytes(), fmt
    res = runner.invoke(report_cmd, [str(paths.result)])
    assert res.exit_code == 0 and res.output == paths.postmortem.read_text()


def test_cli_bad_result_is_exit_2(tmp_path):
    """A result.json of another schema is bad input: exit 2, message on stderr."""
    bad = tmp_path / "r.json"
    bad.write_text('{"schema": "other"}')
    proc = __import__("subprocess").run(
        [str(Path(sys.executable).with_name("gameday")), "report", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert f"{bad}: schema: expected 'gameday.result/1'" in proc.stderr
    assert proc.stdout == ""


def test_timeline_page_lines_name_their_incident():
    """Two incidents paging one person read apart: each page line names its incident."""
    from gameday.reports.timeline import key_events
    from gameday.session.events import Event

    events = [
        Event(
            480,
            "page.notified",
            {
                "incident_id": "INC-1",
                "name": "Jonas",
                "level": 1,
                "summary": "OrdersDBPoolExhausted: pool 100% in use",
            },
        ),
        Event(540, "page.notified", {"incident_id": "INC-2", "name": "Jonas", "level": 1}),
        Event(
            780,
            "page.escalated",
            {
                "incident_id": "INC-1",
                "from_level": 1,
                "to_level": 2,
                "reason": "timeout",
                "exhausted": False,
            },
        ),
        Event(
            780,
            "page.notified",
            {
                "incident_id": "INC-1",
                "name": "Mei",
                "level": 2,
                "summary": "OrdersDBPoolExhausted: pool 100% in use",
            },
        ),
        Event(900, "page.escalated", {"incident_id": "INC-2", "from_level": 2, "exhausted": True}),
    ]
    start = datetime(2026, 3, 10, 22, 50, tzinfo=UTC)
    assert [e["text"] for e in key_events(events, start)] == [
        "Paged Jonas for INC-1 (level 1): OrdersDBPoolExhausted: pool 100% in use",
        "Paged Jonas for INC-2 (level 1)",
        "Page INC-1 escalated to level 2 (timeout)",
        "Paged Mei for INC-1 (level 2)",
        "Page INC-2: escalation policy exhausted at level 2; nobody acked",
    ]
