"""Hostile text (terminal escapes, bidi overrides) never reaches a terminal or a report raw."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from gameday.textsafe import visible, visible_data
from tests.conftest import REPO, SCENARIOS

OSC_TITLE = "\x1b]0;pwned\x07"
OSC_CLIPBOARD = "\x1b]52;c;ZXZpbA==\x07"
CSI_CLEAR = "\x1b[2J"
HOSTILE = f"{OSC_TITLE} T {OSC_CLIPBOARD} C {CSI_CLEAR} \x07 \x00 \x7f \x9b N \u202eevil \u2066x"
SHOWN = (
    "\\x1b]0;pwned\\x07 T \\x1b]52;c;ZXZpbA==\\x07 C \\x1b[2J \\x07 \\x00 \\x7f \\x9b N "
    "\\u202eevil \\u2066x"
)
RAW = ("\x1b", "\x07", "\x00", "\x7f", "\x9b", "\u202e", "\u2066")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (HOSTILE, SHOWN),
        ("line\n\tindented", "line\n\tindented"),
        ("cr\r\x08\x0b\x0c", "cr\\x0d\\x08\\x0b\\x0c"),
        ("\u200e\u200f\u061c\u2028", "\\u200e\\u200f\\u061c\\u2028"),
        ("héllo ✓ 日本", "héllo ✓ 日本"),
    ],
)
def test_control_characters_are_shown_escaped(text: str, shown: str) -> None:
    """Every control character but newline and tab becomes a visible escape."""
    assert visible(text) == shown


def test_visible_data_walks_any_depth() -> None:
    """Nested data is sanitised in keys and values, without recursion limits."""
    deep: object = "\x1b"
    for _ in range(5000):
        deep = [deep]
    out = visible_data({"k\x07": deep, "n": 1.5, "b": None})
    assert list(out) == ["k\\x07", "n", "b"] and out["n"] == 1.5 and out["b"] is None
    inner = out["k\\x07"]
    for _ in range(5000):
        inner = inner[0]
    assert inner == "\\x1b"


@pytest.fixture(scope="module")
def hostile_drill(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """A scripted drill whose status update and note carry OSC, CSI, BEL, NUL and bidi."""
    tmp = tmp_path_factory.mktemp("escapes")
    solution = yaml.safe_load((SCENARIOS / "db-pool-exhaustion" / "solution.yaml").read_text())
    solution["actions"][3:3] = [
        {"at": "1m50s", "do": f'note "{HOSTILE}"', "role": "ic"},
        {"at": "2m", "do": f'status investigating "{HOSTILE}"', "role": "comms"},
    ]
    script = tmp / "script.yaml"
    script.write_text(yaml.safe_dump(solution))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    args = ["drill", "db-pool-exhaustion", "--responder", f"script:{script}", "--out", str(tmp)]
    proc = subprocess.run(
        [sys.executable, "-m", "gameday", *args, "--junit", str(tmp / "junit.xml")],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=tmp,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    folder = next(p for p in tmp.iterdir() if p.is_dir() and p.name.startswith("db-pool"))
    return proc.stdout, folder


def test_drill_timeline_shows_escapes(hostile_drill: tuple[str, Path]) -> None:
    """The printed timeline holds the escaped text and no raw control character."""
    stdout, _folder = hostile_drill
    assert f"STATUS   investigating: {SHOWN}" in stdout
    assert not any(ch in stdout for ch in RAW)


@pytest.mark.parametrize("name", ["postmortem.md", "report.html", "junit.xml"])
def test_reports_show_escapes(hostile_drill: tuple[str, Path], name: str) -> None:
    """postmortem.md, report.html and junit.xml carry the escapes, never the characters."""
    _stdout, folder = hostile_drill
    text = (folder / name).read_text(encoding="utf-8")
    assert not any(ch in text for ch in RAW)
    if name == "junit.xml":
        ET.fromstring(text.encode())
    else:
        assert "\\x1b]52;c;ZXZpbA==\\x07" in text


@pytest.mark.parametrize("fmt", ["md", "html", "junit"])
def test_report_command_shows_escapes(
    hostile_drill: tuple[str, Path], tmp_path: Path, fmt: str
) -> None:
    """`gameday report` re-renders a result.json whose title and summary are hostile."""
    _stdout, folder = hostile_drill
    data = json.loads((folder / "result.json").read_text(encoding="utf-8"))
    data["scenario"]["title"] = HOSTILE
    data["scenario"]["id"] = HOSTILE
    result = tmp_path / "result.json"
    result.write_text(json.dumps(data))
    proc = subprocess.run(
        [sys.executable, "-m", "gameday", "report", str(result), "--format", fmt],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 0, proc.stderr
    assert not any(ch in proc.stdout for ch in RAW)
    assert "\\x1b]52;c;ZXZpbA==\\x07" in proc.stdout
    if fmt == "junit":
        ET.fromstring(proc.stdout.encode())


def test_result_json_keeps_the_text_and_stays_json(hostile_drill: tuple[str, Path]) -> None:
    """result.json is strict JSON and holds what was typed, escaped by JSON itself."""
    _stdout, folder = hostile_drill
    raw = (folder / "result.json").read_text(encoding="utf-8")
    assert "\x1b" not in raw and "\\u001b]52;c;" in raw
    data = json.loads(raw)
    texts = [e.get("text", "") for e in data["timeline"]]
    assert f"Status update (investigating): {HOSTILE}" in texts


def test_replay_timeline_shows_escapes(hostile_drill: tuple[str, Path], tmp_path: Path) -> None:
    """`gameday replay` prints the same escaped timeline."""
    _stdout, folder = hostile_drill
    proc = subprocess.run(
        [sys.executable, "-m", "gameday", "replay", str(folder / "journal.jsonl")],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"STATUS   investigating: {SHOWN}" in proc.stdout
    assert not any(ch in proc.stdout + proc.stderr for ch in RAW)
