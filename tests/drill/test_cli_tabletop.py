"""CLI cases for the tabletop commands: play, resume, shadow, serve, join and progress
(see tests/drill/clitree.py). ``serve`` runs once in its own process; the ``join``
cases run against it."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from tests.drill.clitree import (
    QUIT,
    SCENARIO,
    Case,
    W,
    argv,
    case_test,
    expect,
    fill,
    journal_ended,
    run_case,
)

CASES: dict[str, list[Case]] = {
    "play": [
        Case(
            argv(
                f"play {SCENARIO} --seed 2 --speed 10 --journal {W}/play.jsonl"
                f" --role ic --name ana --facilitator"
            ),
            130,
            "gameday resume",
            tui=QUIT,
            check=journal_ended("play.jsonl", "interrupted"),
        ),
        Case(["play", "no-such-scenario"], 2, "no-such-scenario"),
        Case(["play", SCENARIO, "--speed", "7", "--no-pause"], 2, "--speed"),
    ],
    "resume": [
        Case(
            argv(
                f"resume {W}/paused.jsonl --speed 0 --role ops --name ana --out"
                f" {W}/resumed.jsonl --facilitator"
            ),
            130,
            "gameday resume",
            tui="wait:15000,ctrl+q,wait:1000,y",
            check=journal_ended("resumed.jsonl", "interrupted"),
        ),
        Case(["resume", f"{W}/missing.jsonl"], 2, "missing.jsonl"),
    ],
    "shadow": [
        Case(
            argv(f"shadow {SCENARIO} --answers {W}/answers.txt --json --no-record --seed 1"),
            0,
            '"verdicts"',
        ),
        Case(
            argv(
                f"shadow {SCENARIO} --answers {W}/answers.txt --reverse --no-record"
                f" --journal {W}/drill/journal.jsonl"
            ),
            0,
        ),
        Case(["shadow", SCENARIO, "--no-record"], 0, tui="wait:2000,escape,wait:300,escape"),
        Case(["shadow", SCENARIO, "--json"], 2, "--json needs --answers"),
    ],
    "serve": [
        # the served session itself is started by the ``served`` fixture (below) with
        # --host --port --speed --seed --journal --token; stopped with Ctrl-C
        Case(
            argv(
                f"serve --host 127.0.0.1 --port 0 --speed 60 --seed 2 --journal"
                f" {W}/served.jsonl --token tok {SCENARIO}"
            ),
            130,
            "journal:",
            served=True,
        ),
        Case(["serve", SCENARIO, "--resume", f"{W}/missing.jsonl"], 2, "missing.jsonl"),
        Case(["serve", SCENARIO, "--port", "70000"], 2, "--port"),
    ],
    "join": [
        Case(
            argv(
                f"join '{{addr}}' --token tok --role ops --name ana --script"
                f" {W}/script.txt --linger 0.5 --json"
            ),
            0,
            '"kind":"action"',
        ),
        Case(["join", "{addr}", "--token", "wrong", "--script", f"{W}/script.txt"], 2),
        Case(["join", "nowhere", "--token", "t", "--script", f"{W}/script.txt"], 2),
    ],
    "progress": [
        Case(["progress", "--json", "--window", "2"], 0),
        Case(["progress"], 0),
        Case(["progress", "--window", "0"], 2, "--window"),
    ],
}


test_case = case_test(CASES)


def test_serve_and_join(work: Path) -> None:
    """``gameday serve`` in its own process: the join cases run against it, then Ctrl-C
    stops it (exit 130) with its journal named."""
    (case,) = [c for c in CASES["serve"] if c.served]
    gameday = str(Path(sys.executable).with_name("gameday"))
    proc = subprocess.Popen(
        [gameday, *fill(case.argv, work)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, cwd=work,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # gameday join HOST:PORT --token tok
        assert line.startswith("gameday join "), line
        for join in CASES["join"]:
            code, out, err = run_case(join, work, addr=line.split()[2])
            expect(join, code, out, err, work)
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    expect(case, proc.returncode, line + out, err, work)
