"""``gameday rules test`` on hostile test files: bounded time and memory, located refusals.

promtool 2.42 runs out of memory on ``0+1x100000000`` and on a ``[100y:1ms]`` subquery,
and steps an ``eval_time: 100y`` test for hours; gameday refuses past its stated limits
(exit 2, ``file:line:col: key: ...``) and keeps promtool's verdicts below them.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from gameday.rules import testlimits
from tests.clirun import run_gameday
from tests.promtool import PROMTOOL, promtool_test_rules

RULES = """groups:
  - name: g
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
"""


def _suite(
    tmp_path: Path,
    values: str = "1x10",
    *,
    interval: str = "1m",
    eval_time: str = "5m",
    expr: str = "up",
    exp: str = "- labels: 'up{job=\"a\"}'\n            value: 1",
    rules: str = RULES,
    extra_series: int = 0,
) -> Path:
    (tmp_path / "rules.yml").write_text(rules)
    more = "".join(
        f"      - series: 'up{{job=\"x{i}\"}}'\n        values: '{values}'\n"
        for i in range(extra_series)
    )
    test = tmp_path / "t.yml"
    test.write_text(
        "rule_files: [rules.yml]\n"
        "tests:\n"
        f"  - interval: {interval}\n"
        "    input_series:\n"
        "      - series: 'up{job=\"a\"}'\n"
        f"        values: '{values}'\n"
        f"{more}"
        "    promql_expr_test:\n"
        f"      - expr: {expr}\n"
        f"        eval_time: {eval_time}\n"
        "        exp_samples:\n"
        f"          {exp}\n"
    )
    return test


def _line_col(path: Path, needle: str) -> str:
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return f"{n}:{line.index(needle) + 1}"
    raise AssertionError(needle)


def test_huge_repeat_count_loads_only_up_to_the_last_eval_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``0+1x100000000000`` is a hundred billion values; only the first 6 are read."""
    test = _suite(
        tmp_path, "0+1x100000000000", exp="- labels: 'up{job=\"a\"}'\n            value: 5"
    )
    code, out, err = run_gameday(capsys, "rules", "test", str(test))
    assert (code, err) == (0, ""), err
    assert "SUCCESS" in out


def test_zero_interval_keeps_the_first_sample_without_expanding_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With ``interval: 0s`` every sample lands at 0s and the first wins (promtool 2.42)."""
    test = _suite(
        tmp_path,
        "_ 7 0+1x100000000000",
        interval="0s",
        eval_time="0s",
        exp="- labels: 'up{job=\"a\"}'\n            value: 7",
    )
    code, out, err = run_gameday(capsys, "rules", "test", str(test))
    assert (code, err) == (0, ""), err


def test_eval_time_of_a_century_is_refused_where_it_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    test = _suite(tmp_path, eval_time="100y")
    code, out, err = run_gameday(capsys, "rules", "test", str(test))
    assert code == 2
    where = _line_col(test, "100y")
    assert (
        f"{test}:{where}: tests[0].promql_expr_test[0].eval_time: 100y at evaluation_interval "
        f"1m is 52560001 evaluation steps; gameday evaluates at most {testlimits.MAX_STEPS} "
        "per test group (lower eval_time or raise evaluation_interval)"
    ) in err
    assert "Traceback" not in err


def test_steps_at_the_limit_still_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Exactly MAX_STEPS steps are allowed: the limit is not off by one."""
    minutes = testlimits.MAX_STEPS - 1
    test = _suite(tmp_path, "1x3", eval_time=f"{minutes}m", exp="[]")
    code, out, err = run_gameday(capsys, "rules", "test", str(test))
    assert (code, err) == (0, ""), err


