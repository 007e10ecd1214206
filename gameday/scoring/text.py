"""The scorecard as plain text for a terminal: one line per dimension, evidence below."""

from __future__ import annotations

from gameday.scoring.evidence import fmt_t
from gameday.scoring.scorecard import Scorecard


def format_scorecard(card: Scorecard, evidence: bool = True) -> str:
    """A fixed-width scorecard; ``evidence=False`` leaves out the sentences."""
    width = max(len(d.title) for d in card.dimensions) if card.dimensions else 10
    lines = [f"Scorecard: {card.scenario} ({card.severity})"]
    for d in card.dimensions:
        mark = "ok  " if d.passed else "MISS"
        lines.append(
            f"  {mark} {d.title:<{width}}  {d.points:5.1f} / {d.max_points:4.1f}  {d.happened}"
        )
        if evidence:
            lines += [f"         - {e}" for e in d.evidence]
    for h in card.hints:
        lines.append(f"  hint {fmt_t(h['t'])}: {h['question']} (-{h['cost']:g})")
    verdict = "PASS" if card.passed else "FAIL"
    lines.append(f"  Total {card.score:.1f} / 100 (pass at {card.pass_score:g}): {verdict}")
    return "\n".join(lines) + "\n"
