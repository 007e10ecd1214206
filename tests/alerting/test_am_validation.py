"""check_alertmanager_config agrees with ``amtool check-config`` on what is valid."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gameday.alerting import check_alertmanager_config, load_alertmanager_config
from gameday.errors import InputError

from .conftest import AMTOOL, FIXTURES, corpus_configs

BROKEN = sorted(p for p in FIXTURES.glob("am_*.yml") if p.name != "am_good.yml")
VALID = [FIXTURES / "am_good.yml", *corpus_configs()]


def amtool_accepts(path: Path) -> bool:
    """Whether amtool 0.25 checks the file successfully."""
    assert AMTOOL is not None
    run = subprocess.run([AMTOOL, "check-config", str(path)], capture_output=True, text=True)
    return run.returncode == 0


def test_there_are_enough_broken_fixtures() -> None:
    """At least 15 broken configurations, one mistake each."""
    assert len(BROKEN) >= 15


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_fixture_is_refused_with_a_located_problem(path: Path) -> None:
    """Every broken fixture yields problems naming the file, a line and a column."""
    problems = check_alertmanager_config(path)
    assert problems, f"{path.name} was accepted"
    for p in problems:
        assert p.path == str(path)
        assert p.line is not None and p.col is not None, str(p)
    with pytest.raises(InputError):
        load_alertmanager_config(path)


@pytest.mark.skipif(AMTOOL is None, reason="amtool (Alertmanager 0.25) not installed")
@pytest.mark.parametrize("path", BROKEN + VALID, ids=lambda p: p.stem)
def test_verdict_agrees_with_amtool(path: Path) -> None:
    """Pass/fail is the same as ``amtool check-config``."""
    assert (check_alertmanager_config(path) == []) == amtool_accepts(path)


@pytest.mark.parametrize(
    ("fixture", "words"),
    [
        ("am_undefined_receiver", ['undefined receiver "pagr"', "did you mean 'pager'"]),
        ("am_unknown_key", ["unknown key 'group_wiat'", "did you mean 'group_wait'"]),
        ("am_bad_duration", ['not a valid duration string: "5 minutes"']),
        ("am_msteams_receiver", ["msteams_configs", "Alertmanager 0.26"]),
        ("am_group_by_all_plus_others", ["wildcard group_by"]),
        ("am_undefined_time_interval", ['undefined time interval "weekends"']),
    ],
)
def test_messages_say_what_is_wrong(fixture: str, words: list[str]) -> None:
    """The message names the mistake (and suggests a fix where one is likely)."""
    text = "\n".join(str(p) for p in check_alertmanager_config(FIXTURES / f"{fixture}.yml"))
    for w in words:
        assert w in text


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    """Two independent mistakes give two problems, each at its own line."""
    text = (FIXTURES / "am_undefined_receiver.yml").read_text()
    text = text.replace("resolve_timeout: 5m", "resolve_timeout: soon")
    path = tmp_path / "two.yml"
    path.write_text(text)
    lines = sorted(p.line for p in check_alertmanager_config(path))
    assert lines == [2, 8]


def test_missing_file_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    """A path that does not exist is reported as such."""
    problems = check_alertmanager_config(tmp_path / "nope.yml")
    assert [p.message for p in problems] == ["file not found"]


def test_yaml_1_1_scalars_read_as_go_reads_them() -> None:
    """``continue: y`` is true and an unquoted ``1:5`` range stays text, as in yaml.v2."""
    cfg = load_alertmanager_config(FIXTURES / "yaml11_bools.yml")
    assert cfg.route.routes[0].continue_ is True
    (entry,) = cfg.time_intervals["t"]
    assert (entry.days_of_month, entry.weekdays) == (((1, 5),), ((1, 5),))
