"""``gameday validate``'s checks that run the world: what only a drill can show.

- every step of the expert's solution runs: the solution is played (seed 1) and a step
  the simulation refuses is a problem at its line;
- a red herring does not mitigate: each ``truth.red_herrings`` command is performed on
  an otherwise idle session after the fault began, and judged by counterfactual against
  the same session without it (:mod:`gameday.counterfactual`). One the world says
  mitigates the incident is a problem at its line: it is the fix, not a red herring.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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
    make_responder("expert", session, solution).attach(session)
    session.run_to_end()
    doc = load_yaml(path)
    done = [e for e in session.events if e.kind == "action"]
    for i, (step, event) in enumerate(zip(solution.actions, done, strict=False)):
        if event.data.get("ok") or not str(event.data.get("kind", "")).startswith(WORLD):
            continue  # an incident verb refused for the moment (nothing to ack) is no rot
        first = str(event.data.get("output", "")).strip().splitlines()[:1]
        yield doc.problem(
            ("actions", i, "do"),
            f"the simulation refused this step when the expert played it at "
            f"T+{event.t:.0f}s: {first[0] if first else 'no output'}",
            f"`{step.do}` must run in the scenario's world (names, namespaces, flags)",
        )


def _red_herrings(inspection: Inspection, prepared: Any) -> Iterator[Problem]:
    from gameday.counterfactual import judge_change

    scenario = prepared.loaded.scenario
    doc = inspection.doc
    if doc is None or not scenario.truth.red_herrings or not scenario.faults:
        return
    for i, herring in enumerate(scenario.truth.red_herrings):
        verdict = judge_change(scenario, SEED, herring.command, after=HERRING_AFTER)
        if verdict is None or verdict.label != "mitigated":
            continue
        yield doc.problem(
            ("truth", "red_herrings", i),
            f"red herring {herring.command!r} mitigates the incident in the world: from it "
            f"to the end {verdict.failed_with:,.0f} requests failed with it and "
            f"{verdict.failed_without:,.0f} without it",
            "a command that fixes the fault is no red herring; drop it or change the world",
        )
