"""Shadowing a recorded journal (from ``gameday drill``) and reverse shadowing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gameday.cli.main import cli
from gameday.drill import run_drill
from gameday.replay import read_recorded
from gameday.shadow import ReverseShadow, ShadowSession
from gameday.shadow.answers import play_scripted


@pytest.fixture(scope="module")
def drill_journal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The journal of an expert drill of the bad-deploy scenario with seed 3."""
    out = tmp_path_factory.mktemp("reports")
    result = run_drill("bad-deploy", responder="expert", seed=3, out_dir=out)
    assert result.journal is not None and result.journal.is_file()
    return result.journal


def test_a_drill_journal_is_asked_at_its_own_decision_points(drill_journal: Path) -> None:
    """One point per recorded action, at its sim time, expecting its command."""
    recorded = [e for e in read_recorded(drill_journal).inputs if e.kind == "action"]
    shadow = ShadowSession(expert_actions=drill_journal)
    assert shadow.seed == 3 and shadow.path.label == "journal:journal.jsonl"
    times, expected = [], []
    while (point := shadow.next_point()) is not None:
        times.append(point.t)
        expected.append(shadow.answer(recorded[point.index].data["command"]).expected)
    assert times == [e.t for e in recorded]
    assert expected == [e.data["command"] for e in recorded]
    result = shadow.result()
    assert result["agreement"] == 100.0 and result["source"] == "journal:journal.jsonl"
    assert result["points"][0]["trigger"] == "page"
    replayed = [e.data["output"] for e in shadow.session.events if e.kind == "action"]
    assert replayed == [e.data["output"] for e in recorded]  # the same run, re-lived


def test_the_cli_shadows_a_journal(
    drill_journal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``gameday shadow --journal FILE --answers`` needs no scenario argument."""
    monkeypatch.setenv("GAMEDAY_DATA_DIR", str(tmp_path))
    answers = tmp_path / "answers.txt"
    answers.write_text("ack\nskip\n")
    run = CliRunner().invoke(
        cli,
        ["shadow", "--journal", str(drill_journal), "--answers", str(answers), "--json"],
        catch_exceptions=False,
    )
    result = json.loads(run.output)
    assert result["scenario"] == "bad-deploy" and result["seed"] == 3
    assert result["verdicts"]["same"] == 1 and result["points"][1]["verdict"] == "skipped"


def test_reverse_with_the_experts_moves_passes_and_differs_nowhere() -> None:
    """The trainee leads with the expert's commands: full agreement, a passing scorecard."""
    shadow = ReverseShadow("bad-deploy", seed=1)
    result = play_scripted(shadow, [s.command for s in shadow.steps])
    assert result["mode"] == "reverse"
    assert result["agreement"] == 100.0
    assert result["differences"] == []
    assert result["passed"] is True


def test_reverse_debrief_lists_where_the_expert_would_have_acted() -> None:
    """A trainee who restarts instead of rolling back, and acks late, hears what and when."""
    shadow = ReverseShadow("bad-deploy", seed=1)
    answers: list[str | None] = [s.command for s in shadow.steps]
    answers[0] = None  # no ack at first
    answers[1] = "ack"
    answers[7] = "kubectl rollout restart deployment/orders -n shop"  # instead of the rollback
    result = play_scripted(shadow, answers)
    performed = [e.data["command"] for e in shadow.session.events if e.kind == "action"]
    assert "kubectl rollout restart deployment/orders -n shop" in performed
    assert "kubectl rollout undo deployment/orders -n shop" not in performed
    diffs = "\n".join(result["differences"])
    assert "you did nothing [skipped]; the expert would have run `ack`" in diffs
    assert "you did it at" in diffs
    assert "red herring" in result["points"][7]["explanation"]
    assert "`kubectl rollout undo deployment/orders -n shop`" in diffs and "you never did" in diffs
    assert result["agreement"] < 100.0
    assert result["passed"] is False
