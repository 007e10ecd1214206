"""Long binary chains evaluate as promtool evaluates them; deep nesting is refused clearly.

promtool 2.42 accepts ``up + up + ... + up`` with 5000 terms. promql-parser cannot take
such a chain whole (quadratic memory, native stack), so gameday cuts it at its top-level
operators and folds it left to right (:mod:`gameday.promql.chains`); the evaluators walk
the left spine without recursion. Brackets and function calls nested past
``MAX_DEPTH`` levels are refused with a message, never a RecursionError or a crash.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gameday.promql import evaluate_instant
from gameday.promql.ast import convert
from gameday.promql.chains import fold, top_level
from gameday.promql.evaluator import Evaluator
from gameday.promql.parsing import MAX_DEPTH, parse
from gameday.tsdb import TSDB
from tests.clirun import run_gameday
from tests.promtool import PROMTOOL, promtool_test_rules

SERIES = {
    'up{job="a",zone="x"}': [1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1],
    'up{job="b",zone="x"}': [1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1],
    'errors{job="a",zone="x"}': [0, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233],
    'errors{job="b",zone="y"}': [2, 2, 4, 4, 6, 6, 8, 8, 10, 10, 12],
}
OPERANDS = [
    "up",
    'up{job="a"}',
    "errors",
    "sum(errors)",
    "sum by (job) (errors)",
    "max(up)",
    "2",
    "0.5",
    "errors offset 1m",
    "rate(errors[5m])",
    "-up",
    "(up - 1)",
    "count(up)",
]
OPERATORS = [
    "+",
    "-",
    "*",
    "+ on(job)",
    "- ignoring(zone)",
    "> bool",
    "<= bool",
    "== bool",
    "and",
    "or",
    "unless on(job)",
    "* on(job) group_left",
    "+ ignoring(zone) group_left(zone)",
]

# operators that cannot fail on these series (no many-to-many or duplicate-series matches)
VECTORS = [o for o in OPERANDS if o not in ("2", "0.5")]
SAFE_OPERATORS = ["+", "-", "*", "> bool", "<= bool", "== bool", "and", "unless", "+ on(job)"]


def _db() -> TSDB:
    from gameday.rules.series_notation import parse_metric

    db = TSDB()
    for text, values in SERIES.items():
        labels = parse_metric(text)[0]
        db.extend(labels, np.arange(len(values)) * 60_000, np.array(values, dtype=float))
    return db


def _chain(
    rng: random.Random,
    terms: int,
    operators: list[str] = OPERATORS,
    operands: list[str] = OPERANDS,
) -> str:
    parts = [rng.choice(operands)]
    for _ in range(terms - 1):
        parts += [rng.choice(operators), rng.choice(operands)]
    return " ".join(parts)


def _result(value: object) -> object:
    if isinstance(value, list):
        return sorted((tuple(sorted(s.labels.items())), s.value) for s in value)
    return value


def _outcome(fn) -> object:  # noqa: ANN001
    try:
        return fn()
    except Exception as exc:  # the same error is the same outcome
        return (type(exc).__name__, str(exc))


def test_cut_chains_evaluate_as_the_parser_tree_does() -> None:
    """Below the native limit both paths exist: the folded chain gives the same answer as
    promql-parser's own tree at every step of a range, and fails where it fails."""
    import promql_parser

    rng = random.Random(16)
    db = _db()
    steps = np.arange(0, 11) * 60_000
    compared = failed = 0
    for _ in range(300):
        expr = _chain(rng, rng.randint(2, 12))
        chain = top_level(expr)
        assert chain is not None, expr

        def native(e: str = expr) -> object:
            node = convert(promql_parser.parse(e))
            return _rows(Evaluator(db, steps).eval(node))

        def cut(c=chain) -> object:  # noqa: ANN001
            node = fold(c, lambda t: convert(promql_parser.parse(t)))
            return _rows(Evaluator(db, steps).eval(node))

        theirs, ours = _outcome(native), _outcome(cut)
        if isinstance(theirs, tuple) and isinstance(ours, tuple):
            failed += 1  # both refuse; with several mistakes the first named may differ
        else:
            assert ours == theirs, expr
            compared += 1
    assert compared > 100 and failed > 20, (compared, failed)


