"""Matcher lists from configuration, and inhibition rules.

Legacy ``match``/``match_re`` maps and the newer ``matchers`` lists all become
:class:`~gameday.alerting.matchers.Matcher` lists. A ``match_re`` value keeps
Alertmanager's quirk: the matcher's value is the anchored source ``^(?:<re>)$``, which
is what ``amtool config routes show`` prints and what route keys are made of.

An :class:`InhibitRule` mutes a target alert while a firing source alert has the same
values for every ``equal`` label; an alert matching both sides cannot inhibit itself
(``inhibit/inhibit.go``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from gameday.alerting.matchers import (
    LABEL_NAME_RE,
    Matcher,
    MatcherError,
    matches_all,
    parse_matchers,
)
from gameday.goregex import GoRegexError, compile_anchored

Fail = Callable[[tuple[Any, ...], str], None]


def legacy_matchers(
    mapping: Mapping[str, str], op: str, loc: tuple[Any, ...], fail: Fail
) -> list[Matcher]:
    """Matchers from a ``match`` (``op="="``) or ``match_re`` (``op="=~"``) map."""
    out = []
    for name, value in mapping.items():
        if not LABEL_NAME_RE.match(name):
            fail((*loc, name), f'invalid label name "{name}"')
            continue
        if op == "=~":
            try:
                compile_anchored(value)
            except GoRegexError as exc:
                fail((*loc, name), str(exc))
                continue
            value = f"^(?:{value})$"
        try:
            out.append(Matcher.make(name, op, value))
        except MatcherError as exc:
            fail((*loc, name), str(exc))
    return out


def parse_lines(lines: Iterable[str], loc: tuple[Any, ...], fail: Fail) -> list[Matcher]:
    """Matchers from a ``matchers:`` list; each line may hold several matchers."""
    out: list[Matcher] = []
    for i, line in enumerate(lines):
        try:
            out.extend(parse_matchers(line))
        except MatcherError as exc:
            fail((*loc, i), str(exc))
    return out


@dataclass(frozen=True)
class InhibitRule:
    """One ``inhibit_rules`` entry."""

    source_matchers: tuple[Matcher, ...]
    target_matchers: tuple[Matcher, ...]
    equal: tuple[str, ...]

    def inhibits(self, target: Mapping[str, str], sources: Iterable[Mapping[str, str]]) -> bool:
        """Whether an alert with labels ``target`` is muted by one of the firing ``sources``.

        ``sources`` are the label sets of firing alerts that match this rule's source side.
        """
        if not matches_all(self.target_matchers, target):
            return False
        two_sided = matches_all(self.source_matchers, target)
        for src in sources:
            if any(src.get(n, "") != target.get(n, "") for n in self.equal):
                continue
            if two_sided and matches_all(self.target_matchers, src):
                continue
            return True
        return False

    def is_source(self, labels: Mapping[str, str]) -> bool:
        """Whether ``labels`` match the source side."""
        return matches_all(self.source_matchers, labels)


def build_inhibit_rule(d: dict[str, Any], loc: tuple[Any, ...], fail: Fail) -> InhibitRule:
    """Check one rule's data and build it."""
    sides = []
    for side in ("source", "target"):
        ms = legacy_matchers(d.get(f"{side}_match", {}), "=", (*loc, f"{side}_match"), fail)
        ms += legacy_matchers(d.get(f"{side}_match_re", {}), "=~", (*loc, f"{side}_match_re"), fail)
        ms += parse_lines(d.get(f"{side}_matchers", []), (*loc, f"{side}_matchers"), fail)
        sides.append(tuple(ms))
    equal = []
    for i, name in enumerate(d.get("equal", [])):
        if name is None:  # Go's zero LabelName, never validated
            name = ""
        elif not LABEL_NAME_RE.match(name):
            fail((*loc, "equal", i), f'"{name}" is not a valid label name')
        equal.append(name)
    return InhibitRule(sides[0], sides[1], tuple(equal))


class Inhibitor:
    """Keeps, per rule, the latest version of every alert matching its source side."""

    def __init__(self, rules: Iterable[InhibitRule]) -> None:
        self.rules = list(rules)
        self._sources: list[dict[tuple[tuple[str, str], ...], Any]] = [{} for _ in self.rules]

    def observe(self, alert: Any) -> None:
        """Record an alert (anything with ``labels`` and ``resolved_at``) as posted."""
        key = tuple(sorted(alert.labels.items()))
        for rule, cache in zip(self.rules, self._sources, strict=True):
            if rule.is_source(alert.labels):
                cache[key] = alert

    def mutes(self, labels: Mapping[str, str], t: float) -> bool:
        """Whether some rule inhibits ``labels`` at sim time ``t``."""
        for rule, cache in zip(self.rules, self._sources, strict=True):
            firing = [a.labels for a in cache.values() if not a.resolved_at(t)]
            if rule.inhibits(labels, firing):
                return True
        return False
