"""``promtool query instant|range``: PromQL against the session's Prometheus, as promtool
prints the answers.

In a simulated scenario the store holds what the world exposed; in an imported incident
it holds what was recorded, up to the current moment (nothing later: the replay has not
reached it). Output is ``prometheus/common/model``'s ``String()`` of the result, which
is what ``promtool query`` prints: ``up{instance="a", job="api"} => 1 @[1793815980]``
per sample of a vector; a range result gives each series' ``labels =>`` then one
``value @[time]`` line per point. The server argument is accepted (there is one
Prometheus) and may be left out.
"""

from __future__ import annotations

import math
from typing import Any

from gameday.promql.labels import format_float_f
from gameday.tools.effects import Outcome
from gameday.tools.parse import ActionError, parse_flags

_VALUES = {"time", "start", "end", "step", "format", "http.config.file"}
_USAGE = (
    "usage: promtool query instant [--time=T] [SERVER] EXPR | "
    "promtool query range [--start=T] [--end=T] [--step=D] [SERVER] EXPR"
)


def metric_text(labels: dict[str, str]) -> str:
    """``model.Metric.String()``: ``name{a="x", b="y"}``, ``name`` or ``{a="x"}``."""
    from gameday.promql.labels import go_quote

    name = labels.get("__name__", "")
    pairs = sorted(f"{k}={go_quote(v)}" for k, v in labels.items() if k != "__name__")
    if not pairs:
        return name or "{}"
    return f"{name}{{{', '.join(pairs)}}}"


def _seconds(ctx: Any, t_ms: int) -> str:
    """A sim-time sample timestamp as the Unix seconds the real server would print."""
    return format_float_f((ctx.scenario.start_ms + t_ms) / 1000)


def _at(ctx: Any, text: str | None, option: str) -> int:
    """Sim milliseconds for an RFC 3339, Unix or ``now-5m`` time (default: now)."""
    from gameday.timeparse import parse_time

    if text is None:
        return int(round(ctx.now * 1000))
    start_ms = ctx.scenario.start_ms
    now_s = (start_ms + ctx.now * 1000) / 1000
    try:
        return parse_time(text, now=now_s) - start_ms
    except ValueError as exc:
        raise ActionError(f"promtool: error: {option}: {exc}") from None


def _refused(message: str) -> Outcome:
    return Outcome(
        False, f'query error: bad_data: invalid parameter "query": {message}', "promtool"
    )


def run_promtool(ctx: Any, args: list[str]) -> Outcome:
    """``promtool query instant|range ...`` against the session's store."""
    from gameday.durations import parse_duration
    from gameday.promql import PromQLError, evaluate_instant, evaluate_range

    if args[:1] != ["query"] or len(args) < 2 or args[1] not in ("instant", "range"):
        return Outcome(False, _USAGE, "promtool")
    flags = parse_flags(args[2:], {}, _VALUES, set())
    words = flags.words + flags.rest
    if len(words) == 2 and words[0].startswith(("http://", "https://")):
        words = words[1:]
    if len(words) != 1:
        return Outcome(
            False, "promtool: error: required argument 'expr' not provided\n" + _USAGE, "promtool"
        )
    expr = words[0]
    now_ms = int(round(ctx.now * 1000))
    try:
        if args[1] == "instant":
            t_ms = min(_at(ctx, flags.values.get("time"), "--time"), now_ms)
            value = evaluate_instant(expr, ctx.tsdb, t_ms, epoch_ms=ctx.scenario.start_ms)
            if isinstance(value, str):
                lines = [f'"{value}" @[{_seconds(ctx, t_ms)}]']
            elif isinstance(value, float):
                lines = [f"scalar: {format_float_f(value)} @[{_seconds(ctx, t_ms)}]"]
            else:
                lines = [
                    f"{metric_text(s.labels)} => {format_float_f(s.value)} @[{_seconds(ctx, t_ms)}]"
                    for s in value
                ]
        else:
            end = min(_at(ctx, flags.values.get("end"), "--end"), now_ms)
            start = (
                _at(ctx, flags.values["start"], "--start")
                if "start" in flags.values
                else end - 300_000
            )
            if "step" in flags.values:
                step_ms = int(parse_duration(flags.values["step"]) * 1000)
            else:  # promtool: the range over 250 points, at least a second
                step_ms = int(max(math.floor((end - start) / 1000 / 250), 1) * 1000)
            if start > end or step_ms <= 0:
                return _refused("end timestamp must not be before start time")
            if (end - start) // step_ms > 11_000:
                return _refused(
                    "exceeded maximum resolution of 11,000 points per timeseries. "
                    "Try decreasing the query resolution (?step=XX)"
                )
            lines = []
            epoch_ms = ctx.scenario.start_ms
            for series in evaluate_range(expr, ctx.tsdb, start, end, step_ms, epoch_ms=epoch_ms):
                points = [f"{format_float_f(v)} @[{_seconds(ctx, t)}]" for t, v in series.points]
                lines.append(f"{metric_text(series.labels)} =>\n" + "\n".join(points))
    except PromQLError as exc:
        return _refused(str(exc))
    except ValueError as exc:
        return Outcome(False, f"promtool: error: {exc}", "promtool")
    return Outcome(True, "\n".join(lines), f"promtool.query.{args[1]}")
