"""Input series are accepted or refused where promtool 2.42 does, with promtool's message.

Prometheus' series lexer reads a word and the letters and digits glued to it as one
identifier, so ``stalex2``, ``Infx2`` and ``1+NaNx3`` are refused (an identifier that is
not ``stale``), while ``stale+1x2``, ``Inf+1x2`` and ``0x10`` (hex is off in series
values: ``0`` eleven times) are values.
"""

from __future__ import annotations

import json
import random
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.clirun import run_gameday
from tests.promtool import PROMTOOL

ATOMS = ["1", "2.5", "-1", "+3", "Inf", "-Inf", "NaN", "nan", "inf", "stale", "_", "x", "x3",
         "1x2", "1+1x3", "1-2x2", "_x2", "stalex2", "Infx2", "NaNx2", "1e3", "1e", ".5", "5.",
         "0x1F", "1_000", "010", "1+Infx2", "Inf+1x2", "stale+1x2", "1x", "1+", "+", "-", "1xx2",
         "1x2x3", "1.2.3", "1e+", "2E-1x2", "1ms", "+Inf", "--1", "1+-1x2", "1 x2", "abc",
         "Stale", "1X2", "1x0", "1x01", "1x+1", "0x10", "0xF", "nanx1", "1+stale", "NaN3",
         "Inf-Infx0", "1e-3x2", "_+1x2", "sum", "1,2", "é", "1x2.0"]  # fmt: skip


def _test_file(folder: Path, values: str, series: str = "up") -> Path:
    path = folder / "t.yml"
    path.write_text(
        "rule_files: []\ntests:\n  - interval: 1m\n    input_series:\n"
        f"      - series: {json.dumps(series)}\n        values: {json.dumps(values)}\n"
        "    promql_expr_test:\n      - expr: count(up)\n        eval_time: 0m\n"
        "        exp_samples:\n          - labels: '{}'\n            value: 1\n"
    )
    return path


@pytest.mark.parametrize(
    ("values", "code", "message"),
    [
        ("stalex2", 1, 'unexpected identifier "stalex2" in series values, expected number or'),
        ("Infx2", 1, '1:4: parse error: unexpected identifier "Infx2" in series values'),
        ("1 1+NaNx3", 1, '1:8: parse error: unexpected identifier "NaNx3" in series values\n'),
        ("stale+1x2", 1, "exp: {} 1E+00\n        got: nil"),  # a stale marker first: no sample
        ("Inf+1x2", 0, ""),
        ("0x10", 0, ""),
    ],
)
def test_words_glued_to_x_are_one_identifier(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], values: str, code: int, message: str
) -> None:
    """``stalex2`` is an identifier to Prometheus' lexer, not ``stale`` three times."""
    got, out, err = run_gameday(capsys, "rules", "test", str(_test_file(tmp_path, values)))
    assert got == code, out + err
    assert message in out + err


# (series, values, promtool 2.42's message), each taken from promtool's output
MESSAGES = [
    ('up{job="a"}', "1 2 x 3", '1:17: parse error: unexpected "x"'),
    ("up", "1 2 3+", "1:10: parse error: unexpected end of input in series values"),
    ("up", "1x-2", "1:6: parse error: unexpected <op:-> in series values"),
    ("up", "1 , 2", "1:6: parse error: unexpected character in series sequence: ','"),
    ("up", "1.2.3", '1:7: parse error: unexpected number ".3"'),
    ("up", "1e", '1:4: parse error: error parsing number: strconv.ParseFloat: parsing "1e": '
     "invalid syntax"),
    ("up", "1x1.5", "1:6: parse error: invalid repetition in series values: "
     'strconv.ParseUint: parsing "1.5": invalid syntax'),
    ('up{a="é"}', "1 x", '1:14: parse error: unexpected "x"'),  # columns count bytes
    ("up{", "1", "1:5: parse error: unexpected character inside braces: '1'"),
    ("up{a}", "1", '1:5: parse error: unexpected "}" in label set, expected "="'),
    ("up{a=}", "1", '1:6: parse error: unexpected "}" in label set, expected string'),
    ('up{a="\\q"}', "1", "1:6: parse error: unknown escape sequence U+0071 'q'"),
    ('up{a=~"b"}', "1", '1:5: parse error: unexpected <op:=~> in label set, expected "="'),
    ("1up", "1", '1:1: parse error: bad number or duration syntax: "1"'),
    ("up}", "1", "1:3: parse error: unexpected character in series sequence: '}'"),
    ("", "1", '1:1: parse error: unexpected number "1" in series values'),
    ('up{a="b",a="c"}', "1", 'label name "a" is not unique: invalid sample'),
    ("{}", "1", "empty labelset: invalid sample"),
]  # fmt: skip


