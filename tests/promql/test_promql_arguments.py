"""Long chains inside calls, aggregations and subqueries parse and evaluate as promtool's do.

promtool 2.42 accepts ``sum(up + up + ... + up)`` with 5000 terms; the chain is not at the
top level, so it is parsed apart (:mod:`gameday.promql.arguments`) with a placeholder in
the outer text.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gameday.promql import evaluate_instant
from gameday.promql.arguments import LONG_ARGUMENT, substitute
from gameday.promql.ast import Node, convert
from gameday.promql.evaluator import Evaluator
from gameday.promql.limits import nesting
from gameday.promql.parsing import parse
from tests.clirun import run_gameday
from tests.promql.test_promql_depth import (
    PROMTOOL,
    SAFE_OPERATORS,
    VECTORS,
    _chain,
    _db,
    _result,
    _test_file,
)

VECTOR_WRAPS = [
    "sum(%s)",
    "topk(1, %s)",
    "sum by (job) (%s)",
    "clamp_max(%s, 2)",
    "-(%s)",
    "max_over_time((%s)[5m:1m])",
    'label_replace(%s, "x", "$1", "job", "(.*)")',
    'count_values("v", %s)',
    "abs(sum(%s))",
    "sum(%s) * on() group_left count(%s)",
    "histogram_quantile(0.9, %s)",
]
SCALAR_WRAPS = ["vector(%s)", "topk(%s, up)", "quantile(%s, errors)", "clamp_max(up, %s)"]


def _dump(value: Any) -> Any:
    """A tree as nested tuples, for comparing two parses."""
    if isinstance(value, Node):
        return (value.kind, tuple(sorted((k, _dump(v)) for k, v in vars(value).items())))
    if isinstance(value, list):
        return tuple(_dump(v) for v in value)
    return value


def _native(expr: str) -> Node:
    import promql_parser

    return convert(promql_parser.parse(expr))


def _wrapped(wrap: str, vector: str, scalar: str) -> str:
    return wrap.replace("%s", vector) if wrap in VECTOR_WRAPS else wrap % scalar


def test_arguments_parsed_apart_give_the_parser_s_own_tree() -> None:
    """Below the native limit both paths exist: placeholders put back give the same tree."""
    rng = random.Random(16)
    for _ in range(150):
        wrap = rng.choice(VECTOR_WRAPS + SCALAR_WRAPS)
        vector = _chain(rng, rng.randint(34, 50), SAFE_OPERATORS, VECTORS)
        scalar = " + ".join(str(rng.randint(1, 3)) for _ in range(rng.randint(34, 60)))
        expr = _wrapped(wrap, vector, scalar)
        assert min(nesting(vector), nesting(scalar)) > LONG_ARGUMENT
        ours = substitute(expr, _native)
        assert ours is not None, expr
        assert _dump(ours) == _dump(_native(expr)), expr


def _long_exprs() -> list[str]:
    chain = " + ".join(["up"] * 5000)
    errors = " - ".join(["errors"] * 300)
    ones = " + ".join(["1"] * 3000)
    return [
        f"sum({chain})",
        f"topk(1, {errors})",
        f"sum by (job) ({chain})",
        f"vector({ones})",
        f"clamp_max({chain}, {ones})",
        f"-({chain})",
        f"max_over_time(({errors})[5m:1m])",
        f'label_replace({chain}, "x", "$1", "job", "(.*)")',
        f'count_values("v", {chain})',
        f"abs(sum({chain}))",
        f"topk({' + '.join(['1'] * 300)}, errors)",
        f"sum({chain}) * on() group_left count({errors})",
        f"quantile({' * '.join(['0.999'] * 400)}, errors)",
        f"rate(({errors})[5m:1m])",
    ]


def test_long_chains_inside_brackets_evaluate() -> None:
    """Instant and range evaluation of 5000-term chains inside calls and aggregations."""
    db = _db()
    chain = " + ".join(["up"] * 5000)
    assert _result(evaluate_instant(f"sum({chain})", db, 600_000)) == [((), 10000.0)]
    rows = Evaluator(db, np.array([120_000, 600_000])).eval(parse(f"sum by (job) ({chain})"))
    assert sorted((r.labels, r.v.tolist()) for r in rows) == [
        ((("job", "a"),), [0.0, 5000.0]),  # up{job="a"} is 0 at 2m
        ((("job", "b"),), [5000.0, 5000.0]),
    ]
    for expr in _long_exprs():
        parse(expr)


@pytest.mark.parametrize(
    ("expr", "code", "message"),
    [
        ("sum(" + " + ".join(["up"] * 5000) + ")", 0, ""),
        ("rate(sum(" + " + ".join(["up"] * 5000) + ")[5m])", 2, "ranges only allowed for vector"),
        ("sum(" + " + ".join(["up"] * 5000), 2, "expression nests 5000 operators"),
        ("sum(" + " + ".join(["up"] * 5000) + " + )", 2, ""),
    ],
    ids=["accepted", "type-error", "unclosed", "dangling"],
)
def test_validate_through_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], expr: str, code: int, message: str
) -> None:
    """Accepted as promtool accepts it; mistakes inside the long argument are the parser's
    (an unclosed bracket cannot be cut, so it is refused for its nesting)."""
    rules = tmp_path / "rules.yml"
    rules.write_text(
        f"groups:\n  - name: g\n    rules:\n      - record: r\n        expr: '{expr}'\n"
    )
    got, _, err = run_gameday(capsys, "validate", str(rules))
    assert got == code, err[-500:]
    assert message in err and "Traceback" not in err


@pytest.mark.slow
@pytest.mark.skipif(PROMTOOL is None, reason="promtool (2.42) is not installed")
def test_long_chains_inside_brackets_agree_with_promtool(tmp_path: Path) -> None:
    """Our answers at 10m, written as a test file's expectations, pass promtool and gameday."""
    test = _test_file(tmp_path, _long_exprs(), _db())
    assert PROMTOOL is not None
    for argv in ([PROMTOOL, "test", "rules", "t.yml"], [sys.executable, "-m", "gameday",
                 "rules", "test", "t.yml"]):  # fmt: skip
        run = subprocess.run(argv, cwd=test.parent, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
