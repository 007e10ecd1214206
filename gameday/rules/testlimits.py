"""Limits of a rule unit test, checked before anything is loaded or evaluated.

promtool 2.42 has none of these: it expands ``0+1x100000000`` into a slice of a hundred
million samples (``fatal error: out of memory`` at a few GiB), steps an ``eval_time: 100y``
test through 52 million evaluations (hours) and allocates one point per step of a
``[100y:1ms]`` subquery (75 TB, a crash). gameday refuses such tests up front with the
place in the file and exit 2. The limits sit where promtool needs a minute or more
(it evaluates about 15 000 steps a second), far above what real rule tests use (the
bundled ones: under 45 000 steps, 200 000 samples):

* :data:`MAX_STEPS` evaluation steps per test group: the largest ``eval_time`` divided
  by ``evaluation_interval``, plus one (a year at 1m is 525 601);
* :data:`MAX_INPUT_SAMPLES` input samples per test group, counted up to the largest
  ``eval_time`` (promtool never reads later samples, so neither does gameday);
* :data:`~gameday.promql.limits.MAX_SUBQUERY_STEPS` steps in one evaluation of a
  subquery (its range, plus the ranges of the subqueries around it, over its step).
"""

from __future__ import annotations

from gameday.promql.ast import Node
from gameday.promql.errors import PromQLError
from gameday.promql.evaluator import parse
from gameday.promql.limits import MAX_SUBQUERY_STEPS
from gameday.rules.model import RuleGroup, format_go_duration
from gameday.rules.series_notation import SeriesParseError, count_values
from gameday.rules.testfile import TestFile, TestGroup

MAX_STEPS = 1_000_000
MAX_INPUT_SAMPLES = 10_000_000


def _duration(ms: int) -> str:
    return format_go_duration(ms)


def check_steps(tf: TestFile, tg: TestGroup) -> str | None:
    """Why the group has too many evaluation steps, or None."""
    interval = tf.evaluation_interval_ms
    cases: list[tuple[int, str, int]] = [
        (c.eval_time_ms, "alert_rule_test", k) for k, c in enumerate(tg.alert_cases)
    ] + [(c.eval_time_ms, "promql_expr_test", k) for k, c in enumerate(tg.expr_cases)]
    if not cases or interval <= 0:
        return None
    maxt, section, k = max(cases)
    steps = maxt // interval + 1
    if steps <= MAX_STEPS:
        return None
    where = tf.locate(("tests", tg.index, section, k, "eval_time"))
    return (
        f"{where}: {_duration(maxt)} at evaluation_interval {_duration(interval)} is "
        f"{steps} evaluation steps; gameday evaluates at most {MAX_STEPS} per test group "
        "(lower eval_time or raise evaluation_interval)"
    )


def check_samples(tf: TestFile, tg: TestGroup) -> str | None:
    """Why the group's input series hold too many samples, or None."""
    maxt = tg.max_eval_time_ms()
    limit = maxt // tg.interval_ms + 1 if tg.interval_ms > 0 else 1
    counts: list[tuple[int, int]] = []
    for j, (_, values) in enumerate(tg.input_series):
        try:
            counts.append((count_values(values, limit), j))
        except SeriesParseError:
            continue  # reported with promtool's message when the series is loaded
    total = sum(n for n, _ in counts)
    if total <= MAX_INPUT_SAMPLES:
        return None
    most, j = max(counts, key=lambda c: (c[0], -c[1]))  # the first of the largest
    where = tf.locate(("tests", tg.index, "input_series", j, "values"))
    return (
        f"{where}: {most} samples up to the last eval_time ({_duration(maxt)}), "
        f"{total} in the test group; gameday loads at most {MAX_INPUT_SAMPLES} per test "
        "group (shorten the series or raise interval)"
    )


def subquery_steps(node: Node, default_step_ms: int) -> int:
    """The most steps one evaluation of any subquery in ``node`` takes.

    A subquery inside another is evaluated over the outer one's range as well as its
    own, so the ranges of the enclosing subqueries add up. ``default_step_ms`` is the
    step of a subquery written without one (``x[1h:]``).
    """
    worst = 0
    stack: list[tuple[Node, int]] = [(node, 0)]
    while stack:
        n, outer = stack.pop()
        if n.kind == "SubqueryExpr":
            outer += n.range_ms
            step = n.step_ms or default_step_ms
            if step > 0:
                worst = max(worst, outer // step + 1)
        stack.extend((c, outer) for c in n.children())
    return worst


def _subquery_problem(expr: str, default_step_ms: int) -> str | None:
    try:
        node = parse(expr)
    except PromQLError:
        return None  # reported where the expression is evaluated
    worst = subquery_steps(node, default_step_ms)
    if worst <= MAX_SUBQUERY_STEPS:
        return None
    return (
        f"a subquery takes {worst} steps in one evaluation; gameday evaluates at most "
        f"{MAX_SUBQUERY_STEPS} (use a longer subquery step)"
    )


def check_subqueries(tf: TestFile, tg: TestGroup, groups: list[RuleGroup]) -> str | None:
    """Why a rule or test expression has a subquery too fine for its range, or None."""
    step = tf.evaluation_interval_ms
    for g in groups:
        for rule in g.rules:
            why = _subquery_problem(rule.expr, step)
            if why:
                line = f":{rule.line}" if rule.line else ""
                return f"{g.file}{line}: rule {rule.name}: {why}"
    for k, case in enumerate(tg.expr_cases):
        why = _subquery_problem(case.expr, step)
        if why:
            return f"{tf.locate(('tests', tg.index, 'promql_expr_test', k, 'expr'))}: {why}"
    return None


def check_group(tf: TestFile, tg: TestGroup) -> str | None:
    """The first limit the test group goes past (located), or None."""
    return check_steps(tf, tg) or check_samples(tf, tg)