@pytest.mark.parametrize(("series", "values", "message"), MESSAGES)
def test_refusals_carry_promtool_s_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], series: str, values: str, message: str
) -> None:
    """Exit 1, and the FAILED block holds promtool's line, byte for byte."""
    code, out, err = run_gameday(capsys, "rules", "test", str(_test_file(tmp_path, values, series)))
    assert code == 1
    assert f"  FAILED:\n{message}\n" in out + err


def test_the_first_bad_series_is_named_before_any_is_loaded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """promtool parses every series first: a syntax error in the second one wins over a
    duplicate label in the first; its column counts within its own line."""
    path = _test_file(tmp_path, "1 2")
    text = path.read_text().replace(
        '      - series: "up"\n        values: "1 2"\n',
        '      - series: \'up{a="1",a="2"}\'\n        values: "1"\n'
        '      - series: \'up{a="2"}\'\n        values: "1 2 abc"\n',
    )
    path.write_text(text)
    code, out, err = run_gameday(capsys, "rules", "test", str(path))
    assert code == 1
    assert '1:15: parse error: unexpected identifier "abc" in series values' in out + err


LINE_ATOMS = ["1", "-1", "+3", "Inf", "stale", "_", "x", "1x2", "1+1x3", "_x2", "stalex2", "1e",
              "1e400", "010", "08", "1x", "1+", "+", "1xx2", "1.2.3", "abc", "1x1.5", ",", "{",
              "}", "(", ")", "[", "]", "é", '"a"', "sum", "#c", "=", "!", "@"]  # fmt: skip
SERIES = ["up", 'up{a="b"}', "up{", "up{a}", "up{a=}", 'up{a="b",}', 'up{a="\\q"}', "",
          "sum", 'a:b{x="1"}', 'up{a=~"b"}', "1up", "up}", 'up{a="é"}', "up{,}",
          'up{a="b" c="d"}']  # fmt: skip


def _failure(output: str) -> str | None:
    return output.split("FAILED:\n")[1].strip().splitlines()[0] if "FAILED:" in output else None


def _both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cases: list[tuple[str, str]]
) -> tuple[list[tuple[int, str | None]], list[tuple[int, str | None]]]:
    """(exit code, first line after FAILED:) of gameday and of promtool for each case."""
    files = []
    for i, (series, values) in enumerate(cases):
        (tmp_path / str(i)).mkdir()
        files.append(_test_file(tmp_path / str(i), values, series))

    def promtool(path: Path) -> tuple[int, str | None]:
        assert PROMTOOL is not None
        argv = [PROMTOOL, "test", "rules", path.name]
        run = subprocess.run(argv, cwd=path.parent, capture_output=True, text=True, timeout=60)
        return run.returncode, _failure(run.stdout + run.stderr)

    with ThreadPoolExecutor(max_workers=4) as pool:
        theirs = list(pool.map(promtool, files))
    ours = []
    for path in files:
        code, out, err = run_gameday(capsys, "rules", "test", str(path))
        ours.append((code, _failure(out + err)))
    return ours, theirs


@pytest.mark.slow
@pytest.mark.skipif(PROMTOOL is None, reason="promtool (2.42) is not installed")
def test_random_lines_get_promtool_s_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Random series and values: the same first line after ``FAILED:`` as promtool."""
    rng = random.Random(16)
    cases = sorted(
        {(rng.choice(SERIES), " ".join(rng.choices(LINE_ATOMS, k=rng.randint(1, 3))))
         for _ in range(150)}
    )  # fmt: skip
    ours, theirs = _both(tmp_path, capsys, cases)
    assert list(zip(cases, ours, strict=True)) == list(zip(cases, theirs, strict=True))
    assert sum(m is not None and "parse error" in m for _, m in theirs) > 50


@pytest.mark.slow
@pytest.mark.skipif(PROMTOOL is None, reason="promtool (2.42) is not installed")
def test_random_values_get_promtool_s_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Random value strings: the same exit code and message as ``promtool test rules``."""
    rng = random.Random(42)
    values = sorted({" ".join(rng.choices(ATOMS, k=rng.randint(1, 2))) for _ in range(150)})
    ours, theirs = _both(tmp_path, capsys, [("up", v) for v in values])
    assert list(zip(values, ours, strict=True)) == list(zip(values, theirs, strict=True))
    assert 0 < [code for code, _ in theirs].count(0) < len(values)
