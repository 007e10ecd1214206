"""A sweep scores without counterfactuals unless ``--judge`` asks for them.

Counterfactuals are the debrief's: a drill (``gameday drill``) always runs them, so its
exit code and pass/fail carry the no-effect and harmful deductions. A sweep leaves them
out by default (they cost a third of an expert drill's CPU) and says so; with
``--judge`` every drill of the sweep scores exactly as that drill's debrief does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gameday.cli.main import main

SCENARIO = "db-pool-exhaustion"  # its novice makes a change that does nothing


def gameday(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run the real entry point (its exit-code table applied); (exit code, stdout)."""
    with pytest.raises(SystemExit) as done:
        main(argv)
    return int(done.value.code or 0), capsys.readouterr().out


def sweep(tmp: Path, responder: str, capsys: pytest.CaptureFixture[str], *extra: str) -> dict:
    args = ["sweep", SCENARIO, "--runs", "2", "--responder", responder, "--workers", "1"]
    code, out = gameday([*args, "--out", str(tmp), *extra], capsys)
    assert code == 0, out
    name = f"sweep-{SCENARIO}-{responder}-2.json"
    return {"output": out, **json.loads((tmp / name).read_text())}


def drill(
    tmp: Path, responder: str, seed: int, capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict]:
    out = tmp / f"drill-{responder}-{seed}.json"
    args = ["drill", SCENARIO, "--responder", responder, "--seed", str(seed), "-q"]
    code, _ = gameday([*args, "--out", str(tmp / "reports"), "--json", str(out)], capsys)
    return code, json.loads(out.read_text())


def test_judged_sweep_scores_as_each_drill_debrief_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --judge a novice's sweep gives every seed the drill's score and verdict: the
    change that did nothing costs its points and the novice fails, as the drill does."""
    doc = sweep(tmp_path / "s", "novice", capsys, "--judge")
    assert doc["judged"] is True
    assert "scored without counterfactuals" not in doc["output"]
    for run in doc["runs"]:
        code, result = drill(tmp_path, "novice", run["seed"], capsys)
        assert code == 1 and result["passed"] is False
        assert (run["score"], run["passed"]) == (result["score"], result["passed"])


def test_unjudged_sweep_says_so_and_leaves_out_only_the_change_deductions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --judge the sweep says its scores leave the counterfactuals out; the novice
    then keeps the points its no-effect change would have cost in the debrief."""
    plain = sweep(tmp_path / "a", "novice", capsys)
    judged = sweep(tmp_path / "b", "novice", capsys, "--judge")
    assert plain["judged"] is False
    assert "(scored without counterfactuals: a change that did nothing" in plain["output"]
    html = (tmp_path / "a" / f"sweep-{SCENARIO}-novice-2.html").read_text()
    assert "Scored without counterfactuals" in html
    for a, b in zip(plain["runs"], judged["runs"], strict=True):
        assert a["score"] > b["score"]  # the no-effect change's deduction is left out
        assert {k: v for k, v in a.items() if k not in ("score", "passed")} == {
            k: v for k, v in b.items() if k not in ("score", "passed")
        }


def test_expert_sweep_passes_with_or_without_counterfactuals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The expert's changes all mitigate: judged or not, the same scores, all passing."""
    plain = sweep(tmp_path / "a", "expert", capsys)
    judged = sweep(tmp_path / "b", "expert", capsys, "--judge")
    assert plain["runs"] == judged["runs"]
    assert all(run["passed"] for run in plain["runs"])
