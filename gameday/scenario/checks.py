"""Semantic checks of a scenario: the mistakes a schema alone cannot see.

The checks read the plain YAML data rather than the validated model, so they run (and
report) alongside schema errors: a typo in one key does not hide a broken reference or a
dependency cycle elsewhere. Each check skips values the schema already refuses.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from gameday.durations import format_duration, parse_duration
from gameday.errors import Problem, did_you_mean
from gameday.scenario.model import Scenario
from gameday.yamldoc import YamlDoc

DEFAULT_DURATION = float(Scenario.model_fields["duration"].default)


def seconds(value: Any) -> float | None:
    """A duration in seconds, or None if ``value`` is not one (the schema reports it)."""
    try:
        result = parse_duration(value)
    except (ValueError, TypeError):
        return None
    return result if result == result else None  # NaN is no duration


def entries(data: Any, *path: str) -> list[tuple[int, dict[str, Any]]]:
    """``(index, item)`` of the mapping items of the list at ``path``; others skipped."""
    node = data
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    if not isinstance(node, list):
        return []
    return [(i, item) for i, item in enumerate(node) if isinstance(item, dict)]


def scenario_duration(data: Any) -> float | None:
    """The scenario's ``duration`` in seconds (its default if absent, None if invalid)."""
    if not isinstance(data, dict) or "duration" not in data:
        return DEFAULT_DURATION
    return seconds(data["duration"])


def _names(items: list[tuple[int, dict[str, Any]]], key: str) -> list[str]:
    return [item[key] for _, item in items if isinstance(item.get(key), str)]


def _unknown(doc: YamlDoc, loc: tuple[str | int, ...], what: str, name: Any, known: list[str]):
    hint = did_you_mean(str(name), known)
    if hint is None:
        hint = f"known {what}s: {', '.join(sorted(set(known)))}" if known else f"no {what}s defined"
    return doc.problem(loc, f"unknown {what} {name!r}", hint)


def check_duplicates(doc: YamlDoc) -> Iterator[Problem]:
    """Each service, database, fault and inject id is used once."""
    lists = [
        (("world", "services"), "name", "service"),
        (("world", "databases"), "name", "database"),
        (("faults",), "id", "fault"),
        (("injects",), "id", "inject"),
    ]
    for path, key, what in lists:
        first: dict[str, int] = {}
        for i, item in entries(doc.data, *path):
            name = item.get(key)
            if not isinstance(name, str):
                continue
            if name in first:
                line, _ = doc.where((*path, first[name], key))
                hint = f"first defined on line {line}" if line else None
                yield doc.problem((*path, i, key), f"duplicate {what} {key} {name!r}", hint)
            else:
                first[name] = i


def check_references(doc: YamlDoc) -> Iterator[Problem]:
    """Every service, database and fault named anywhere is defined."""
    data = doc.data
    services = entries(data, "world", "services")
    service_names = _names(services, "name")
    database_names = _names(entries(data, "world", "databases"), "name")
    fault_names = _names(entries(data, "faults"), "id")
    for i, svc in services:
        calls = svc.get("calls")
        for j, callee in enumerate(calls if isinstance(calls, list) else []):
            if isinstance(callee, str) and callee not in service_names:
                loc = ("world", "services", i, "calls", j)
                yield _unknown(doc, loc, "service", callee, service_names)
        database = svc.get("database")
        if isinstance(database, str) and database not in database_names:
            loc = ("world", "services", i, "database")
            yield _unknown(doc, loc, "database", database, database_names)
    entry = data.get("entry_service")
    if isinstance(entry, str) and entry not in service_names:
        yield _unknown(doc, ("entry_service",), "service", entry, service_names)
    for i, fault in entries(data, "faults"):
        target = fault.get("service")
        if isinstance(target, str) and target not in service_names:
            yield _unknown(doc, ("faults", i, "service"), "service", target, service_names)
    for section in ("mitigations", "injects"):
        for i, item in entries(data, section):
            fault = item.get("fault")
            if isinstance(fault, str) and fault not in fault_names:
                yield _unknown(doc, (section, i, "fault"), "fault", fault, fault_names)


