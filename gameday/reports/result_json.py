"""``result.json``: the one record of a run every report is rendered from.

Schema ``gameday.result/1``. It carries the scenario's story (title, truth, targets),
who played with which seed, the scorecard with its evidence, the metrics summary, the
timeline and the action items, so that ``gameday report RESULT.json`` can re-render any
report without the scenario folder. Keys are sorted and floats rounded, so equal runs
give equal bytes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gameday import __version__
from gameday.errors import InputError, Problem
from gameday.files import read_text
from gameday.reports.exercise import pauses
from gameday.reports.postmortem import action_items
from gameday.reports.timeline import key_events
from gameday.scenario.model import Scenario
from gameday.scoring.metrics import MetricsSummary
from gameday.scoring.scorecard import Scorecard
from gameday.session.events import Event

SCHEMA = "gameday.result/1"
REQUIRED = (
    "schema",
    "scenario",
    "seed",
    "responder",
    "passed",
    "score",
    "scorecard",
    "metrics",
    "timeline",
    "action_items",
)


def _scenario(s: Scenario) -> dict[str, Any]:
    out = _story(s)
    if s.recorded is not None:  # an imported incident
        out["recorded"] = {"source": s.recorded.source, "duration_s": s.duration}
    return out


def _story(s: Scenario) -> dict[str, Any]:
    return {
        "id": s.id,
        "title": s.title,
        "summary": s.summary,
        "start_time": s.start_time.isoformat(),
        "entry_service": s.entry_service or (s.world.services[0].name if s.world.services else ""),
        "namespace": s.world.namespace,
        "cluster": s.world.cluster,
        "severity": s.truth.severity,
        "root_cause": s.truth.root_cause,
        "trigger": s.truth.trigger,
        "contributing_factors": list(s.truth.contributing_factors),
        "red_herrings": [h.model_dump() for h in s.truth.red_herrings],
        "impact": s.truth.impact,
        "slo": s.targets.slo,
        "faults": [
            {
                "id": f.id,
                "type": f.type,
                "service": f.service,
                "description": f.description,
                "background": f.background,
            }
            for f in s.faults
        ],
    }


def _metrics(m: MetricsSummary, slo: float) -> dict[str, Any]:
    out = m.to_dict()
    out.update(
        {
            "mean_rps": round(m.mean_rps, 3),
            "budget_requests": round(m.budget_requests(slo), 1),
            "budget_consumed_pct": round(m.budget_consumed_pct(slo), 3),
            "peak_error_ratio": round(m.peak_error_ratio(), 6),
            "slo": slo,
        }
    )
    return out


def build_result(
    events: list[Event],
    scenario: Scenario,
    scorecard: Scorecard,
    metrics: MetricsSummary,
    *,
    seed: int | None = None,
    responder: str | None = None,
    ghost: Sequence[Any] = (),
) -> dict[str, Any]:
    """The ``result.json`` document of a run (``generated_at`` is set by the writer).

    ``seed`` and ``responder`` default to what the ``session.start`` event says.
    ``ghost`` is an imported incident's recorded timeline: its milestones are compared
    with the team's under ``"ghost"``.
    """
    start = next((e for e in events if e.kind == "session.start"), None)
    info = start.data if start else {}
    result: dict[str, Any] = {
        "schema": SCHEMA,
        "gameday": __version__,
        "generated_at": None,
        "scenario": _scenario(scenario),
        "seed": seed if seed is not None else info.get("seed"),
        "responder": responder if responder is not None else info.get("responder", ""),
        "passed": scorecard.passed,
        "score": scorecard.score,
        "pass_score": scorecard.pass_score,
        "scorecard": scorecard.to_dict(),
        "metrics": _metrics(metrics, scenario.targets.slo),
        "timeline": key_events(events, scenario.start_time),
        "pauses": pauses(events),
    }
    if ghost:
        from gameday.imported.ghost import compare

        result["ghost"] = {
            "milestones": [m.to_dict() for m in compare(events, ghost)],
            "timeline": [g.to_dict() for g in ghost],
        }
    result["action_items"] = action_items(result)
    return result


def dumps_result(result: dict[str, Any]) -> str:
    """Serialise deterministically: sorted keys, two-space indent, trailing newline.

    Strict JSON: a figure that is not finite (a ratio of nothing) is written as null.
    """
    return (
        json.dumps(_finite(result), sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
        + "\n"
    )


def _finite(data: Any) -> Any:
    """``data`` with every NaN or infinite float replaced by None."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(v) for v in data]
    return data


def load_result(path: str | Path) -> dict[str, Any]:
    """Read a ``result.json`` and check it is one this version can render.

    Raises:
        InputError: unreadable, not JSON, another schema, or a required key missing.
    """
    where = str(path)
    try:
        text = read_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(Problem(where, message=f"cannot read: {exc}")) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            Problem(where, exc.lineno, exc.colno, message=f"not JSON: {exc.msg}")
        ) from exc
    if not isinstance(data, dict):
        raise InputError(Problem(where, message="a result.json holds one JSON object"))
    if data.get("schema") != SCHEMA:
        raise InputError(
            Problem(
                where,
                key="schema",
                message=f"expected {SCHEMA!r}, found {data.get('schema')!r}",
                hint="re-run the drill with this version of gameday",
            )
        )
    missing = [k for k in REQUIRED if k not in data]
    if missing:
        raise InputError(
            [Problem(where, key=k, message="required key is missing") for k in missing]
        )
    return data
