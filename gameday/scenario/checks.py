"""Semantic checks of a scenario: the mistakes a schema alone cannot see.

The checks read the plain YAML data rather than the validated model, so they run (and
report) alongside schema errors: a typo in one key does not hide a broken reference or a
dependency cycle elsewhere. Each check skips values the schema already refuses.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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


def _defined(data: Any, path: tuple[str, ...], key: str) -> list[str] | None:
    """Names defined by the list at ``path`` (absent: none); None if the list is malformed.

    References are only checked against a well-formed list: when an item or its name is
    malformed, "unknown" would be noise beside the schema error that explains it.
    """
    node = data
    for part in path[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
    if not isinstance(node, dict):
        return None
    items = node.get(path[-1], [])
    if not isinstance(items, list):
        return None
    if not all(isinstance(item, dict) and isinstance(item.get(key), str) for item in items):
        return None
    return [item[key] for item in items]


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
    service_names = _defined(data, ("world", "services"), "name")
    database_names = _defined(data, ("world", "databases"), "name")
    fault_names = _defined(data, ("faults",), "id")

    def unknown(loc: tuple[str | int, ...], what: str, name: Any, known: list[str] | None):
        if known is not None and isinstance(name, str) and name not in known:
            yield _unknown(doc, loc, what, name, known)

    for i, svc in entries(data, "world", "services"):
        calls = svc.get("calls")
        for j, callee in enumerate(calls if isinstance(calls, list) else []):
            yield from unknown(
                ("world", "services", i, "calls", j), "service", callee, service_names
            )
        yield from unknown(
            ("world", "services", i, "database"), "database", svc.get("database"), database_names
        )
    yield from unknown(("entry_service",), "service", data.get("entry_service"), service_names)
    replicas = _replicas(data)
    for i, svc in entries(data, "world", "services"):
        reads = svc.get("reads")
        if isinstance(reads, dict):
            database = svc.get("database")
            known = replicas.get(database, []) if isinstance(database, str) else []
            yield from unknown(
                ("world", "services", i, "reads", "replica"), "replica", reads.get("replica"), known
            )
    every_replica = sorted(r for names in replicas.values() for r in names)
    for i, fault in entries(data, "faults"):
        yield from unknown(("faults", i, "service"), "service", fault.get("service"), service_names)
        params = fault.get("params")
        if fault.get("type") == "replica_query" and isinstance(params, dict):
            replica = params.get("replica")
            yield from unknown(
                ("faults", i, "params", "replica"), "replica", replica, every_replica
            )
    for section in ("mitigations", "injects"):
        for i, item in entries(data, section):
            yield from unknown((section, i, "fault"), "fault", item.get("fault"), fault_names)


def _replicas(data: Any) -> dict[str, list[str]]:
    """The replica names of each database, by database name."""
    found: dict[str, list[str]] = {}
    for _, db in entries(data, "world", "databases"):
        reps = db.get("replicas")
        names = (
            [r.get("name") for r in reps if isinstance(r, dict)] if isinstance(reps, list) else []
        )
        if isinstance(db.get("name"), str):
            found[db["name"]] = [n for n in names if isinstance(n, str)]
    return found


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


def check_caches(doc: YamlDoc) -> Iterator[Problem]:
    """A cache names a Redis service and is read by a pooled service; a client policy
    names a service the caller calls."""
    services = dict(entries(doc.data, "world", "services"))
    redis = {s.get("name") for s in services.values() if s.get("redis") is not None}
    for i, svc in services.items():
        name = svc.get("name", f"#{i}")
        cache = svc.get("cache")
        if isinstance(cache, dict):
            server = cache.get("server")
            if isinstance(server, str) and server not in redis:
                known = sorted(str(r) for r in redis)
                hint = f"redis services: {', '.join(known)}" if known else "add 'redis: {}' to one"
                yield doc.problem(
                    ("world", "services", i, "cache", "server"),
                    f"service {name!r} reads through {server!r}, which runs no Redis",
                    hint,
                )
            if svc.get("pool") is None:
                yield doc.problem(
                    ("world", "services", i, "cache"),
                    f"service {name!r} has a cache but no pool: misses need a database",
                    "add 'database' and 'pool'",
                )
        policies = svc.get("resilience")
        listed = svc.get("calls")
        calls: list[Any] = listed if isinstance(listed, list) else []
        if isinstance(policies, dict):
            for callee in policies:
                if callee not in calls:
                    yield doc.problem(
                        ("world", "services", i, "resilience", callee),
                        f"service {name!r} has a client policy for {callee!r}, which it does "
                        "not call",
                        f"calls: {', '.join(map(str, calls)) or 'none'}",
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
    for root in graph:
        if root in state:
            continue
        # Depth-first with an explicit stack (a chain of thousands of services is fine).
        path: list[str] = [root]
        stack = [iter(graph[root])]
        state[root] = 1
        while stack:
            edge = next(stack[-1], None)
            if edge is None:
                state[path.pop()] = 2
                stack.pop()
                continue
            i, j, callee = edge
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
                state[callee] = 1
                path.append(callee)
                stack.append(iter(graph[callee]))


def _past_the_end(doc: YamlDoc, section: str, what: str, hint: str) -> Iterator[Problem]:
    """Items of ``section`` whose ``at`` is at or after the scenario's end."""
    end = scenario_duration(doc.data)
    for i, item in entries(doc.data, section):
        at = seconds(item.get("at"))
        if end is not None and at is not None and at >= end:
            yield doc.problem(
                (section, i, "at"),
                f"{what} at {format_duration(at)}, at or after the scenario's "
                f"end (duration {format_duration(end)})",
                hint,
            )


