"""The sweep's terminal table: durations as durations, shares as percentages, B - A signed."""

from __future__ import annotations

from gameday.sweep import summarise
from gameday.sweep.runner import DrillFigures
from gameday.sweep.text import figure, summary_lines


def runs(offset: float = 0.0) -> list[DrillFigures]:
    """Four drills: three acknowledged (64 s, 2 min, 10 min 13 s), one never."""
    out = [
        DrillFigures(1, "expert", 97.5, True, 180.0, 64.0 + offset, 616.0, 4, False, False),
        DrillFigures(2, "expert", 97.5, True, 180.0, 120.0 + offset, 620.0, 4, False, False),
        DrillFigures(3, "novice", 73.5, False, 180.0, 613.0 + offset, 1008.0, 6, True, True),
    ]
    out.append(DrillFigures(4, "novice", 40.0, False, 180.0, None, None, 6, True, True))
    return out


def test_figures_read_as_people_write_them() -> None:
    """Durations as 10m13s, signed differences with their sign, whole pages bare."""
    assert figure("mtta", 613.16) == "10m13s"
    assert figure("mitigate", -120.0, signed=True) == "-2m"
    assert figure("score", 2.04, signed=True) == "+2.0"
    assert figure("pages", 4.0) == "4" and figure("pages", 4.5) == "4.5"
    assert figure("mttd", None) == "-"


def test_table_rows_notes_and_breach_line() -> None:
    """Percentiles over the measured drills, the unmeasured ones named, the breach shares."""
    lines = summary_lines(summarise(runs()))
    row = next(line for line in lines if "time to acknowledge" in line)
    assert row.split()[-4:] == ["2m", "8m34s", "10m03s", "3"]  # numpy linear: 514.4 s, 603.14 s
    assert "  (1 never acknowledged; 1 never mitigated: left out of their rows above)" in lines
    assert (
        lines[-1]
        == "  ack target missed in 50.0% of drills, mitigation target in 50.0%; 50.0% passed"
    )


def test_compare_shows_both_tables_and_the_signed_difference() -> None:
    """--compare prints A's and B's tables, then B - A paired by seed with its interval."""
    from gameday.sweep.stats import FIGURES, paired_difference

    a, b = runs(), runs(offset=30.0)
    comparison = {
        "a": "am-a.yml",
        "b": "am-b.yml",
        "summary_b": summarise(b),
        "difference_b_minus_a": {k: paired_difference(a, b, k) for k in FIGURES},
    }
    lines = summary_lines(summarise(a), comparison)
    assert lines[0] == "A: am-a.yml" and "B: am-b.yml" in lines
    row = next(line for line in lines if line.startswith("  time to acknowledge") and "CI" in line)
    assert "+30s  95% CI +30s .. +30s  (n=3)" in row
