"""``gameday rules test``: promtool's report and exit codes 0 / 1 / 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from gameday.cli.rules import rules_group

RULES = """groups:
  - name: g
    rules:
      - alert: Down
        expr: up == 0
        for: 2m
        labels: {severity: page}
        annotations: {summary: "{{ $labels.job }} down"}
"""


def _suite(tmp_path: Path, exp: str) -> Path:
    (tmp_path / "rules.yml").write_text(RULES)
    test = tmp_path / "t.yml"
    test.write_text(f"""rule_files: [rules.yml]
tests:
  - interval: 1m
    input_series:
      - series: 'up{{job="api"}}'
        values: '1 0x5'
    alert_rule_test:
      - eval_time: 3m
        alertname: Down
        exp_alerts: {exp}
""")
    return test


@pytest.mark.parametrize(
    ("exp", "status"),
    [
        ("[{exp_labels: {severity: page, job: api}, exp_annotations: {summary: api down}}]", 0),
        ("[]", 1),
    ],
)
def test_verdict_and_exit_status(tmp_path: Path, exp: str, status: int) -> None:
    test = _suite(tmp_path, exp)
    result = CliRunner().invoke(rules_group, ["test", str(test)], standalone_mode=False)
    assert result.return_value == status, result.output
    if status:
        assert "FAILED" in result.output and 'Labels:{alertname="Down"' in result.output
    else:
        assert "SUCCESS" in result.output


def test_unreadable_file_exits_2(tmp_path: Path) -> None:
    args = ["test", str(tmp_path / "missing.yml")]
    result = CliRunner().invoke(rules_group, args, standalone_mode=False)
    assert result.return_value == 2


def _gameday(*args: str, cwd: Path) -> tuple[int, str, str]:
    out = subprocess.run(
        [sys.executable, "-m", "gameday", *args], cwd=cwd, capture_output=True, text=True
    )
    return out.returncode, out.stdout, out.stderr


def test_plain_files_and_clicks_parsing_print_the_same(tmp_path: Path) -> None:
    """``gameday rules test FILE...`` runs without click; ``--`` before the files sends
    the same command through click: both print the same bytes and exit alike, for
    passing, failing, missing and mixed files."""
    (tmp_path / "fail.yml").write_text(_suite(tmp_path, "[]").read_text())
    _suite(
        tmp_path, "[{exp_labels: {severity: page, job: api}, exp_annotations: {summary: api down}}]"
    )
    cases = [
        (["t.yml"], 0),
        (["fail.yml"], 1),
        (["missing.yml"], 2),
        (["t.yml", "fail.yml", "missing.yml", "t.yml"], 2),
    ]
    for files, status in cases:
        plain = _gameday("rules", "test", *files, cwd=tmp_path)
        clicked = _gameday("rules", "test", "--", *files, cwd=tmp_path)
        assert plain == clicked, files
        assert plain[0] == status, plain
    assert "Unit Testing:  fail.yml\n" in plain[1] and "  FAILED:" in plain[2]


def test_plain_rules_test_never_loads_click(tmp_path: Path) -> None:
    _suite(tmp_path, "[]")
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('click loaded:', 'click' in sys.modules, file=sys.stderr))\n"
        "sys.argv = ['gameday', *sys.argv[1:]]\n"
        "from gameday.cli.main import main\n"
        "main()\n"
    )
    for args, loaded in ((["rules", "test", "t.yml"], False), (["rules", "test", "--help"], True)):
        out = subprocess.run(
            [sys.executable, "-c", code, *args], cwd=tmp_path, capture_output=True, text=True
        )
        assert f"click loaded: {loaded}" in out.stderr, out.stderr
    help_text = _gameday("rules", "test", "--help", cwd=tmp_path)
    assert help_text[0] == 0 and "Usage: gameday rules test [OPTIONS] FILES..." in help_text[1]
    assert _gameday("rules", "test", cwd=tmp_path)[0] == 2  # no file: click's usage error


def test_a_reader_that_goes_away_ends_both_ways_alike(tmp_path: Path) -> None:
    """``gameday rules test ... | head -c 5``: the output is cut short, so both ways exit
    1 (click's answer to a broken pipe) and print no traceback or flush error."""
    _suite(tmp_path, "[]")
    files = ["t.yml"] * 300  # long enough to still be running when the reader leaves
    for extra in ([], ["--"]):
        proc = subprocess.Popen(
            [sys.executable, "-m", "gameday", "rules", "test", *extra, *files],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.read(5) == b"Unit "
        proc.stdout.close()
        with proc.stderr:
            err = proc.stderr.read().decode()
        assert proc.wait(timeout=120) == 1, (extra, err)
        assert "Traceback" not in err and "Exception ignored" not in err, err
