"""Load and validate ``alertmanager.yml`` as Alertmanager 0.25 (``amtool check-config``) does.

Every rule ``config.Load`` enforces is checked, but instead of stopping at the first
error all problems are collected, each located at ``file:line:col`` with its dotted key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gameday.alerting import schema
from gameday.alerting.checks import Checker
from gameday.alerting.matchers import LABEL_NAME_RE, Matcher, sort_matchers
from gameday.alerting.receivers import Receiver, build_receiver, check_http, global_defaults
from gameday.alerting.routing import Route
from gameday.alerting.rules import InhibitRule, build_inhibit_rule, legacy_matchers, parse_lines
from gameday.alerting.timeintervals import TimeInterval, parse_interval
from gameday.errors import InputError, Problem
from gameday.files import read_text
from gameday.yamldoc import load_yaml, parse_yaml

__all__ = [
    "AlertmanagerConfig",
    "check_alertmanager_config",
    "load_alertmanager_config",
    "parse_alertmanager_config",
]


@dataclass
class AlertmanagerConfig:
    """A valid Alertmanager configuration, ready for routing and dispatching."""

    path: str
    route: Route
    receivers: dict[str, Receiver]
    inhibit_rules: list[InhibitRule] = field(default_factory=list)
    time_intervals: dict[str, list[TimeInterval]] = field(default_factory=dict)
    templates: list[str] = field(default_factory=list)
    global_: dict[str, Any] = field(default_factory=dict)

    @property
    def resolve_timeout(self) -> float:
        """``global.resolve_timeout`` in seconds (default 5m)."""
        return float(self.global_.get("resolve_timeout") or 300.0)


class _Builder(Checker):
    def route(self, d: dict[str, Any], parent: Route | None, loc: tuple[Any, ...]) -> Route:
        matchers: list[Matcher] = []
        matchers += legacy_matchers(d.get("match", {}), "=", (*loc, "match"), self.fail)
        matchers += legacy_matchers(d.get("match_re", {}), "=~", (*loc, "match_re"), self.fail)
        matchers += parse_lines(d.get("matchers", []), (*loc, "matchers"), self.fail)
        group_by, group_all, seen = parent.group_by if parent else frozenset(), False, set()
        if parent:
            group_all = parent.group_by_all
        names = d.get("group_by")
        if names is not None and names:
            group_all = "..." in names
            for i, name in enumerate(names):
                if name == "...":
                    continue
                if not LABEL_NAME_RE.match(name):
                    self.fail(
                        (*loc, "group_by", i), f'invalid label name "{name}" in group_by list'
                    )
                elif name in seen:
                    self.fail((*loc, "group_by", i), f'duplicated label "{name}" in group_by')
                seen.add(name)
            if group_all and seen:
                self.fail(
                    (*loc, "group_by"),
                    "cannot have wildcard group_by (`...`) and other other labels at the same time",
                )
            group_by = frozenset(seen)
        for key in ("group_interval", "repeat_interval"):
            if d.get(key) == 0.0:
                self.fail((*loc, key), f"{key} cannot be zero")
        base = parent or Route(receiver="")
        line, _ = self.doc.where(loc)
        node = Route(
            receiver=d.get("receiver") or base.receiver,
            matchers=sort_matchers(matchers),
            group_by=group_by,
            group_by_all=group_all,
            group_wait=_pick(d.get("group_wait"), base.group_wait),
            group_interval=_pick(d.get("group_interval"), base.group_interval),
            repeat_interval=_pick(d.get("repeat_interval"), base.repeat_interval),
            continue_=bool(d.get("continue")),
            mute_time_intervals=list(d.get("mute_time_intervals", [])),
            active_time_intervals=list(d.get("active_time_intervals", [])),
            parent=parent,
            line=line,
        )
        node.routes = [
            self.route(child, node, (*loc, "routes", i))
            for i, child in enumerate(d.get("routes", []))
        ]
        return node

    def refs(
        self, d: dict[str, Any], loc: tuple[Any, ...], receivers: set[str], times: set[str]
    ) -> None:
        for i, child in enumerate(d.get("routes", [])):
            self.refs(child, (*loc, "routes", i), receivers, times)
        rcv = d.get("receiver")
        if rcv and rcv not in receivers:
            from gameday.errors import did_you_mean

            self.fail(
                (*loc, "receiver"),
                f'undefined receiver "{rcv}" used in route',
                did_you_mean(rcv, receivers),
            )
        for key in ("active_time_intervals", "mute_time_intervals"):
            for i, name in enumerate(d.get(key, [])):
                if name not in times:
                    self.fail((*loc, key, i), f'undefined time interval "{name}" used in route')

    def build(self) -> AlertmanagerConfig | None:
        data = self.struct(self.doc.data, schema.CONFIG, ())
        if not isinstance(self.doc.data, dict) and self.doc.data is not None:
            return None
        g = global_defaults(data.get("global", {}))
        for a in ("slack_api_url", "opsgenie_api_key", "victorops_api_key", "smtp_auth_password"):
            b = a + "_file"
            if g.get(a) and g.get(b):
                self.fail(("global",), f"at most one of {a} & {b} must be configured")
        check_http(g.get("http_config"), ("global", "http_config"), self.fail)
        receivers: dict[str, Receiver] = {}
        for i, rd in enumerate(data.get("receivers", [])):
            rcv = build_receiver(rd, g, ("receivers", i), self.fail)
            if rcv.name in receivers:
                self.fail(
                    ("receivers", i, "name"), f'notification config name "{rcv.name}" is not unique'
                )
            receivers[rcv.name] = rcv
        intervals = self.intervals(data)
        rules = [
            build_inhibit_rule(rd, ("inhibit_rules", i), self.fail)
            for i, rd in enumerate(data.get("inhibit_rules", []))
        ]
        rd = data.get("route")
        if rd is None or "route" not in (self.doc.data or {}):
            self.fail((), "no routes provided")
            return None
        if not rd.get("receiver"):
            self.fail(("route",), "root route must specify a default receiver")
        if rd.get("match") or rd.get("match_re") or rd.get("matchers"):
            self.fail(("route",), "root route must not have any matchers")
        for key, what in (("mute_time_intervals", "mute"), ("active_time_intervals", "active")):
            if rd.get(key):
                self.fail(("route", key), f"root route must not have any {what} time intervals")
        if rd.get("continue"):
            self.fail(("route", "continue"), "cannot have continue in root route")
        self.refs(rd, ("route",), set(receivers), set(intervals))
        root = self.route(rd, None, ("route",))
        templates = [
            t if not t or Path(t).is_absolute() else str(Path(self.doc.path).parent / t)
            for t in data.get("templates", [])
        ]
        return AlertmanagerConfig(self.doc.path, root, receivers, rules, intervals, templates, g)

    def intervals(self, data: dict[str, Any]) -> dict[str, list[TimeInterval]]:
        out: dict[str, list[TimeInterval]] = {}
        for section in ("mute_time_intervals", "time_intervals"):
            label = "mute time interval" if section == "mute_time_intervals" else "time interval"
            for i, nd in enumerate(data.get(section, [])):
                loc = (section, i)
                name = nd.get("name", "")
                if not name:
                    self.fail(loc, f"missing name in {label}")
                elif name in out:
                    self.fail((*loc, "name"), f'{label} "{name}" is not unique')
                entries = []
                for j, td in enumerate(nd.get("time_intervals", [])):
                    ti, errors = parse_interval(td)
                    for sub, msg in errors:
                        self.fail((*loc, "time_intervals", j, *sub), msg)
                    entries.append(ti)
                out[name] = entries
        return out


def _pick(value: float | None, inherited: float) -> float:
    return inherited if value is None else value


def _build(
    path: str | Path, text: str | None = None
) -> tuple[AlertmanagerConfig | None, list[Problem]]:
    try:
        doc = load_yaml(path) if text is None else parse_yaml(text, str(path))
        if text is None:
            text = read_text(path)
    except InputError as exc:
        return None, exc.problems
    builder = _Builder(doc, text)
    if doc.data is not None and not isinstance(doc.data, dict):
        builder.fail((), "expected a mapping at the top of the file")
        return None, builder.problems
    cfg = builder.build()
    return cfg, sorted(set(builder.problems), key=lambda p: (p.line or 0, p.col or 0, p.message))


def parse_alertmanager_config(text: str, path: str = "<alertmanager.yml>") -> AlertmanagerConfig:
    """Parse configuration text.

    Raises:
        InputError: with every problem found, located.
    """
    cfg, problems = _build(path, text)
    if problems or cfg is None:
        raise InputError(problems or [Problem(path, message="empty configuration")])
    return cfg


def load_alertmanager_config(path: str | Path) -> AlertmanagerConfig:
    """Read and validate an ``alertmanager.yml``.

    Raises:
        InputError: with every problem found, located.
    """
    cfg, problems = _build(path)
    if problems or cfg is None:
        raise InputError(problems or [Problem(str(path), message="empty configuration")])
    return cfg


def check_alertmanager_config(path: str | Path) -> list[Problem]:
    """Every problem ``amtool check-config`` would object to (empty when valid)."""
    cfg, problems = _build(path)
    if not problems and cfg is None:
        return [Problem(str(path), message="no routes provided")]
    return problems