def _rows(value: object) -> object:
    if isinstance(value, list):
        return sorted((r.labels, r.v[r.m].tolist(), r.m.tolist()) for r in value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def test_five_thousand_terms_evaluate_in_both_evaluators() -> None:
    db = _db()
    expr = " + ".join(["up"] * 5000)
    got = evaluate_instant(expr, db, 600_000)
    assert _result(got) == [((("job", "a"), ("zone", "x")), 5000.0)] + [
        ((("job", "b"), ("zone", "x")), 5000.0)
    ]
    rows = Evaluator(db, np.array([120_000, 600_000])).eval(parse(expr))
    assert [r.v.tolist() for r in rows] == [[0.0, 5000.0], [5000.0, 5000.0]]


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("-" * 20000 + "up", "expression nests 20000 operators and brackets; gameday parses at"),
        ("(" * 5000 + "up" + ")" * 5000, "expression nests 5000 operators and brackets"),
        (" ^ ".join(["2"] * 5000), "expression nests 4999 operators and brackets"),
        ("abs(" * MAX_DEPTH + "up" + ")" * MAX_DEPTH, f"nests {MAX_DEPTH + 1} levels deep"),
    ],
    ids=["unary", "parens", "power", "calls"],
)
def test_deep_nesting_is_refused_with_its_depth(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], expr: str, message: str
) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text(
        f"groups:\n  - name: g\n    rules:\n      - record: r\n        expr: '{expr}'\n"
    )
    code, out, err = run_gameday(capsys, "validate", str(rules))
    assert code == 2
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize(
    "wrap",
    ["abs(%s)", "(%s)", "-%s", "sum(%s)", "topk(1, %s)", "clamp_max(%s, 1)", "sort(%s)"],
)
def test_nesting_just_within_the_limit_evaluates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], wrap: str
) -> None:
    """MAX_DEPTH - 1 wrappers around a selector (MAX_DEPTH levels) run through the CLI:
    no RecursionError in the rule evaluator, the batch evaluator or the test's query."""
    expr = "up"
    for _ in range(MAX_DEPTH - 1):
        expr = wrap % expr
    (tmp_path / "rules.yml").write_text(
        f"groups:\n  - name: g\n    rules:\n      - record: deep\n        expr: '{expr}'\n"
    )
    test = tmp_path / "t.yml"
    test.write_text(
        "rule_files: [rules.yml]\ntests:\n  - interval: 1m\n    input_series:\n"
        "      - series: 'up{job=\"a\"}'\n        values: '1x10'\n    promql_expr_test:\n"
        f"      - expr: '{expr}'\n        eval_time: 5m\n        exp_samples: []\n"
    )
    code, out, err = run_gameday(capsys, "rules", "test", str(test))
    assert code == 1, err  # the expectation is deliberately empty: a comparison, not an error
    assert "got: {" in err and "err:" not in err


def _test_file(folder: Path, exprs: list[str], db: TSDB) -> Path:
    """A promtool test file whose expectations are gameday's answers at 10m."""
    from gameday.promql.labels import labels_str

    lines = ["rule_files: [rules.yml]", "tests:", "  - interval: 1m", "    input_series:"]
    for text, values in SERIES.items():
        lines += [f"      - series: '{text}'", f"        values: '{' '.join(map(str, values))}'"]
    lines.append("    promql_expr_test:")
    for expr in exprs:
        got = evaluate_instant(expr, db, 600_000)
        lines += [f"      - expr: '{expr}'", "        eval_time: 10m", "        exp_samples:"]
        samples = got if isinstance(got, list) else []
        if not isinstance(got, list):
            lines += ["          - labels: '{}'", f"            value: {float(got)!r}"]
        for s in samples:
            lines += [
                f"          - labels: '{labels_str(tuple(sorted(s.labels.items())))}'",
                f"            value: {s.value!r}",
            ]
        if not samples and isinstance(got, list):
            lines[-1] = "        exp_samples: []"
    (folder / "rules.yml").write_text(
        "groups:\n  - name: g\n    rules:\n      - record: job:up:sum\n"
        "        expr: sum by (job) (up)\n"
    )
    test = folder / "t.yml"
    test.write_text("\n".join(lines) + "\n")
    return test


@pytest.mark.slow
@pytest.mark.skipif(PROMTOOL is None, reason="promtool (2.42) is not installed")
def test_long_chains_agree_with_promtool(tmp_path: Path) -> None:
    """A 5000-term chain, a 3000-term one and random 300-term chains (past the native
    parser's limit, so cut): our answers, written as a test file's expectations, pass
    promtool (and gameday)."""
    rng = random.Random(2042)
    db = _db()
    exprs = [" + ".join(["up"] * 5000), " - ".join(["errors"] * 3000)]
    for _ in range(300):
        expr = _chain(rng, 300, SAFE_OPERATORS, VECTORS)
        if isinstance(_outcome(lambda e=expr: evaluate_instant(e, db, 600_000)), tuple):
            continue  # an error (many-to-many matching...): nothing to compare
        exprs.append(expr)
        if len(exprs) == 8:
            break
    assert len(exprs) == 8
    test = _test_file(tmp_path, exprs, db)
    theirs = promtool_test_rules(tmp_path, "t.yml", timeout=300)
    assert theirs.returncode == 0, theirs.stdout + theirs.stderr[-3000:]
    ours = subprocess.run(
        [sys.executable, "-m", "gameday", "rules", "test", str(test)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert ours.returncode == 0, ours.stderr[-3000:]
