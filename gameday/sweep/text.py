"""A sweep's figures for the terminal: durations as durations, shares as percentages."""

from __future__ import annotations

from typing import Any

from gameday.scoring.evidence import fmt_dur

LABELS = {
    "mttd": "time to detect (MTTD)",
    "mtta": "time to acknowledge (MTTA)",
    "mitigate": "time to mitigate",
    "score": "score",
    "pages": "pages per drill",
}
DURATIONS = ("mttd", "mtta", "mitigate")
SCORE_TAIL = "A score's p90 and p99 are what 90% and 99% of drills scored at least"


def figure(key: str, value: float | None, signed: bool = False) -> str:
    """One figure as people read it: ``4m30s``, ``97.5``, ``4``; ``-`` when absent.

    ``signed`` writes a difference: ``+2m``, ``-1.5``.
    """
    if value is None:
        return "-"
    sign = "-" if value < 0 else "+" if signed and value > 0 else ""
    size = abs(value)
    if key in DURATIONS:
        return sign + fmt_dur(size)
    text = f"{size:.1f}"
    return sign + (text.removesuffix(".0") if key == "pages" else text)


def percent(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.1f}%"


def table_lines(summary: dict[str, Any]) -> list[str]:
    """The distribution table and the breach probabilities of one sweep."""
    width = max(len(label) for label in LABELS.values())
    lines = [f"  {'':{width}}  {'median':>8}  {'p90':>8}  {'p99':>8}  {'drills':>6}"]
    for key, label in LABELS.items():
        d = summary[key]
        cells = "  ".join(f"{figure(key, d[q]):>8}" for q in ("median", "p90", "p99"))
        lines.append(f"  {label:{width}}  {cells}  {d['n']:>6}")
    missing = [
        f"{summary[k]} never {what}"
        for k, what in (("never_acknowledged", "acknowledged"), ("never_mitigated", "mitigated"))
        if summary.get(k)
    ]
    if missing:
        lines.append(f"  ({'; '.join(missing)}: left out of their rows above)")
    lines.append(f"  ({SCORE_TAIL[0].lower()}{SCORE_TAIL[1:]})")
    lines.append(
        f"  ack target missed in {percent(summary['p_ack_breach'])} of drills, mitigation "
        f"target in {percent(summary['p_mitigate_breach'])}; "
        f"{percent(summary['p_pass'])} passed"
    )
    return lines


def summary_lines(summary: dict[str, Any], comparison: dict[str, Any] | None = None) -> list[str]:
    """One sweep's table; for ``--compare``, A's, B's and B - A by seed with a 95% CI."""
    if not comparison:
        return table_lines(summary)
    width = max(len(label) for label in LABELS.values())
    lines = [f"A: {comparison['a']}", *table_lines(summary), ""]
    lines += [f"B: {comparison['b']}", *table_lines(comparison["summary_b"]), ""]
    lines.append("B - A, paired by seed (mean and 95% bootstrap confidence interval)")
    for key, label in LABELS.items():
        diff = comparison["difference_b_minus_a"][key]
        if diff["mean"] is None:
            lines.append(f"  {label:{width}}  no seed measured it under both")
            continue
        lines.append(
            f"  {label:{width}}  {figure(key, diff['mean'], signed=True):>8}  "
            f"95% CI {figure(key, diff['ci_low'], signed=True)} .. "
            f"{figure(key, diff['ci_high'], signed=True)}  (n={diff['n']})"
        )
    return lines