def test_too_many_input_samples_are_refused_at_the_series(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """12 series of 864 001 one-second samples up to 10d: 10.4 million, past the limit."""
    test = _suite(tmp_path, "0+1x900000", interval="1s", eval_time="10d", extra_series=11)
    code, out, err = run_gameday(capsys, "rules", "test", str(test))
    assert code == 2
    where = _line_col(test, "'0+1x900000'")
    assert (
        f"{test}:{where}: tests[0].input_series[0].values: 864001 samples up to the last "
        f"eval_time (10d), 10368012 in the test group; gameday loads at most "
        f"{testlimits.MAX_INPUT_SAMPLES} per test group (shorten the series or raise interval)"
    ) in err


def test_fine_subquery_in_a_test_expression_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    test = _suite(tmp_path, expr="sum_over_time(up[100y:1ms])")
    code, out, err = run_gameday(capsys, "rules", "test", str(test))
    assert code == 2
    where = _line_col(test, "sum_over_time")
    assert (
        f"{test}:{where}: tests[0].promql_expr_test[0].expr: a subquery takes 3153600000001 "
        "steps in one evaluation; gameday evaluates at most 10000000 (use a longer subquery "
        "step)"
    ) in err


def test_nested_subqueries_add_their_ranges(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Inner ``[1h:1ms]`` alone is 3.6M steps; inside ``[3h:1m]`` it spans 4h: 14.4M."""
    rules = RULES + (
        "      - record: nested\n        expr: max_over_time(max_over_time(up[1h:1ms])[3h:1m])\n"
    )
    test = _suite(tmp_path, rules=rules)
    code, out, err = run_gameday(capsys, "rules", "test", str(test))
    assert code == 2
    rule_line = _line_col(tmp_path / "rules.yml", "- record: nested").split(":")[0]
    assert (
        f"{tmp_path / 'rules.yml'}:{rule_line}: rule nested: a subquery takes 14400001 steps"
    ) in err


def test_a_year_long_range_is_promtools_too_many_samples(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``[100y]`` selects at most the loaded samples: promtool's max-samples error, exit 1."""
    test = _suite(tmp_path, "1x20000", eval_time="20000m", expr="sum_over_time(up[100y])")
    code, out, err = run_gameday(capsys, "rules", "test", str(test))
    assert code == 1
    assert (
        '    expr: "sum_over_time(up[100y])", time: 13d21h20m, err: query processing would '
        "load too many samples into memory in query execution\n"
    ) in err


@pytest.mark.parametrize(("written", "shown"), [("13d", "13d"), ("14d", "2w"), ("365d", "1y")])
def test_eval_times_print_weeks_and_years_only_when_exact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], written: str, shown: str
) -> None:
    test = _suite(tmp_path, "1x3", eval_time=written, interval="1d")
    code, out, err = run_gameday(capsys, "rules", "test", str(test))
    assert code == 1
    assert f'    expr: "up", time: {shown},\n' in err


def test_durations_past_go_time_duration_are_out_of_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    test = _suite(tmp_path, eval_time="300y")
    code, out, err = run_gameday(capsys, "rules", "test", str(test))
    assert code == 1
    assert err == "  FAILED:\nduration out of range\n"


def _limited(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """``gameday ARGS`` in a child limited to 1 GiB of address space and 60 s."""

    def limit() -> None:  # pragma: no cover - runs in the child
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run(
        [sys.executable, "-m", "gameday", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limit,
        check=False,
    )


@pytest.mark.parametrize(
    "case",
    [
        {"values": "0+1x100000000", "eval_time": "100y"},
        {"values": "0+1x100000000", "interval": "0s", "eval_time": "0s"},
        {"expr": "sum_over_time(up[100y:1ms])"},
        {"values": "0+1x900000", "interval": "1s", "eval_time": "10d", "extra_series": 11},
    ],
    ids=["century", "zero-interval", "subquery", "samples"],
)
def test_hostile_files_finish_within_a_gibibyte(tmp_path: Path, case: dict) -> None:
    """The cases that crash promtool end in under a minute inside 1 GiB, no traceback."""
    test = _suite(tmp_path, **case)
    proc = _limited(["rules", "test", str(test)], tmp_path)
    assert proc.returncode in (0, 1, 2), proc.stderr
    assert "Traceback" not in proc.stderr and "MemoryError" not in proc.stderr


@pytest.mark.skipif(PROMTOOL is None, reason="promtool (2.42) is not installed")
@pytest.mark.parametrize(
    "case",
    [
        {"values": "1x20000", "eval_time": "20000m", "expr": "sum_over_time(up[100y])"},
        {"values": "1x3", "eval_time": "14d", "interval": "1d"},
        {"values": "1x3", "eval_time": "13d", "interval": "1d"},
        {"eval_time": "300y"},
    ],
    ids=["range-100y", "weeks", "days", "out-of-range"],
)
def test_below_the_limits_the_report_is_promtools(tmp_path: Path, case: dict) -> None:
    _suite(tmp_path, **case)
    theirs = promtool_test_rules(tmp_path, "t.yml", timeout=120)
    ours = subprocess.run(
        [sys.executable, "-m", "gameday", "rules", "test", "t.yml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (ours.returncode, ours.stdout, ours.stderr) == (
        theirs.returncode,
        theirs.stdout,
        theirs.stderr,
    )
