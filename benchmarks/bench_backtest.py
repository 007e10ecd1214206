"""Backtest speed: counter-reset windows vectorised, rule tests against promtool, a month
of recorded data.

1. ``rate()`` over a month of 15 s samples of a counter that restarts every 2 hours, 1 h
   windows at 1 m steps: the sequential per-window loop that handled windows with a reset
   before (kept here as the reference) against the vectorised reset correction; the two
   must agree bit for bit.
2. ``gameday rules test`` against ``promtool test rules`` (whole processes, same verdict
   required) on a 12-rule multi-window burn-rate file (3 services x 4 burn-rate alerts)
   whose counters restart every 6 hours: a 7-day slice and, unless
   ``GAMEDAY_BENCH_SKIP_30D=1`` (promtool needs about 3 minutes for it), the 30-day file.
   Peak memory (max RSS) of each process is printed.
3. ``gameday backtest`` machinery on ``GAMEDAY_BENCH_SERIES`` series (default 1000) x
   ``GAMEDAY_BENCH_DAYS`` days (default 30) at 15 s with 20 rules, data handed over a
   day at a time as ``--prometheus`` does by default (the series are generated, not
   fetched): seconds and peak memory.

Run with ``make bench`` or ``python benchmarks/bench_backtest.py``.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

SERVICES = ("checkout", "search", "cart")
GAMEDAY_RUNS = 7  # gameday processes timed per file; the median is reported
BURNS = (  # name, long window, short window, factor, for
    ("Fast", "1h", "5m", 14.4, "2m"),
    ("Medium", "6h", "30m", 6, "15m"),
    ("Slow", "1d", "2h", 3, "1h"),
    ("VerySlow", "3d", "6h", 1, "1h"),
)


def _loop_resets(v, lo, hi, ok, result):  # the code path before vectorisation
    out = result.copy()
    for i in np.nonzero(ok)[0]:
        r = float(out[i])
        prev = float(v[lo[i]])
        for x in v[lo[i] + 1 : hi[i] + 1]:
            x = float(x)
            if x < prev:
                r += prev
            prev = x
        out[i] = r
    return out


def bench_kernel() -> dict[str, float]:
    from gameday.promql import rangefuncs

    n = 30 * 86400 // 15
    t = (np.arange(n) * 15_000).astype(np.int64)
    v = (np.arange(n) % 480) * 100.0  # restarts every 2 h
    refs = np.arange(3_600_000, int(t[-1]), 60_000, dtype=np.int64)
    lo = np.searchsorted(t, refs - 3_600_000, side="left")
    hi = np.searchsorted(t, refs, side="right")
    after_fn = rangefuncs._add_resets
    times = {}
    outs = {}
    for name, fn in (("before", _loop_resets), ("after", after_fn)):
        rangefuncs._add_resets = fn
        try:
            t0 = time.perf_counter()
            outs[name] = rangefuncs.extrapolated_rate(t, v, lo, hi, refs, 3_600_000, True, True)
            times[name] = time.perf_counter() - t0
        finally:
            rangefuncs._add_resets = after_fn
    assert np.array_equal(outs["before"][0], outs["after"][0]), "results differ"
    print(
        f"rate() over 30 days, reset every 2h, {len(refs)} windows of 1h: "
        f"before {times['before']:.2f} s, after {times['after']:.3f} s, "
        f"{times['before'] / times['after']:.0f}x"
    )
    return times


def _rules() -> str:
    out = ["groups:", "  - name: slo-burn", "    rules:"]
    for svc in SERVICES:
        for name, long_w, short_w, factor, for_ in BURNS:
            ratio = (
                f'(sum(rate(errors_total{{service="{svc}"}}[WIN])) / '
                f'sum(rate(requests_total{{service="{svc}"}}[WIN])))'
            )
            out += [
                f"      - alert: ErrorBudgetBurn{name}",
                "        expr: |",
                f"          {ratio.replace('WIN', long_w)} > ({factor} * 0.001)",
                "          and",
                f"          {ratio.replace('WIN', short_w)} > ({factor} * 0.001)",
                f"        for: {for_}",
                f"        labels: {{service: {svc}, severity: page}}",
            ]
    return "\n".join(out) + "\n"


def _tests(days: int) -> str:
    """Counters restart every 6 h; service 0 has 2% errors for two days from days//2."""
    seg = 360  # minutes between restarts
    segments = days * 1440 // seg
    bad = range(days // 2 * 4, days // 2 * 4 + 8)  # two days of 6 h segments
    lines = [
        "rule_files: [rules.yml]",
        "evaluation_interval: 1m",
        "tests:",
        "  - interval: 1m",
        "    input_series:",
    ]
    for i, svc in enumerate(SERVICES):
        req = " ".join(f"0+100x{seg - 1}" for _ in range(segments))
        err = " ".join(
            f"0+{2 if (i == 0 and k in bad) else 0.05}x{seg - 1}" for k in range(segments)
        )
        lines += [
            f"      - series: 'requests_total{{service=\"{svc}\"}}'",
            f"        values: '{req}'",
            f"      - series: 'errors_total{{service=\"{svc}\"}}'",
            f"        values: '{err}'",
        ]
    lines.append("    alert_rule_test:")
    mid = days // 2
    for when, firing in ((f"{mid - 1}d", False), (f"{mid}d7h", True), (f"{mid + 3}d", False)):
        for name, *_ in BURNS:
            exp = "[{exp_labels: {service: checkout, severity: page}}]" if firing else "[]"
            lines += [
                f"      - eval_time: {when}",
                f"        alertname: ErrorBudgetBurn{name}",
                f"        exp_alerts: {exp}",
            ]
    return "\n".join(lines) + "\n"


def _timed(cmd: list[str], cwd: Path) -> tuple[float, int, float, str, float]:
    """Wall seconds, exit status, max RSS (MiB), output and CPU seconds of one process.

    Started with ``posix_spawn`` (glibc: a vfork, no copy of this process): a forked
    child's peak RSS would count the pytest process it was copied from.
    """
    with tempfile.TemporaryFile() as out:
        actions = [
            (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
            (os.POSIX_SPAWN_DUP2, out.fileno(), 2),
        ]
        path = shutil.which(cmd[0]) or cmd[0]
        here = os.getcwd()
        t0 = time.perf_counter()
        os.chdir(cwd)
        try:
            pid = os.posix_spawn(path, cmd, dict(os.environ), file_actions=actions)
        finally:
            os.chdir(here)
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - t0
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    cpu = usage.ru_utime + usage.ru_stime
    return wall, os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024, text, cpu


def compile_bytecode() -> None:
    """Write gameday's bytecode as installing the package does (pip compiles a wheel's
    modules), so the timed processes do not compile every module from source: a shell
    with ``PYTHONDONTWRITEBYTECODE`` set (as some CI images and sandboxes have) would
    otherwise never keep it and pay about 45 ms a process for it."""
    import compileall

    import gameday

    compileall.compile_dir(str(Path(gameday.__file__).parent), quiet=1)


def bench_rules_vs_promtool(days: int) -> dict[str, float | int | None]:
    compile_bytecode()
    gameday = str(Path(sys.executable).with_name("gameday"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "rules.yml").write_text(_rules())
        (folder / "tests.yml").write_text(_tests(days))
        # A process of a fifth of a second is at the mercy of what else the machine
        # does: the median of several runs (promtool's one run takes minutes).
        cmd = [gameday, "rules", "test", "tests.yml"]
        runs = [_timed(cmd, folder) for _ in range(GAMEDAY_RUNS)]
        g_s = statistics.median(r[0] for r in runs)
        g_cpu = statistics.median(r[4] for r in runs)
        g_mb = max(r[2] for r in runs)
        g_rc, g_out = runs[-1][1], runs[-1][3]
        line = (
            f"{days}-day 12-rule burn-rate file: gameday {g_s:.3f} s wall, {g_cpu:.3f} s CPU "
            f"(median of {GAMEDAY_RUNS}; {g_mb:.0f} MiB), exit {g_rc}"
        )
        if g_rc != 0:
            print(g_out[-2000:])
        promtool = shutil.which("promtool")
        p_s = p_rc = p_cpu = p_mb = None
        if promtool:
            p_s, p_rc, p_mb, p_out, p_cpu = _timed([promtool, "test", "rules", "tests.yml"], folder)
            line += (
                f"; promtool {p_s:.1f} s wall, {p_cpu:.1f} s CPU ({p_mb:.0f} MiB), exit {p_rc}; "
                f"{p_s / g_s:.0f}x wall, {p_cpu / g_cpu:.0f}x CPU"
            )
            if p_rc != 0:
                print(p_out[-2000:])
        print(line)
    return {
        "gameday_s": g_s,
        "gameday_rc": g_rc,
        "gameday_cpu": g_cpu,
        "gameday_mb": g_mb,
        "promtool_s": p_s,
        "promtool_rc": p_rc,
        "promtool_cpu": p_cpu,
        "promtool_mb": p_mb,
    }


def bench_backtest(series: int, days: int) -> float:
    """20 rules over generated series handed over 6 h at a time."""
    from gameday.backtest.run import Side, run_backtests, with_intervals
    from gameday.rules.loader import parse_rule_text
    from gameday.tsdb import TSDB

    per = max(1, series // 10)  # 10 services, request and error counters, a gauge
    text = ["groups:", "  - name: backtest", "    interval: 1m", "    rules:"]
    for k in range(10):
        sel = f'{{svc="s{k}"}}'
        text += [
            f"      - record: svc:errors:ratio5m_{k}",
            f"        expr: sum(rate(errors_total{sel}[5m])) / sum(rate(requests_total{sel}[5m]))",
            f"      - alert: Burn{k}",
            f"        expr: svc:errors:ratio5m_{k} > 0.02 and sum(rate(errors_total{sel}[1h])) > 1",
            "        for: 2m",
        ]
    groups, problems = parse_rule_text("\n".join(text) + "\n", "bench.yml")
    assert not problems, problems
    groups = with_intervals(groups, 60.0)
    step = 15_000
    start = 1_790_000_000_000 - 1_790_000_000_000 % 86_400_000
    end = start + days * 86_400_000
    gen = np.random.default_rng(1)
    rate = gen.integers(50, 150, size=(10, per)).astype(float)

    def load(db: TSDB, keep, lo: int, hi: int) -> tuple[int, int]:
        t = np.arange(-(-lo // step) * step, hi + 1, step, dtype=np.int64)
        if not len(t):
            return 0, 0
        n = 0
        elapsed = (t - (start - 86_400_000)) / 1000.0
        for k in range(10):
            for i in range(per // 2):
                req = rate[k, i] * elapsed % 1e7  # restarts now and then
                bad = ((t // 3_600_000) % 97 == k).astype(float)
                err = (0.001 + 0.05 * bad) * req
                db.extend((("__name__", "requests_total"), ("i", str(i)), ("svc", f"s{k}")), t, req)
                db.extend((("__name__", "errors_total"), ("i", str(i)), ("svc", f"s{k}")), t, err)
                n += 2 * len(t)
        return 10 * (per // 2) * 2, n

    t0 = time.perf_counter()
    span = int(os.environ.get("GAMEDAY_BENCH_SPAN_H", "24")) * 3_600_000
    (result,) = run_backtests([Side(groups)], load, start, end, fetch_chunk_ms=span)
    took = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    fired = sum(1 for e in result.episodes if e.firing_at is not None)
    print(
        f"backtest: {result.series} series x {days} days at 15s, 20 rules, "
        f"{result.samples:,} samples: {took:.1f} s, peak RSS {peak:.0f} MiB, {fired} alerts fired"
    )
    return took


@pytest.mark.bench
def test_bench_backtest() -> None:
    times = bench_kernel()
    assert times["after"] < times["before"]
    ratios = []
    for days, target in ((7, 200), (30, 1000)):
        if days == 30 and os.environ.get("GAMEDAY_BENCH_SKIP_30D") == "1":
            print("30-day promtool comparison skipped (GAMEDAY_BENCH_SKIP_30D=1)")
            continue
        r = bench_rules_vs_promtool(days)
        assert r["gameday_rc"] == 0
        if r["promtool_rc"] is not None:
            assert r["promtool_rc"] == r["gameday_rc"], "verdicts differ from promtool"
            ratios.append(
                f"{days}-day {r['promtool_cpu'] / r['gameday_cpu']:.0f}x CPU "
                f"({r['promtool_s'] / r['gameday_s']:.0f}x wall; target {target}x), "
                f"max RSS gameday {r['gameday_mb']:.0f} MiB, promtool {r['promtool_mb']:.0f} MiB"
            )
    if ratios:
        print("rules test against promtool, whole processes: " + "; ".join(ratios))
    bench_backtest(
        int(os.environ.get("GAMEDAY_BENCH_SERIES", "1000")),
        int(os.environ.get("GAMEDAY_BENCH_DAYS", "30")),
    )


if __name__ == "__main__":
    test_bench_backtest()
