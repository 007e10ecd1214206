"""A session played at a table gets a new seed unless one is given: a trainee who plays
a scenario twice meets another incident of the same kind. Runs that are tests keep 1."""

from __future__ import annotations

import json
from pathlib import Path

from tests.drill.clitree import QUIT, TUI_ENV, invoke, run_subprocess

SCENARIO = "db-pool-exhaustion"


def _played_seed(tmp_path: Path, name: str, *flags: str) -> int:
    journal = tmp_path / name
    env = {**TUI_ENV, "TEXTUAL_PRESS": QUIT, "GAMEDAY_DATA_DIR": str(tmp_path / "data")}
    code, _out, err = run_subprocess(
        ["play", SCENARIO, "--journal", str(journal), *flags], tmp_path, env
    )
    assert code == 130 and "Traceback" not in err, err
    start = json.loads(journal.read_text().splitlines()[0])
    assert start["kind"] == "session.start"
    return int(start["data"]["seed"])


def test_play_without_a_seed_draws_a_new_one_each_time(tmp_path: Path) -> None:
    first = _played_seed(tmp_path, "a.jsonl")
    second = _played_seed(tmp_path, "b.jsonl")
    assert first != second  # two draws from 999,999 seeds
    assert 1 <= first <= 999_999 and 1 <= second <= 999_999
    assert _played_seed(tmp_path, "c.jsonl", "--seed", "5") == 5


def test_a_headless_shadow_keeps_seed_1(tmp_path: Path) -> None:
    (tmp_path / "answers.txt").write_text("skip\n" * 30)
    code, out, err = invoke(
        ["shadow", SCENARIO, "--answers", str(tmp_path / "answers.txt"), "--json", "--no-record"],
        tmp_path,
    )
    assert code == 0, err
    assert json.loads(out)["seed"] == 1


def test_the_help_says_how_the_seed_is_chosen(tmp_path: Path) -> None:
    for command in ("play", "serve", "shadow"):
        code, out, _err = invoke([command, "--help"], tmp_path)
        assert code == 0 and "a new seed each" in " ".join(out.split()), command
