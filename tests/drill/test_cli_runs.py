"""CLI cases for the commands that run scenarios: drill, sweep, oncall and chaos (see
tests/drill/clitree.py)."""

from __future__ import annotations

from tests.drill.clitree import (
    SCENARIO,
    Case,
    W,
    argv,
    case_test,
)

CASES: dict[str, list[Case]] = {
    "drill": [
        Case(
            argv(
                f"drill {SCENARIO} --responder expert --seed 1 --out {W}/out --junit"
                f" {W}/j.xml --json {W}/r.json --min-score 50 -q"
            ),
            0,
            "PASS",
        ),
        Case(["drill", SCENARIO, "--responder", "idle", "--quiet", "--out", f"{W}/out"], 1, ""),
        Case(["drill", SCENARIO, "--responder", "bogus", "--out", f"{W}/out"], 2, "bogus"),
    ],
    "sweep": [
        Case(
            argv(
                f"sweep {SCENARIO} --runs 2 --responder expert --seed 3 --vary seed"
                f" --backend local --workers 1 --out {W}/sweep --json"
            ),
            0,
            '"runs"',
        ),
        Case(
            argv(
                f"sweep {SCENARIO} --runs 1 --workers 1 --out {W}/sweep --compare"
                f" {W}/am.yml {W}/am.yml --judge"
            ),
            0,
        ),
        Case(
            argv(
                f"sweep {SCENARIO} --runs 1 --backend dask --scheduler"
                f" tcp://127.0.0.1:9 --out {W}/sweep"
            ),
            2,
            "127.0.0.1:9",
        ),
        Case(["sweep", SCENARIO, "--runs", "0"], 2, "--runs"),
    ],
    "oncall": [
        Case(
            argv(
                f"oncall {SCENARIO} --days 2 --services 2 --incidents-per-week 1"
                f" --noise-per-day 2 --flapping 0.1 --seed 4 --json"
            ),
            0,
            '"pages"',
        ),
        Case(
            ["oncall", SCENARIO, "--days", "1", "--incidents-per-week", "inf"],
            2,
            "--incidents-per-week",
        ),
    ],
    "chaos run": [
        Case(
            argv(
                f"chaos {SCENARIO} --context kind-x --namespace shop --hold 1m"
                f" --journal {W}/chaos.jsonl --kubeconfig {W}/kubeconfig --responder"
                f" expert"
            ),
            0,
            "DRY RUN",
        ),
        Case(["chaos", "run", SCENARIO, "--context", "prod", "--apply"], 2, "kind-"),
        Case(["chaos", SCENARIO, "--context", "kind-x", "--responder", "bogus"], 2, "bogus"),
        Case(
            ["chaos", SCENARIO, "--context", "prod", "--i-know-this-is-not-kind"],
            2,
            stdin="not-prod\n",
        ),
    ],
    "chaos rollback": [
        Case(
            argv(
                f"chaos rollback {W}/chaos-journal.jsonl --context kind-x --apply"
                f" --kubeconfig {W}/kubeconfig"
            ),
            0,
        ),
        Case(["chaos", "rollback", f"{W}/missing.jsonl", "--context", "kind-x"], 2),
    ],
    "chaos up": [
        Case(["chaos", "up", "--name", "gd"], 0, "kind-gd is ready", fake_kind=True),
        Case(["chaos", "up", "--name", "bad name!"], 2),
    ],
    "chaos down": [
        Case(["chaos", "down", "--name", "gd"], 0, fake_kind=True),
        Case(["chaos", "down", "--name", ""], 2),
    ],
}


test_case = case_test(CASES)
