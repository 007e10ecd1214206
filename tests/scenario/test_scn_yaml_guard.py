"""One guarded YAML loader for every file type: alias bombs are refused as go-yaml refuses them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from gameday.yamldoc import ExcessiveAliasing, guarded_load
from tests.conftest import REPO


def laughs(levels: int = 24, width: int = 9, key: str = "lol") -> str:
    """A "billion laughs": each level a list of ``width`` aliases of the one before."""
    text = f"{key}0: &a0 [x]\n"
    for i in range(1, levels + 1):
        text += f"{key}{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]\n"
    return text


def route_bomb() -> str:
    """alertmanager.yml whose route tree nests aliases of itself 9 wide, 20 deep."""
    text = "receivers:\n  - name: default\nroute:\n  receiver: default\n  routes:\n"
    text += "    - &r0 {receiver: default}\n"
    for i in range(1, 21):
        text += f"    - &r{i} {{receiver: default, routes: [" + ", ".join([f"*r{i - 1}"] * 9)
        text += "]}\n"
    return text


FILES = {
    "alertmanager.yml": route_bomb(),
    "rules.yml": "groups:\n  - name: g\n    rules: []\n" + laughs(),
    "oncall.yaml": "schedules: []\n" + laughs(),
    "scenario.yaml": laughs(),
    "runbook.md": "---\n"
    + laughs()
    + "---\n# Orders\n\n## Mitigation\n\n```\nkubectl get pods\n```\n",
}


def gameday(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``gameday ARGS`` in a subprocess with a deadline (a bomb once ran 30 s to 3.5 GB)."""
    return subprocess.run(
        [sys.executable, "-m", "gameday", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=cwd,
    )


@pytest.mark.parametrize("name", sorted(FILES))
def test_validate_refuses_an_alias_bomb(tmp_path: Path, name: str) -> None:
    """`gameday validate` names the file and says "excessive aliasing", exit 2, at once."""
    path = tmp_path / name
    path.write_text(FILES[name])
    proc = gameday("validate", str(path), cwd=tmp_path)
    assert proc.returncode == 2
    assert f"{path}:" in proc.stderr and "excessive aliasing" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_route_refuses_an_alias_bomb(tmp_path: Path) -> None:
    """`gameday route` on an aliased route tree fails like amtool, without expanding it."""
    path = tmp_path / "alertmanager.yml"
    path.write_text(route_bomb())
    proc = gameday("route", "--config", str(path), "alertname=x", cwd=tmp_path)
    assert proc.returncode == 2 and "excessive aliasing" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_rule_test_file_alias_bomb_fails_like_promtool(tmp_path: Path) -> None:
    """A promtool test file with a bomb fails with yaml.v2's message."""
    path = tmp_path / "tests.yml"
    path.write_text("rule_files: []\n" + laughs())
    proc = gameday("rules", "test", str(path), cwd=tmp_path)
    assert proc.returncode == 1
    assert "yaml: document contains excessive aliasing" in proc.stdout + proc.stderr


def test_modest_aliasing_is_accepted() -> None:
    """Anchors reused a few times, as real configs do, load as PyYAML loads them."""
    text = "base: &b {group_wait: 30s, group_interval: 5m}\n" + "".join(
        f"r{i}: *b\n" for i in range(500)
    )
    assert guarded_load(text) == yaml.safe_load(text)


def test_the_ratio_scales_like_go_yaml() -> None:
    """Past 100 aliased decodes, over 99% of a small document's decodes from aliases fails."""
    one_level = "a: &a [" + ", ".join(["x"] * 10) + "]\nb: [" + ", ".join(["*a"] * 200) + "]\n"
    with pytest.raises(ExcessiveAliasing):
        guarded_load(one_level)
    assert len(guarded_load(one_level.replace("200", "2").replace("*a, " * 198, ""))["b"]) == 2


def test_recursive_alias_is_refused() -> None:
    """An anchor whose value contains an alias to itself is an error, not a loop."""
    with pytest.raises(yaml.YAMLError, match="contains itself"):
        guarded_load("a: &a [1, *a]\n")
