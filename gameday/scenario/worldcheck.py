"""``gameday validate``'s checks that run the world: what only a drill can show.

- every step of the expert's solution runs: the solution is played (seed 1) and a step
  the simulation refuses is a problem at its line; so is an inject's expectation the
  expert leaves unanswered (the expert is the scenario's proof that it can be met);
- a red herring does not mitigate: each ``truth.red_herrings`` command is performed on
  an otherwise idle session after the fault began, and judged by counterfactual against
  the same session without it (:mod:`gameday.counterfactual`). One the world says
  mitigates the incident is a problem at its line: it is the fix, not a red herring.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gameday.durations import format_duration
from gameday.errors import InputError, Problem
from gameday.scenario.loader import Inspection
from gameday.yamldoc import load_yaml

SEED = 1
WORLD = ("kubectl", "psql")
HERRING_AFTER = 120.0  # the herring is tried this long after the first fault began


def check_world(inspection: Inspection) -> Iterator[Problem]:
    """Solution steps the simulation refuses and red herrings that mitigate."""
    if inspection.problems or inspection.scenario is None:
        return  # a drill of a broken scenario would only repeat its problems
    from gameday.runtime import prepare

    try:
        prepared = prepare(inspection.folder)
    except InputError:
        return  # the files' own checkers report why
    yield from _solution_steps(inspection, prepared)
    yield from _red_herrings(inspection, prepared)


def _solution_steps(inspection: Inspection, prepared: Any) -> Iterator[Problem]:
    from gameday.responders import make_responder

    solution = prepared.loaded.solution
    path = inspection.files.solution_file
    if solution is None or path is None:
        return
    session = prepared.session(seed=SEED, responder="validate")
    expert = make_responder("expert", session, solution)
    expert.attach(session)
    session.run_to_end()
    doc = load_yaml(path)
    for i, step in enumerate(solution.actions):
        event = expert.played.get(i)
        if event is None or event.data.get("ok"):
            continue  # not played (past the end, or its inject never fired), or it ran
        if not str(event.data.get("kind", "")).startswith(WORLD):
            continue  # an incident verb refused for the moment (nothing to ack) is no rot
        first = str(event.data.get("output", "")).strip().splitlines()[:1]
        yield doc.problem(
            ("actions", i, "do"),
            f"the simulation refused this step when the expert played it at "
            f"T+{event.t:.0f}s: {first[0] if first else 'no output'}",
            f"`{step.do}` must run in the scenario's world (names, namespaces, flags)",
        )
    yield from _unanswered(inspection, session.events)


def _unanswered(inspection: Inspection, events: list[Any]) -> Iterator[Problem]:
    """Inject expectations the expert's solution leaves unanswered when played."""
    from gameday.scoring.injects import answers

    scenario, doc = inspection.scenario, inspection.doc
    if scenario is None or doc is None:
        return
    missed = {(a.inject, a.index) for a in answers(events, scenario) if not a.met}
    for i, inject in enumerate(scenario.injects):
        for j, want in enumerate(inject.expect):
            if (inject.id, j) in missed:
                yield doc.problem(
                    ("injects", i, "expect", j),
                    f"the expert's solution does not answer inject {inject.id!r} when "
                    f"played (seed {SEED}): no {want.action} within "
                    f"{format_duration(want.within)} of it"
                    + (f" matching {want.matching!r}" if want.matching else ""),
                    f"add a step with 'after_inject: {inject.id}' to the solution",
                )


def _red_herrings(inspection: Inspection, prepared: Any) -> Iterator[Problem]:
    from gameday.counterfactual import judge_changes

    scenario = prepared.loaded.scenario
    doc = inspection.doc
    if doc is None or not scenario.truth.red_herrings or not scenario.faults:
        return
    herrings = scenario.truth.red_herrings
    verdicts = judge_changes(scenario, SEED, [h.command for h in herrings], after=HERRING_AFTER)
    for i, (herring, verdict) in enumerate(zip(herrings, verdicts, strict=True)):
        if verdict is None or verdict.label != "mitigated":
            continue
        yield doc.problem(
            ("truth", "red_herrings", i),
            f"red herring {herring.command!r} mitigates the incident in the world: from it "
            f"to the end {verdict.failed_with:,.0f} requests failed with it and "
            f"{verdict.failed_without:,.0f} without it",
            "a command that fixes the fault is no red herring; drop it or change the world",
        )
