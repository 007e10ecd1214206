"""``gameday route`` prints what ``amtool config routes`` prints."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from gameday.cli.main import main

from .conftest import AMTOOL, FIXTURES, corpus_configs

GOOD = FIXTURES / "am_good.yml"


@dataclass
class Run:
    """Exit status and output of one CLI call."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def gameday(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Call the CLI entry point in-process, as ``gameday ARGS...`` would run."""

    def run(*args: str) -> Run:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return Run(code, out.out, out.err)

    return run


def test_prints_receivers_comma_separated(gameday) -> None:
    """A label set reaching two routes (continue) prints both receivers in order."""
    run = gameday("route", "--config", str(GOOD), "severity=critical", 'service="api"')
    assert (run.returncode, run.stdout) == (0, "pager,default\n")


def test_verify_receivers_mismatch_exits_1_with_amtool_warning(gameday) -> None:
    """--verify-receivers fails like amtool's --verify.receivers."""
    args = ["--verify-receivers", "default", "severity=critical"]
    run = gameday("route", "--config", str(GOOD), *args)
    assert run.returncode == 1
    assert run.stdout == "pager\nWARNING: Expected receivers did not match resolved receivers.\n"
    ok = gameday("route", "--config", str(GOOD), "--verify-receivers", "pager", "severity=critical")
    assert ok.returncode == 0


def test_json_output(gameday) -> None:
    """--json gives receivers and each matching route's grouping and timers."""
    run = gameday("route", "--config", str(GOOD), "--json", "severity=critical", "cluster=eu")
    out = json.loads(run.stdout)
    assert out["receivers"] == ["pager"]
    assert out["routes"][0]["group_labels"] == {"cluster": "eu"}
    assert out["routes"][0]["group_wait"] == 30.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["severity=~crit"], "labels must be specified as key=value pairs"),
        (['severity="crit'], "unescaped double quote"),
    ],
)
def test_bad_label_arguments_exit_2(gameday, args: list[str], message: str) -> None:
    """Labels are parsed with the matcher parser; anything but name=value is refused."""
    run = gameday("route", "--config", str(GOOD), *args)
    assert run.returncode == 2 and message in run.stderr
    assert "Traceback" not in run.stderr


def test_bad_config_exits_2_with_located_problem(gameday) -> None:
    """A broken config is reported as path:line:col and exit 2."""
    bad = FIXTURES / "am_undefined_receiver.yml"
    run = gameday("route", "--config", str(bad), "a=b")
    assert run.returncode == 2
    assert f"{bad}:8:7: route.routes[0].receiver: undefined receiver" in run.stderr


@pytest.mark.skipif(AMTOOL is None, reason="amtool (Alertmanager 0.25) not installed")
@pytest.mark.parametrize("config", [GOOD, *corpus_configs()], ids=lambda p: p.stem)
def test_tree_matches_amtool_routes_show(gameday, config: Path) -> None:
    """--tree draws the same tree as ``amtool config routes show``, byte for byte."""
    theirs = subprocess.run(
        [AMTOOL, "config", "routes", "show", f"--config.file={config}"],
        capture_output=True,
        text=True,
    ).stdout
    assert gameday("route", "--config", str(config), "--tree").stdout == theirs


@pytest.mark.skipif(AMTOOL is None, reason="amtool (Alertmanager 0.25) not installed")
def test_matching_tree_matches_amtool_test_tree(gameday) -> None:
    """--matching-tree is ``amtool config routes test --tree``."""
    args = ["severity=critical", "service=web"]
    theirs = subprocess.run(
        [AMTOOL, "config", "routes", "test", "--tree", f"--config.file={GOOD}", *args],
        capture_output=True,
        text=True,
    ).stdout
    ours = gameday("route", "--config", str(GOOD), "--matching-tree", *args).stdout
    assert ours == theirs


def test_plain_scalars_keep_their_source_text(gameday) -> None:
    """Like Go's yaml.v2, ``yes``, ``0x1F``, ``010`` and ``1_000`` stay text in string fields."""
    run = gameday("route", "--config", str(FIXTURES / "yaml11_scalars.yml"), "--tree")
    assert '{big="1_000",code="0x1F",d="2024-01-01",f="1.50",n="010",paging="yes"}' in run.stdout
    hit = gameday(
        "route", "--config", str(FIXTURES / "yaml11_scalars.yml"),
        "paging=yes", "code=0x1F", "n=010", "big=1_000", "f=1.50", "d=2024-01-01",
    )  # fmt: skip
    assert hit.stdout == "p\n"
