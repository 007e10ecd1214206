"""Checks across a scenario's files: what only shows when the files are read together.

``gameday validate`` runs these after each file passed its own checks:

- people: ``assign ROLE PERSON`` and ``escalate PERSON`` in the solution, and an inject's
  ``person``, name someone the on-call file lists (or, for an inject, a schedule);
- commands: every solution step and every runbook command is one the simulation can
  run, parsed with the session's own command parser;
- warnings (printed, not failing): an alerting rule without a ``severity`` label, a
  ``runbook_url`` that matches none of the scenario's runbooks, and the deprecated
  ``mitigations:`` key (ignored: the world decides what relieves a fault).

The checks that need the world to run (a solution step the simulation refuses, a red
herring that mitigates) live in :mod:`gameday.scenario.worldcheck`.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from typing import Any

from gameday.errors import InputError, Problem, did_you_mean
from gameday.scenario.loader import Inspection
from gameday.yamldoc import YamlDoc, load_yaml

PERSON_VERBS = {"assign": 2, "ic": 1, "escalate": 1}  # verb -> index of the person word


def _people(inspection: Inspection) -> tuple[set[str], set[str]] | None:
    """Person ids and schedule ids of the on-call file, or None without a valid one."""
    path = inspection.files.oncall_file
    if path is None:
        return None
    try:
        from gameday.oncall import load_oncall

        oncall = load_oncall(path)
    except InputError:
        return None  # its own checker reports why
    return set(oncall.people_by_id), set(oncall.schedules_by_id)


def _person_word(command: str) -> str | None:
    """The person a command names (``assign ic amara`` -> ``amara``), if it names one."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if not words:
        return None
    verb = words[0].lower()
    index = PERSON_VERBS.get(verb)
    if index is None or len(words) <= index:
        return None
    if verb == "assign" and len(words) != 3:
        return None  # a usage error the command check reports
    person = words[index]
    if person.lower() in {"me", "myself"} or person.startswith("{"):
        return None
    return person


def check_people(inspection: Inspection) -> Iterator[Problem]:
    """Unknown people in solution steps and injects, at ``path:line:col``."""
    known = _people(inspection)
    if known is None:
        return
    people, schedules = known
    solution = _solution_doc(inspection)
    if solution is not None:
        for i, action in _actions(solution):
            person = _person_word(str(action.get("do", "")))
            if person is not None and person not in people:
                yield solution.problem(
                    ("actions", i, "do"),
                    f"unknown person {person!r}: the on-call file lists no such person",
                    did_you_mean(person, people) or f"people: {', '.join(sorted(people))}",
                )
    doc = inspection.doc
    injects = doc.data.get("injects") if doc is not None and isinstance(doc.data, dict) else None
    for i, inject in enumerate(injects if isinstance(injects, list) else []):
        person = inject.get("person") if isinstance(inject, dict) else None
        if isinstance(person, str) and person not in people | schedules:
            assert doc is not None
            yield doc.problem(
                ("injects", i, "person"),
                f"unknown person {person!r}: not a person or schedule of the on-call file",
                did_you_mean(person, people | schedules)
                or f"people: {', '.join(sorted(people))}; schedules: "
                f"{', '.join(sorted(schedules))}",
            )


def check_commands(inspection: Inspection) -> Iterator[Problem]:
    """Solution steps and runbook commands the simulation cannot parse or does not know."""
    from gameday.runbooks import check_runbooks
    from gameday.tools import known_command

    solution = _solution_doc(inspection)
    if solution is not None:
        for i, action in _actions(solution):
            command = action.get("do")
            if isinstance(command, str) and command.strip() and not known_command(command):
                yield solution.problem(
                    ("actions", i, "do"),
                    f"the simulation cannot run {command!r}",
                    "check the command's spelling; 'gameday play' then 'help' lists them",
                )
    books = inspection.files.runbook_files
    if books:
        yield from check_runbooks(books, known_command=known_command)


def scenario_warnings(inspection: Inspection) -> Iterator[Problem]:
    """Things worth fixing that do not stop a drill: the alerts' design, deprecated keys."""
    doc = inspection.doc
    if doc is not None and isinstance(doc.data, dict) and doc.data.get("mitigations"):
        yield doc.problem(
            ("mitigations",),
            "deprecated and ignored: the world decides what relieves a fault, no command "
            "is matched",
            "delete the key; see 'Causal fixes' in docs/scenario-authoring.md",
        )
    yield from _alert_warnings(inspection)


def _alert_warnings(inspection: Inspection) -> Iterator[Problem]:
    from gameday.runbooks import parse_runbook, runbook_for_url

    books = []
    for path in inspection.files.runbook_files:
        try:
            books.append(parse_runbook(path))
        except InputError:
            continue  # reported by the runbook checker
    for path in inspection.files.rule_files:
        try:
            doc = load_yaml(path)
        except InputError:
            continue  # reported by the rule checker
        for loc, rule in _alert_rules(doc):
            name = rule.get("alert")
            labels = rule.get("labels")
            labels = labels if isinstance(labels, dict) else {}
            if "severity" not in labels:
                yield doc.problem(
                    (*loc, "alert"),
                    f"alert {name!r} has no severity label",
                    "routing and paging usually key on severity: add critical, warning or info",
                )
            notes = rule.get("annotations")
            notes = notes if isinstance(notes, dict) else {}
            url = notes.get("runbook_url") or notes.get("runbook")
            if isinstance(url, str) and url.strip() and runbook_for_url(url, books) is None:
                yield doc.problem(
                    (*loc, "annotations", "runbook_url" if "runbook_url" in notes else "runbook"),
                    f"alert {name!r} links a runbook the scenario does not bring: {url}",
                    "link one of the scenario's runbooks, or add the runbook to files.runbooks",
                )


def _alert_rules(doc: YamlDoc) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    data = doc.data
    prefix: tuple[Any, ...] = ()
    if isinstance(data, dict) and data.get("kind") == "PrometheusRule":
        data = data.get("spec")
        prefix = ("spec",)
    groups = data.get("groups") if isinstance(data, dict) else None
    for g, group in enumerate(groups if isinstance(groups, list) else []):
        rules = group.get("rules") if isinstance(group, dict) else None
        for r, rule in enumerate(rules if isinstance(rules, list) else []):
            if isinstance(rule, dict) and isinstance(rule.get("alert"), str):
                yield (*prefix, "groups", g, "rules", r), rule


def _solution_doc(inspection: Inspection) -> YamlDoc | None:
    path = inspection.files.solution_file
    if path is None:
        return None
    try:
        doc = load_yaml(path)
    except InputError:
        return None
    return doc if isinstance(doc.data, dict) else None


def _actions(doc: YamlDoc) -> Iterator[tuple[int, dict[str, Any]]]:
    actions = doc.data.get("actions")
    for i, action in enumerate(actions if isinstance(actions, list) else []):
        if isinstance(action, dict):
            yield i, action