def check_timeline(doc: YamlDoc) -> Iterator[Problem]:
    """Faults start and timed injects fire before the scenario ends; ``start_time``
    carries a timezone."""
    data = doc.data
    yield from _past_the_end(
        doc, "faults", "fault starts", "start it earlier or make 'duration' longer"
    )
    yield from _past_the_end(
        doc, "injects", "inject fires", "fire it earlier or make 'duration' longer"
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


def check_weights(doc: YamlDoc) -> Iterator[Problem]:
    """``targets.weights`` names scorecard dimensions only, and not all of them zero."""
    from gameday.scoring.targets import DIMENSIONS

    targets = doc.data.get("targets")
    weights = targets.get("weights") if isinstance(targets, dict) else None
    if not isinstance(weights, dict):
        return
    for key in weights:
        if key not in DIMENSIONS:
            yield doc.problem(
                ("targets", "weights", key),
                f"unknown scorecard dimension {key!r}",
                did_you_mean(str(key), DIMENSIONS) or "known: " + ", ".join(DIMENSIONS),
            )
    merged = {k: w for k, (_, w) in DIMENSIONS.items()}
    merged.update({k: v for k, v in weights.items() if k in DIMENSIONS})
    if all(isinstance(v, int | float) and v == 0 for v in merged.values()):
        yield doc.problem(
            ("targets", "weights"), "every dimension weighs 0: nothing could be scored"
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


def check_after_inject(doc: YamlDoc, injects: Sequence[Any]) -> Iterator[Problem]:
    """A solution's ``after_inject`` names one of the scenario's injects."""
    known = [str(i) for i in injects if isinstance(i, str)]
    for i, action in entries(doc.data, "actions"):
        name = action.get("after_inject")
        if isinstance(name, str) and name not in known:
            yield doc.problem(
                ("actions", i, "after_inject"),
                f"no inject {name!r} in the scenario",
                did_you_mean(name, known) or "injects: " + (", ".join(known) or "none"),
            )


def check_scenario(doc: YamlDoc) -> list[Problem]:
    """Every semantic problem of a parsed ``scenario.yaml``."""
    if not isinstance(doc.data, dict):
        return []
    problems: list[Problem] = []
    checks = (
        check_duplicates,
        check_references,
        check_pools,
        check_caches,
        check_cycles,
        check_timeline,
        check_weights,
    )
    for check in checks:
        problems.extend(check(doc))
    return problems
