"""The routing tree: which routes an alert's labels reach, as Alertmanager decides.

:meth:`Route.match` is ``dispatch/route.go``'s ``Match``: depth first; a child that
matches stops the search among its siblings unless it has ``continue: true``; a route
none of whose children match is itself the answer. Every setting a route does not set is
inherited from its parent, and the root inherits Alertmanager's defaults (group_wait 30s,
group_interval 5m, repeat_interval 4h, no grouping).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from gameday.alerting.matchers import Matcher, format_matchers, matches_all

DEFAULT_GROUP_WAIT = 30.0
DEFAULT_GROUP_INTERVAL = 300.0
DEFAULT_REPEAT_INTERVAL = 4 * 3600.0


@dataclass(eq=False)
class Route:
    """One node of the routing tree with its settings already inherited."""

    receiver: str
    matchers: list[Matcher] = field(default_factory=list)
    group_by: frozenset[str] = frozenset()
    group_by_all: bool = False
    group_wait: float = DEFAULT_GROUP_WAIT
    group_interval: float = DEFAULT_GROUP_INTERVAL
    repeat_interval: float = DEFAULT_REPEAT_INTERVAL
    continue_: bool = False
    mute_time_intervals: list[str] = field(default_factory=list)
    active_time_intervals: list[str] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    parent: Route | None = field(default=None, repr=False)
    line: int | None = None

    def match(self, labels: Mapping[str, str]) -> list[Route]:
        """The routes an alert with ``labels`` is handled by, in tree order."""
        if not matches_all(self.matchers, labels):
            return []
        return self._below(labels)

    def _below(self, labels: Mapping[str, str]) -> list[Route]:
        """The answer for ``labels`` once this route's own matchers accept them.

        The children's matchers are tried here, in one loop, so a leaf costs no call.
        """
        found: list[Route] = []
        get = labels.get
        for child in self.routes:
            for m in child.matchers:
                if (not m.test(get(m.name, ""))) is not m.negate:
                    break
            else:
                if child.routes:
                    found.extend(child._below(labels))
                else:
                    found.append(child)
                if not child.continue_:
                    break
        return found or [self]

    def receivers(self, labels: Mapping[str, str]) -> list[str]:
        """Receiver names for ``labels``, one per matching route (as amtool prints)."""
        return [r.receiver for r in self.match(labels)]

    def key(self) -> str:
        """Alertmanager's route key: parent keys and matcher lists joined by ``/``."""
        parts: list[str] = []
        node: Route | None = self
        while node is not None:
            parts.append(format_matchers(node.matchers))
            node = node.parent
        return "/".join(reversed(parts))

    def walk(self) -> Iterator[Route]:
        """This route and all below it, depth first (an explicit stack, not recursion)."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.routes))

    def group_labels(self, labels: Mapping[str, str]) -> dict[str, str]:
        """The labels of an alert that decide its aggregation group on this route."""
        return {k: v for k, v in labels.items() if self.group_by_all or k in self.group_by}

    def slug(self, show_continue: bool = True, show_receiver: bool = True) -> str:
        """One node as ``amtool config routes`` prints it."""
        text = format_matchers(self.matchers) if self.matchers else "default-route"
        if self.continue_ and show_continue:
            text += "  continue: true"
        if show_receiver:
            text += "  receiver: " + self.receiver
        return text

    def tree(self) -> str:
        """The whole tree as ``amtool config routes show`` draws it."""
        return "Routing tree:\n" + _draw(self) + "\n"

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description of this route and its children."""
        return {
            "receiver": self.receiver,
            "matchers": [str(m) for m in self.matchers],
            "group_by": ["..."] if self.group_by_all else sorted(self.group_by),
            "group_wait": self.group_wait,
            "group_interval": self.group_interval,
            "repeat_interval": self.repeat_interval,
            "continue": self.continue_,
            "mute_time_intervals": list(self.mute_time_intervals),
            "active_time_intervals": list(self.active_time_intervals),
            "routes": [r.to_dict() for r in self.routes],
        }


def matching_tree(root: Route, labels: Mapping[str, str]) -> str:
    """The routes ``labels`` walk through, as ``amtool config routes test --tree`` draws."""
    return "Matching routes:\n" + _draw(root, _matching_children(labels), labels) + "\n\n"


def _matching_children(labels: Mapping[str, str]) -> Callable[[Route], list[Route]]:
    def children(node: Route) -> list[Route]:
        out = []
        for child in node.routes:
            if matches_all(child.matchers, labels):
                out.append(child)
                if not child.continue_:
                    break
        return out

    return children


def _draw(
    root: Route,
    children: Callable[[Route], list[Route]] | None = None,
    labels: Mapping[str, str] | None = None,
) -> str:
    """Draw like github.com/xlab/treeprint: ``.`` then ``└──``/``├──`` branches."""
    lines = ["."]
    pipe = "\u2502\u00a0\u00a0 "

    def rec(node: Route, prefix: str, last: bool) -> None:
        kids = node.routes if children is None else children(node)
        if labels is None:
            slug = node.slug()
        else:
            slug = node.slug(show_continue=False, show_receiver=not kids)
        lines.append(prefix + ("\u2514\u2500\u2500 " if last else "\u251c\u2500\u2500 ") + slug)
        deeper = prefix + ("    " if last else pipe)
        for i, child in enumerate(kids):
            rec(child, deeper, i == len(kids) - 1)

    rec(root, "", True)
    return "\n".join(lines)
