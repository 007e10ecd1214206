"""CLI cases for the commands that read and check files: list, validate, schema, rules test,
route, report, replay, backtest and import (see tests/drill/clitree.py)."""

from __future__ import annotations

from tests.drill.clitree import SCENARIO, Case, W, argv, case_test

# Backtest and import read a window of data; the servers below refuse every connection.
WINDOW = "--from 1793491200 --to 1793491440"
DEAD, DEAD_TLS = "http://127.0.0.1:9", "https://127.0.0.1:9"
AUTH = "--chunk 1h --user u --password p --timeout 2s"
TLS = f"--bearer-token t --ca-file {W}/missing.pem --insecure-skip-verify"

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
        ),
        Case(["route", "--config", f"{W}/am.yml", "--verify-receivers", "team", "x=y"], 0),
        Case(
            ["route", "--config", f"{W}/am.yml", "--verify.receivers", "team", "severity=page"], 1
        ),
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
        ),
        Case(["replay", f"{W}/drill/journal.jsonl", "--timeline"], 0, "identical"),
        Case(["replay", f"{W}/rules.yml"], 2, "rules.yml"),
    ],
    "backtest": [
        Case(
            argv(
                f"backtest --rules {W}/rules.yml --openmetrics {W}/data.om --alertmanager {W}/am.yml"
                f" --oncall {W}/oncall.yml --json --evaluation-interval 1m --ack-after never"
                f" --flapping 2 --max-range 1d --compare {W}/am.yml --no-progress"
            ),
            0,
        ),
        Case(
            argv(
                f"backtest --rules {W}/rules.yml --openmetrics {W}/data.om {WINDOW}"
                " --progress --stagger"
            ),
            0,
        ),
        Case(
            argv(f"backtest --rules {W}/rules.yml --prometheus {DEAD} {WINDOW} {AUTH}"),
            2,
            "cannot connect",
        ),
        Case(argv(f"backtest --rules {W}/rules.yml --prometheus {DEAD_TLS} {WINDOW} {TLS}"), 2),
        Case(["backtest", "--rules", f"{W}/rules.yml"], 2),
    ],
    "import": [
        Case(
            argv(
                f"import --out {W}/imported --openmetrics {W}/data.om {WINDOW}"
                f" --rules {W}/rules.yml --alertmanager {W}/am.yml --oncall {W}/oncall.yml"
                f" --runbook {W}/runbook.md --timeline {W}/timeline.csv --match up --history 1m"
                " --id api-down --title 'API down' --severity SEV1 --root-cause 'a bad config'"
                " --no-progress"
            ),
            0,
            "imported 1 series",
        ),
        Case(
            argv(
                f"import --out {W}/nowhere --prometheus {DEAD} {WINDOW} --rules {W}/rules.yml"
                f" {AUTH} --progress"
            ),
            2,
            "cannot connect",
        ),
        Case(
            argv(
                f"import --out {W}/nowhere --prometheus {DEAD_TLS} {WINDOW}"
                f" --rules {W}/rules.yml {TLS}"
            ),
            2,
        ),
        Case(
            argv(f"import --out {W} --openmetrics {W}/data.om {WINDOW} --rules {W}/rules.yml"),
            2,
            "already exists",
        ),
    ],
}


test_case = case_test(CASES)
