"""CLI cases for the commands that run scenarios: drill, sweep, oncall and chaos (see
tests/drill/clitree.py)."""

from __future__ import annotations

from tests.drill.clitree import (
    SCENARIO,
    Case,
    W,
    case_test,
)

CASES: dict[str, list[Case]] = {
    "drill": [
        Case(
            [
                "drill",
                SCENARIO,
                "--responder",
                "expert",
                "--seed",
                "1",
                "--out",
                f"{W}/out",
                "--junit",
                f"{W}/j.xml",
                "--json",
                f"{W}/r.json",
                "--min-score",
                "50",
                "-q",
            ],
            0,
            "PASS",
        ),  # fmt: skip
        Case(["drill", SCENARIO, "--responder", "idle", "--quiet", "--out", f"{W}/out"], 1, ""),
        Case(["drill", SCENARIO, "--responder", "bogus", "--out", f"{W}/out"], 2, "bogus"),
    ],
    "sweep": [
        Case(
            [
                "sweep",
                SCENARIO,
                "--runs",
                "2",
                "--responder",
                "expert",
                "--seed",
                "3",
                "--vary",
                "seed",
                "--backend",
                "local",
                "--workers",
                "1",
                "--out",
                f"{W}/sweep",
                "--json",
            ],
            0,
            '"runs"',
        ),  # fmt: skip
        Case(
            [
                "sweep",
                SCENARIO,
                "--runs",
                "1",
                "--workers",
                "1",
                "--out",
                f"{W}/sweep",
                "--compare",
                f"{W}/am.yml",
                f"{W}/am.yml",
                "--judge",
            ],
            0,
        ),  # fmt: skip
        Case(
            [
                "sweep",
                SCENARIO,
                "--runs",
                "1",
                "--backend",
                "dask",
                "--scheduler",
                "tcp://127.0.0.1:9",
                "--out",
                f"{W}/sweep",
            ],
            2,
            "127.0.0.1:9",
        ),  # fmt: skip
        Case(["sweep", SCENARIO, "--runs", "0"], 2, "--runs"),
    ],
    "oncall": [
        Case(
            [
                "oncall",
                SCENARIO,
                "--days",
                "2",
                "--services",
                "2",
                "--incidents-per-week",
                "1",
                "--noise-per-day",
                "2",
                "--flapping",
                "0.1",
                "--seed",
                "4",
                "--json",
            ],
            0,
            '"pages"',
        ),  # fmt: skip
        Case(
            ["oncall", SCENARIO, "--days", "1", "--incidents-per-week", "inf"],
            2,
            "--incidents-per-week",
        ),  # fmt: skip
    ],
    "chaos run": [
        Case(
            [
                "chaos",
                SCENARIO,
                "--context",
                "kind-x",
                "--namespace",
                "shop",
                "--hold",
                "1m",
                "--journal",
                f"{W}/chaos.jsonl",
                "--kubeconfig",
                f"{W}/kubeconfig",
                "--responder",
                "expert",
            ],
            0,
            "DRY RUN",
        ),  # fmt: skip
        Case(["chaos", "run", SCENARIO, "--context", "prod", "--apply"], 2, "kind-"),
        Case(["chaos", SCENARIO, "--context", "kind-x", "--responder", "bogus"], 2, "bogus"),
        Case(
            ["chaos", SCENARIO, "--context", "prod", "--i-know-this-is-not-kind"],
            2,
            stdin="not-prod\n",
        ),  # fmt: skip
    ],
    "chaos rollback": [
        Case(
            [
                "chaos",
                "rollback",
                f"{W}/chaos-journal.jsonl",
                "--context",
                "kind-x",
                "--apply",
                "--kubeconfig",
                f"{W}/kubeconfig",
            ],
            0,
        ),  # fmt: skip
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
