"""Inject expectations through `gameday drill`: the timed inject fires by itself, the
expert answers it and the novice and idle do not, the scorecard's "Injects answered"
grades it, every report lists it with its times, and the run replays byte for byte."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.clirun import drill_script, run_gameday

REPO = Path(__file__).resolve().parents[2]
ETA = 'status identified "Checkout back within 20 minutes."'


def drill(capsys: pytest.CaptureFixture[str], tmp_path: Path, scenario: str, responder: str,
          seed: int = 1) -> tuple[dict[str, Any], Path]:  # fmt: skip
    """result.json of ``gameday drill SCENARIO --responder R --json F``, and its folder."""
    out = tmp_path / f"{responder}.json"
    code, _out, err = run_gameday(
        capsys, "drill", scenario, "--responder", responder, "--seed", str(seed),
        "--out", str(tmp_path / "reports"), "--json", str(out), "-q",
    )  # fmt: skip
    assert code in (0, 1), err
    folder = next((tmp_path / "reports").glob(f"{scenario}-*-seed{seed}"))
    return json.loads(out.read_text()), folder


def injects(result: dict[str, Any]) -> dict[str, Any]:
    return next(d for d in result["scorecard"]["dimensions"] if d["key"] == "injects")


def test_expert_answers_the_vps_eta_request_in_time(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """db-pool-exhaustion's VP asks for an ETA 5 minutes after the page; the expert posts
    a status update with an estimate 2 minutes later; full points, and the answer's time,
    author and command are in result.json."""
    result, _folder = drill(capsys, tmp_path, "db-pool-exhaustion", "expert")
    dim = injects(result)
    assert dim["title"] == "Injects answered"
    assert (dim["points"], dim["max_points"]) == (10.0, 10.0)
    assert dim["happened"] == "1 of 1 answered" and dim["evidence"] == []
    (answer,) = result["scorecard"]["injects"]
    paged = result["scorecard"]["key_times"]["paged"]
    assert answer["inject"] == "exec-eta" and answer["action"] == "status"
    assert answer["fired_at"] == pytest.approx(paged + 300.0, abs=15.0)  # 5m after the page
    assert answer["answered"] is True
    assert 0 < answer["answered_at"] - answer["fired_at"] <= 600.0
    assert answer["command"].startswith('status identified "A database session is blocking')
    assert "within 15 minutes" in answer["command"]


@pytest.mark.parametrize("responder", ["novice", "idle"])
def test_novice_and_idle_leave_it_unanswered(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, responder: str
) -> None:
    """The novice and idle never answer: no points, and a sentence naming the inject,
    when it fired, what it asked for and the deadline."""
    result, _folder = drill(capsys, tmp_path, "db-pool-exhaustion", responder)
    dim = injects(result)
    assert dim["points"] == 0.0 and dim["happened"] == "0 of 1 answered"
    (answer,) = result["scorecard"]["injects"]
    assert answer["answered"] is False and answer["answered_at"] is None
    fired = answer["fired_at"]
    (sentence,) = dim["evidence"]
    assert sentence.startswith('Inject "The VP of Commerce asks for an ETA" at T+')
    assert "asked for a status update matching" in sentence and "within 10m" in sentence
    assert "the VP asked when checkout will be back" in sentence  # the scenario's why
    assert f"none came by T+{int((fired + 600) // 60)}m" in sentence


def test_payment_scenario_answers_two_injects(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """payment-provider-outage: a note when the acquirer's status page speaks, a status
    update saying how long the backup stays when finance asks; the expert does both."""
    result, _folder = drill(capsys, tmp_path, "payment-provider-outage", "expert", seed=2)
    answers = {a["inject"]: a for a in result["scorecard"]["injects"]}
    assert set(answers) == {"acquirer-status", "finance-asks"}
    assert answers["acquirer-status"]["command"].startswith("note acquirer status page")
    assert answers["finance-asks"]["command"].startswith("status monitoring")
    assert all(a["answered"] for a in answers.values())
    assert injects(result)["points"] == injects(result)["max_points"] == 10.0


@pytest.mark.parametrize(
    ("at", "do", "met"),
    [
        ("3m", ETA, True),  # in time
        ("11m", ETA, False),  # after the 10 minutes
        ("3m", 'note "Checkout back within 20 minutes."', False),  # not a status update
        ("3m", 'status identified "We are working on it."', False),  # no estimate in it
        ("-2m", ETA, False),  # before the VP asked: it is no answer to the inject
    ],
)
def test_what_counts_as_an_answer(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, at: str, do: str, met: bool
) -> None:
    """A scripted responder's answer counts only when it is the expected action, holds a
    match of the pattern, and comes after the inject and within its time."""
    step: dict[str, Any] = {"do": do, "role": "comms"}
    if at.startswith("-"):  # 3 minutes after the page: the inject fires at 5 minutes
        step["at"] = "3m"
    else:
        step.update({"at": at, "after_inject": "exec-eta"})
    result = drill_script(
        capsys, tmp_path, "db-pool-exhaustion", [{"at": "30s", "do": "ack"}, step]
    )
    (answer,) = result["scorecard"]["injects"]
    assert answer["answered"] is met, answer
    assert injects(result)["points"] == (10.0 if met else 0.0)


def test_reports_list_the_injects_and_the_clock(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """postmortem.md and report.html have "The exercise" (the clock, each inject with its
    times), JUnit has an ``injects`` case, result.json says how the clock was paused."""
    result, folder = drill(capsys, tmp_path, "db-pool-exhaustion", "novice")
    assert result["pauses"] == {
        "pauses": 0,
        "paused_seconds": 0.0,
        "actions_while_paused": 0,
        "still_paused": False,
        "sentence": "The clock was never paused.",
    }
    (answer,) = result["scorecard"]["injects"]
    fired = f"T+{answer['fired_at'] // 60:.0f}m{answer['fired_at'] % 60:02.0f}s".replace(
        "m00s", "m"
    )
    postmortem = (folder / "postmortem.md").read_text()
    assert "## The exercise\n\nClock: The clock was never paused.\n" in postmortem
    assert "Injects answered: 0 of 1." in postmortem
    assert (
        f"| The VP of Commerce asks for an ETA | {fired} | a status update matching" in postmortem
    )
    assert "| MISSED: nothing by T+" in postmortem
    html = (folder / "report.html").read_text()
    assert "<h2>The exercise</h2>" in html and "<p>Clock: The clock was never paused.</p>" in html
    assert (
        f'<tr class="missed"><td>The VP of Commerce asks for an ETA</td><td class="at">{fired}'
        in html
    )
    case = ET.parse(folder / "junit.xml").find(".//testcase[@name='injects']")
    assert case is not None and case.find("failure") is not None
    assert 'Inject "The VP of Commerce asks for an ETA"' in (case.findtext("system-out") or "")


def test_the_timed_inject_replays_identically(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The inject that fired by itself is journaled as such (``auto``) and re-made, not
    re-done, by `gameday replay`: the replay is byte-identical and holds one inject."""
    _result, folder = drill(capsys, tmp_path, "db-pool-exhaustion", "expert")
    journal = folder / "journal.jsonl"
    fired = [json.loads(line) for line in journal.read_text().splitlines() if '"inject"' in line]
    assert [(e["kind"], e["data"]["id"], e["data"]["auto"]) for e in fired] == [
        ("inject", "exec-eta", True)
    ]
    out = subprocess.run(
        [sys.executable, "-m", "gameday", "replay", str(journal), "--no-timeline",
         "--out", str(tmp_path / "replayed.jsonl")],
        capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "replay identical" in out.stdout
    assert (tmp_path / "replayed.jsonl").read_bytes() == journal.read_bytes()
