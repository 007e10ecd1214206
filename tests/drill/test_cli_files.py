"""CLI cases for the commands that read and check files: list, validate, schema, rules test,
route, report, replay, backtest and import (see tests/drill/clitree.py)."""

from __future__ import annotations

from tests.drill.clitree import (
    SCENARIO,
    Case,
    W,
    case_test,
)

CASES: dict[str, list[Case]] = {
    "list": [
        Case(["list"], 0, SCENARIO),
        Case(["list", "--json"], 0, '"id"'),
        Case(["list", "--bogus"], 2, "No such option"),
    ],
    "validate": [
        Case(["validate", f"scenarios/{SCENARIO}", "-v"], 0),
        Case(["validate", f"{W}/rules.yml", f"{W}/am.yml", "--json"], 0),
        Case(["validate", f"{W}/missing.yml"], 2, "missing.yml"),
    ],
    "schema": [
        Case(["schema"], 0, '"$schema"'),
        Case(["schema", "-o", f"{W}/schema.json"], 0),
        Case(["schema", "--output", f"{W}/rules.yml/x.json"], 2, "x.json"),
    ],
    "rules test": [
        Case(["rules", "test", f"{W}/tests.yml"], 0, "SUCCESS"),
        Case(["rules", "test", f"{W}/missing.yml"], 2, "missing.yml"),
    ],
    "route": [
        Case(["route", "--config", f"{W}/am.yml", "severity=page"], 0, "pager"),
        Case(["route", "--config.file", f"{W}/am.yml", "--tree"], 0, "pager"),
        Case(
            ["route", "--config", f"{W}/am.yml", "--matching-tree", "--json", "severity=critical"],
            0,
            "pager",
        ),  # fmt: skip
        Case(["route", "--config", f"{W}/am.yml", "--verify-receivers", "team", "x=y"], 0),
        Case(
            ["route", "--config", f"{W}/am.yml", "--verify.receivers", "team", "severity=page"], 1
        ),  # fmt: skip
        Case(["route", "--config", f"{W}/rules.yml", "a=b"], 2, "rules.yml"),
    ],
    "report": [
        Case(["report", f"{W}/drill/result.json", "--format", "html", "-o", f"{W}/r.html"], 0),
        Case(["report", f"{W}/drill/result.json", "--output", f"{W}/pm.md"], 0),
        Case(["report", f"{W}/rules.yml"], 2, "rules.yml"),
    ],
    "replay": [
        Case(
            ["replay", f"{W}/drill/journal.jsonl", "--out", f"{W}/replayed.jsonl", "--no-timeline"],
            0,
            "identical",
        ),  # fmt: skip
        Case(["replay", f"{W}/drill/journal.jsonl", "--timeline"], 0, "identical"),
        Case(["replay", f"{W}/rules.yml"], 2, "rules.yml"),
    ],
    "backtest": [
        Case(
            [
                "backtest",
                "--rules",
                f"{W}/rules.yml",
                "--openmetrics",
                f"{W}/data.om",
                "--alertmanager",
                f"{W}/am.yml",
                "--oncall",
                f"{W}/oncall.yml",
                "--json",
                "--evaluation-interval",
                "1m",
                "--ack-after",
                "never",
                "--flapping",
                "2",
                "--max-range",
                "1d",
                "--compare",
                f"{W}/am.yml",
                "--no-progress",
            ],
            0,
        ),  # fmt: skip
        Case(
            [
                "backtest",
                "--rules",
                f"{W}/rules.yml",
                "--openmetrics",
                f"{W}/data.om",
                "--from",
                "1793491200",
                "--to",
                "1793491440",
                "--progress",
                "--stagger",
            ],
            0,
        ),  # fmt: skip
        Case(
            [
                "backtest",
                "--rules",
                f"{W}/rules.yml",
                "--prometheus",
                "http://127.0.0.1:9",
                "--from",
                "1793491200",
                "--to",
                "1793491440",
                "--chunk",
                "1h",
                "--user",
                "u",
                "--password",
                "p",
                "--timeout",
                "2s",
            ],
            2,
            "cannot connect",
        ),  # fmt: skip
        Case(
            [
                "backtest",
                "--rules",
                f"{W}/rules.yml",
                "--prometheus",
                "https://127.0.0.1:9",
                "--from",
                "1793491200",
                "--to",
                "1793491440",
                "--bearer-token",
                "t",
                "--ca-file",
                f"{W}/missing.pem",
                "--insecure-skip-verify",
            ],
            2,
        ),  # fmt: skip
        Case(["backtest", "--rules", f"{W}/rules.yml"], 2),
    ],
    "import": [
        Case(
            [
                "import",
                "--out",
                f"{W}/imported",
                "--openmetrics",
                f"{W}/data.om",
                "--from",
                "1793491200",
                "--to",
                "1793491440",
                "--rules",
                f"{W}/rules.yml",
                "--alertmanager",
                f"{W}/am.yml",
                "--oncall",
                f"{W}/oncall.yml",
                "--runbook",
                f"{W}/runbook.md",
                "--timeline",
                f"{W}/timeline.csv",
                "--match",
                "up",
                "--history",
                "1m",
                "--id",
                "api-down",
                "--title",
                "API down",
                "--severity",
                "SEV1",
                "--root-cause",
                "a bad config",
                "--no-progress",
            ],
            0,
            "imported 1 series",
        ),  # fmt: skip
        Case(
            [
                "import",
                "--out",
                f"{W}/nowhere",
                "--prometheus",
                "http://127.0.0.1:9",
                "--from",
                "1793491200",
                "--to",
                "1793491440",
                "--rules",
                f"{W}/rules.yml",
                "--chunk",
                "1h",
                "--user",
                "u",
                "--password",
                "p",
                "--timeout",
                "2s",
                "--progress",
            ],
            2,
            "cannot connect",
        ),  # fmt: skip
        Case(
            [
                "import",
                "--out",
                f"{W}/nowhere",
                "--prometheus",
                "https://127.0.0.1:9",
                "--from",
                "1793491200",
                "--to",
                "1793491440",
                "--rules",
                f"{W}/rules.yml",
                "--bearer-token",
                "t",
                "--ca-file",
                f"{W}/missing.pem",
                "--insecure-skip-verify",
            ],
            2,
        ),  # fmt: skip
        Case(
            [
                "import",
                "--out",
                f"{W}",
                "--openmetrics",
                f"{W}/data.om",
                "--from",
                "1793491200",
                "--to",
                "1793491440",
                "--rules",
                f"{W}/rules.yml",
            ],
            2,
            "already exists",
        ),  # fmt: skip
    ],
}


test_case = case_test(CASES)