def check_pools(doc: YamlDoc) -> Iterator[Problem]:
    """A connection pool and a database come together on a service."""
    for i, svc in entries(doc.data, "world", "services"):
        has_pool = svc.get("pool") is not None
        has_db = svc.get("database") is not None
        name = svc.get("name", f"#{i}")
        if has_pool and not has_db:
            yield doc.problem(
                ("world", "services", i, "pool"),
                f"service {name!r} has a pool but no database",
                "add 'database: <name>' or remove 'pool'",
            )
        elif has_db and not has_pool:
            yield doc.problem(
                ("world", "services", i, "database"),
                f"service {name!r} uses a database but has no pool",
                "add a connection pool, e.g. 'pool: {size: 10}'",
            )


def check_cycles(doc: YamlDoc) -> Iterator[Problem]:
    """The ``calls`` graph has no cycle; each cycle is reported once, by name."""
    graph: dict[str, list[tuple[int, int, str]]] = {}
    for i, svc in entries(doc.data, "world", "services"):
        name, calls = svc.get("name"), svc.get("calls")
        if isinstance(name, str) and name not in graph:
            edges = enumerate(calls if isinstance(calls, list) else [])
            graph[name] = [(i, j, c) for j, c in edges if isinstance(c, str)]
    seen: set[frozenset[str]] = set()
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> Iterator[Problem]:
        state[node] = 1
        path.append(node)
        for i, j, callee in graph.get(node, []):
            if state.get(callee) == 1:
                cycle = path[path.index(callee) :] + [callee]
                if frozenset(cycle) not in seen:
                    seen.add(frozenset(cycle))
                    yield doc.problem(
                        ("world", "services", i, "calls", j),
                        f"calls form a cycle: {' -> '.join(cycle)}",
                        "a service must not call itself, directly or through others",
                    )
            elif callee in graph and callee not in state:
                yield from visit(callee, path)
        path.pop()
        state[node] = 2

    for name in graph:
        if name not in state:
            yield from visit(name, [])


def check_timeline(doc: YamlDoc) -> Iterator[Problem]:
    """Faults start before the scenario ends; ``start_time`` carries a timezone."""
    data = doc.data
    end = scenario_duration(data)
    for i, fault in entries(data, "faults"):
        at = seconds(fault.get("at"))
        if end is not None and at is not None and at >= end:
            yield doc.problem(
                ("faults", i, "at"),
                f"fault starts at {format_duration(at)}, at or after the scenario's "
                f"end (duration {format_duration(end)})",
                "start it earlier or make 'duration' longer",
            )
    start = data.get("start_time")
    if isinstance(start, str):
        try:
            start = datetime.fromisoformat(start)
        except ValueError:
            start = None  # the schema reports it
    if isinstance(start, datetime) and start.tzinfo is None:
        yield doc.problem(
            ("start_time",),
            "start_time must be timezone-aware",
            "add an offset, e.g. 2026-03-10T14:00:00+00:00 or ...Z",
        )


def check_solution(doc: YamlDoc, end: float | None) -> Iterator[Problem]:
    """A solution's actions fall inside the scenario's ``duration``."""
    if end is None:
        return
    for i, action in entries(doc.data, "actions"):
        at = seconds(action.get("at"))
        if at is not None and at >= end:
            yield doc.problem(
                ("actions", i, "at"),
                f"action at {format_duration(at)} comes at or after the scenario's "
                f"end (duration {format_duration(end)})",
                "the sim stops at 'duration'; move the action earlier",
            )


def check_scenario(doc: YamlDoc) -> list[Problem]:
    """Every semantic problem of a parsed ``scenario.yaml``."""
    if not isinstance(doc.data, dict):
        return []
    problems: list[Problem] = []
    for check in (check_duplicates, check_references, check_pools, check_cycles, check_timeline):
        problems.extend(check(doc))
    return problems
