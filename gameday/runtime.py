"""Build a :class:`~gameday.session.session.Session` from a scenario on disk.

The engine takes parsed models only; this module reads the scenario folder's files
(rules, ``alertmanager.yml``, the on-call file, runbooks) with their own loaders, each of
which reports located problems, and hands the results to the session.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gameday.errors import InputError, Problem
from gameday.scenario import LoadedScenario, Scenario, load_scenario
from gameday.session.session import Session, Setup


@dataclass(frozen=True)
class Prepared:
    """A loaded scenario and the parsed setup its sessions share."""

    loaded: LoadedScenario
    setup: Setup

    def session(
        self,
        seed: int = 1,
        journal: str | Path | None = None,
        responder: str = "tabletop",
        scenario: Scenario | None = None,
    ) -> Session:
        """A new session of this scenario (or of ``scenario``, a variation of it)."""
        return Session(
            scenario or self.loaded.scenario,
            seed,
            self.setup,
            journal=journal,
            responder=responder,
            source=str(self.loaded.folder),
        )


def prepare(ref: str | Path) -> Prepared:
    """Load a scenario and every file it names; all problems are raised together."""
    loaded = load_scenario(ref)
    problems: list[Problem] = []
    rule_groups: list[Any] = []
    alertmanager = None
    oncall = None
    runbooks: list[Any] = []
    if loaded.rule_files:
        from gameday.rules import load_rule_files

        try:
            rule_groups = list(load_rule_files(loaded.rule_files))
        except InputError as exc:
            problems += exc.problems
    if loaded.alertmanager_file is not None:
        from gameday.alerting import load_alertmanager_config

        try:
            alertmanager = load_alertmanager_config(loaded.alertmanager_file)
        except InputError as exc:
            problems += exc.problems
    if loaded.oncall_file is not None:
        from gameday.oncall import load_oncall

        try:
            oncall = load_oncall(loaded.oncall_file)
        except InputError as exc:
            problems += exc.problems
    if loaded.runbook_files:
        from gameday.runbooks import parse_runbook

        try:
            runbooks = [parse_runbook(p) for p in loaded.runbook_files]
        except InputError as exc:
            problems += exc.problems
    recording = None
    if loaded.recorded_file is not None:
        from gameday.imported.recorded import load_recording

        start_ms = loaded.scenario.start_ms
        try:
            recording = load_recording(loaded.recorded_file, start_ms)
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    setup = Setup(
        rule_groups=rule_groups,
        alertmanager=alertmanager,
        oncall=oncall,
        runbooks=runbooks,
        external_labels={"cluster": loaded.scenario.world.cluster},
        recording=recording,
        ghost=list(loaded.ghost),
    )
    return Prepared(loaded, setup)
