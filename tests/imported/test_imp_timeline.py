"""The incident timeline (the ghost): CSV and JSON rows, kinds, and every bad row located."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.clirun import run_gameday
from tests.imported.incident import import_args, write_incident


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return write_incident(tmp_path)


def _import(capsys, files, tmp_path, timeline: Path) -> tuple[int, str]:
    files = {**files, "timeline": timeline}
    code, _, err = run_gameday(capsys, *import_args(files, tmp_path / "out"))
    assert "Traceback" not in err
    return code, err


def test_every_bad_csv_row_is_reported_at_its_line_and_column(capsys, files, tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "time,who,what,kind\n"
        "2026-11-04T18:14:00Z,Ana,paged,detected\n"
        "18:20,Ana,ack,\n"  # no date, no offset
        "2026-11-04T18:21:00Z,,status investigating,\n"  # nobody
        "2026-11-04T18:22:00Z,Ben,rolled back,fixd\n"  # unknown kind
        "2026-11-04T19:30:00Z,Ben,resolve,\n"  # after the window
        "2026-11-04T18:25:00,Ben,note,\n"  # no offset
        '2026-11-04T18:26:00Z,Ben,"unterminated,\n'
        "2026-11-04T18:27:00Z,Ben,a,b,c\n"  # too many fields
    )
    code, err = _import(capsys, files, tmp_path, bad)
    assert code == 2
    lines = err.splitlines()
    assert f"{bad}:3:1: time: not a time: '18:20'" in lines[0]
    assert f"{bad}:4:22: who: missing: every row needs time, who and what" == lines[1]
    assert lines[2].startswith(f"{bad}:5:38: kind: unknown kind 'fixd' (did you mean 'mixed'") or (
        lines[2].startswith(f"{bad}:5:38: kind: unknown kind 'fixd'")
    )
    assert lines[3].startswith(f"{bad}:6:1: time: 30m after the window's end")
    assert lines[4].startswith(f"{bad}:7:1: time: '2026-11-04T18:25:00' has no UTC offset")
    assert lines[5] == f"{bad}:8:26: CSV: unterminated quoted field"
    assert lines[6].startswith(f"{bad}:9:30: 5 fields, the header has 4")
    assert len(lines) == 7
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("", ":1:1: no header row"),
        ("when,who,what\n", ":1:1: unknown column 'when'"),
        ("tiem,who,what\n", ":1:1: unknown column 'tiem' (did you mean 'time'?)"),
        ("time,who\n+1m,ana\n", ":1:1: the header row lacks what"),
        ("time,who,what\n", "the timeline has no rows"),
        ("time,who,what\n-5m,ana,x\n", ":2:1: time: not a time: '-5m'"),
        ('time,who,what\n+1m,ana,say "hi"\n', ":2:13: CSV: a quote inside an unquoted field"),
    ],
)
def test_bad_csv_files(capsys, files, tmp_path, text, what) -> None:
    bad = tmp_path / "t.csv"
    bad.write_text(text)
    code, err = _import(capsys, files, tmp_path, bad)
    assert code == 2 and what in err, err


def test_json_timeline_and_its_errors(capsys, files, tmp_path) -> None:
    """JSON rows are located at their keys; a syntax error at its line and column."""
    good = tmp_path / "t.json"
    good.write_text(
        json.dumps(
            {
                "timeline": [
                    {"time": "+14m", "who": "Ana", "what": "paged", "kind": "detected"},
                    {"time": "2026-11-04T19:17:30+01:00", "who": "Ana", "what": "ack"},
                ]
            },
            indent=2,
        )
    )
    code, err = _import(capsys, files, tmp_path, good)
    assert code == 0, err
    assert (tmp_path / "out" / "timeline.json").read_text() == good.read_text()
    bad = tmp_path / "b.json"
    bad.write_text(
        '[\n  {"time": "+1m", "who": "Ana", "wat": "x"},\n  {"time": 5, "who": "B", "what": "y"}\n]\n'
    )
    code, err = _import(capsys, files, tmp_path / "2", bad)
    assert code == 2
    assert f"{bad}:2:3: [0].what: missing" in err
    assert f"{bad}:2:33: [0].wat: unknown key (did you mean 'what'?)" in err
    assert f"{bad}:3:4: [1].time: expected text, found int" in err
    broken = tmp_path / "c.json"
    broken.write_text('[\n  {"time": "+1m",}\n]\n')
    code, err = _import(capsys, files, tmp_path / "3", broken)
    assert code == 2 and f"{broken}:2:18: JSON: Expecting property name" in err


def test_timeline_must_be_csv_or_json(capsys, files, tmp_path) -> None:
    other = tmp_path / "t.txt"
    other.write_text("x")
    code, err = _import(capsys, files, tmp_path, other)
    assert code == 2 and "a timeline is a .csv or a .json file" in err
