"""Input series values are accepted or refused exactly where promtool 2.42 accepts or refuses them.

Prometheus' series lexer reads a word and the letters and digits glued to it as one
identifier, so ``stalex2``, ``Infx2`` and ``1+NaNx3`` are refused (an identifier that is
not ``stale``), while ``stale+1x2``, ``Inf+1x2`` and ``0x10`` (hex is off in series
values: ``0`` eleven times) are values.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.clirun import run_gameday

PROMTOOL = shutil.which("promtool")
ATOMS = ["1", "2.5", "-1", "+3", "Inf", "-Inf", "NaN", "nan", "inf", "stale", "_", "x", "x3",
         "1x2", "1+1x3", "1-2x2", "_x2", "stalex2", "Infx2", "NaNx2", "1e3", "1e", ".5", "5.",
         "0x1F", "1_000", "010", "1+Infx2", "Inf+1x2", "stale+1x2", "1x", "1+", "+", "-", "1xx2",
         "1x2x3", "1.2.3", "1e+", "2E-1x2", "1ms", "+Inf", "--1", "1+-1x2", "1 x2", "abc",
         "Stale", "1X2", "1x0", "1x01", "1x+1", "0x10", "0xF", "nanx1", "1+stale", "NaN3",
         "Inf-Infx0", "1e-3x2", "_+1x2", "sum", "1,2", "é", "1x2.0"]  # fmt: skip


def _test_file(folder: Path, values: str) -> Path:
    path = folder / "t.yml"
    path.write_text(
        "rule_files: []\ntests:\n  - interval: 1m\n    input_series:\n"
        f"      - series: 'up'\n        values: {json.dumps(values)}\n"
        "    promql_expr_test:\n      - expr: count(up)\n        eval_time: 0m\n"
        "        exp_samples:\n          - labels: '{}'\n            value: 1\n"
    )
    return path


@pytest.mark.parametrize(
    ("values", "code", "message"),
    [
        ("stalex2", 1, "parse error: unexpected 'stalex2' in series values"),
        ("Infx2", 1, "parse error: unexpected 'Infx2' in series values"),
        ("1 1+NaNx3", 1, "parse error: unexpected '1+NaNx3' in series values"),
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


@pytest.mark.slow
@pytest.mark.skipif(PROMTOOL is None, reason="promtool (2.42) is not installed")
def test_random_values_get_promtool_s_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Random value strings: the same exit code as ``promtool test rules``."""
    rng = random.Random(42)
    cases = sorted({" ".join(rng.choices(ATOMS, k=rng.randint(1, 2))) for _ in range(150)})
    files = []
    for i, values in enumerate(cases):
        (tmp_path / str(i)).mkdir()
        files.append(_test_file(tmp_path / str(i), values))

    def promtool(path: Path) -> int:
        assert PROMTOOL is not None
        argv = [PROMTOOL, "test", "rules", path.name]
        return subprocess.run(argv, cwd=path.parent, capture_output=True, timeout=60).returncode

    with ThreadPoolExecutor(max_workers=4) as pool:
        theirs = list(pool.map(promtool, files))
    ours = [run_gameday(capsys, "rules", "test", str(path))[0] for path in files]
    assert list(zip(cases, ours, strict=True)) == list(zip(cases, theirs, strict=True))
    assert 0 < theirs.count(0) < len(cases)
