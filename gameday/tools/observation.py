"""An observation: what one reading command took from the world, and when one covers another.

A runbook's diagnosis step is there to look at something: the orders pods, the sessions
in ``pg_stat_activity``, the ``stats`` section of a Redis server. Two commands of
different text can look at the same thing; :func:`covers` says whether what one read
includes everything another reads, the same way for every tool:

* the same tool, every aspect (``describe`` shows an object's state and its events,
  ``get`` only its state; ``logs --previous`` is another container's log);
* the same scope (namespace, database server, Redis server); ``None`` is every scope
  (``kubectl -A``);
* every subject (kind, relation, metric name, INFO section, CONFIG pattern), where a
  glob subject (``maxmemory*``, ``*``) covers the subjects it matches;
* the objects: every object of the subjects (``names`` None) with a selector of fewer
  requirements covers a narrower selection or named objects; named objects cover only
  named objects among them (a runbook's ``<pod>`` placeholder stands for any one).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from gameday.goregex import GoRegexError, compile_go, quote_meta
from gameday.runbooks.normalise import ANY

__all__ = ["ANY", "Observation", "covers", "subject_covers"]


@dataclass(frozen=True)
class Observation:
    """What one command read.

    Attributes:
        tool: the reader (``kubectl``, ``psql``, ``redis``, ``promtool``, ``kafka``, ``df``).
        aspects: what of the objects it showed (``state``, ``events``, ``logs``, ``read``...).
        scope: namespace, database server or Redis server; ``None`` for every one;
            ``""`` where the tool has none (cluster-scoped kinds, Prometheus).
        subjects: kinds, relations, metric names, INFO sections, CONFIG patterns.
        names: the objects named (``pods/orders-1``, ``workload/orders``); ``None``
            for every object of the subjects.
        selector: label requirements narrowing ``names`` None (``app=orders``).
    """

    tool: str
    aspects: frozenset[str]
    scope: str | None
    subjects: frozenset[str]
    names: frozenset[str] | None = None
    selector: frozenset[str] = frozenset()


def _glob(pattern: str) -> bool:
    return any(ch in pattern for ch in "*?[")


def subject_covers(seen: str, wanted: str) -> bool:
    """``seen`` is ``wanted`` or a glob matching it (``config:*`` covers ``config:maxmemory*``)."""
    if seen == wanted:
        return True
    kind, _, pattern = seen.rpartition(":")
    other, _, value = wanted.rpartition(":")
    return kind == other and _glob(pattern) and fnmatch.fnmatchcase(value, pattern)


def _name_covers(seen: str, wanted: str) -> bool:
    if ANY not in wanted:
        return seen == wanted
    # RE2: a runbook with many placeholders must not make a backtracking matcher crawl
    regex = "(?s)^" + "[^/]+".join(quote_meta(p) for p in wanted.split(ANY)) + "$"
    try:
        return compile_go(regex).search(seen)
    except GoRegexError:  # an expression too large for RE2's memory budget
        return False


def covers(seen: Observation, wanted: Observation) -> bool:
    """True if ``seen`` read everything ``wanted`` reads (see the module's rules)."""
    if seen.tool != wanted.tool or not wanted.aspects <= seen.aspects:
        return False
    if seen.scope is not None and seen.scope != wanted.scope:
        return False
    if not all(any(subject_covers(s, w) for s in seen.subjects) for w in wanted.subjects):
        return False
    if seen.names is None:
        return seen.selector <= wanted.selector
    if wanted.names is None:
        return False
    return all(any(_name_covers(s, w) for s in seen.names) for w in wanted.names)
