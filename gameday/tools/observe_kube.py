"""What a ``kubectl`` read observed: the verb's aspect, the kinds, the namespace, the objects.

Parsed with the simulated kubectl's own flag table, so an observation is taken of the
command exactly as :func:`~gameday.tools.kubectl.run_kubectl` would run it. Kinds are
folded through kubectl's aliases (``po``, ``pod``, ``pods``); ``all`` is kubectl's
``all`` category. ``logs`` and ``exec`` read one pod of a workload, whichever way it is
named (``deploy/orders``, ``-l app=orders``, ``orders-7d4b9c6f5d-x2k9p``), so their
objects are the workload.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from gameday.tools.kubectl import BOOLS, RESOURCE_OF, SHORT, VALUES
from gameday.tools.observation import Observation
from gameday.tools.parse import ActionError, Flags, parse_flags
from gameday.world.cluster.objects import ALPHANUMS

#: kubectl's ``all`` category (the resources whose discovery lists ``categories: [all]``)
ALL_CATEGORY = frozenset(
    {
        "pods",
        "replicationcontrollers",
        "services",
        "daemonsets.apps",
        "deployments",
        "replicasets",
        "statefulsets.apps",
        "horizontalpodautoscalers.autoscaling",
        "cronjobs.batch",
        "jobs.batch",
    }
)
CLUSTER_SCOPED = frozenset({"nodes", "namespaces"})
#: what each reading verb shows of the objects it names
ASPECTS = {
    "get": frozenset({"state"}),
    "describe": frozenset({"state", "events"}),
    "top": frozenset({"usage"}),
}
# A Deployment's pod: NAME-<pod-template-hash>-<5 characters>, both from the same alphabet.
_POD_OF = re.compile(rf"^(?P<w>[a-z0-9][a-z0-9-]*?)-[{ALPHANUMS}]{{1,10}}-[{ALPHANUMS}]{{5}}$")
_APP = re.compile(r"^app={1,2}(?P<w>[a-z0-9][a-z0-9.-]*)$")

InnerObserver = Callable[[list[str], str, str], Observation | None]


def selector_terms(selector: str | None) -> frozenset[str]:
    """``-l`` as a set of requirements (``app==x`` is ``app=x``); more terms select less."""
    if not selector:
        return frozenset()
    return frozenset(
        re.sub(r"\s+", "", t).replace("==", "=") for t in selector.split(",") if t.strip()
    )


def _kind(word: str) -> str | None:
    return RESOURCE_OF.get(word.lower())


def _scope(flags: Flags, kinds: frozenset[str]) -> str | None:
    if kinds and kinds <= CLUSTER_SCOPED:
        return ""
    if flags.has("all-namespaces"):
        return None
    return flags.get("namespace") or "default"


def _listing(verb: str, words: list[str], flags: Flags) -> Observation | None:
    """``get|describe|top KIND[,KIND] [NAME...]``, ``KIND/NAME ...`` or ``all``."""
    if not words:
        return None
    kinds: set[str] = set()
    names: set[str] | None = None
    if "/" in words[0]:
        names = set()
        for word in words:
            kind, _, name = word.partition("/")
            full = _kind(kind)
            if full is None or not name:
                return None
            kinds.add(full)
            names.add(f"{full}/{name}")
    else:
        for part in words[0].split(","):
            full = "all" if part.lower() == "all" else _kind(part)
            if full is None:
                return None
            kinds |= ALL_CATEGORY if full == "all" else {full}
        if words[1:]:
            if len(kinds) != 1:
                return None  # kubectl: names need exactly one kind
            only = next(iter(kinds))
            names = {f"{only}/{n}" for n in words[1:]}
    return Observation(
        "kubectl",
        ASPECTS[verb],
        _scope(flags, frozenset(kinds)),
        frozenset(kinds),
        frozenset(names) if names is not None else None,
        frozenset() if names is not None else selector_terms(flags.get("selector")),
    )


def workload(target: str) -> str:
    """The workload a pod reference reads: ``deploy/x`` and a pod ``x-<hash>-<id>`` are
    ``workload/x``; another pod name stays ``pods/NAME``."""
    kind, slash, name = target.partition("/")
    if slash and _kind(kind) in ("deployments", "replicasets", "statefulsets.apps"):
        if _kind(kind) == "replicasets":
            name = name.rsplit("-", 1)[0]
        return f"workload/{name}"
    name = name if slash else target
    m = _POD_OF.match(name)
    return f"workload/{m['w']}" if m else f"pods/{name}"


def _pod_objects(words: list[str], flags: Flags) -> tuple[frozenset[str] | None, frozenset[str]]:
    """Objects and selector of a command that reads one pod (``logs``, ``exec``)."""
    terms = selector_terms(flags.get("selector"))
    if terms and not words:
        m = _APP.match(next(iter(terms))) if len(terms) == 1 else None
        return (frozenset({f"workload/{m['w']}"}), frozenset()) if m else (None, terms)
    return frozenset({workload(words[0])}), frozenset()


def observe_kubectl(args: list[str], inner: InnerObserver) -> Observation | None:
    """What ``kubectl ARGS`` reads, or None for a change or a command it cannot run.

    ``inner(argv, namespace, workload)`` observes the command of ``kubectl exec``.
    """
    try:
        flags = parse_flags(args, SHORT, VALUES, BOOLS)
    except ActionError:
        return None
    if not flags.words:
        return None
    verb, words = flags.words[0], flags.words[1:]
    if verb in ASPECTS:
        return _listing(verb, words, flags)
    ns = _scope(flags, frozenset())
    if verb == "logs":
        names, terms = _pod_objects(words, flags)
        if names is None and not terms and not words:
            return None
        aspect = "previous-logs" if flags.has("previous") else "logs"
        return Observation("kubectl", frozenset({aspect}), ns, frozenset({"pods"}), names, terms)
    if verb == "rollout" and words[:1] in (["history"], ["status"]) and len(words) > 1:
        target = words[1] if "/" in words[1] else "/".join(words[1:3])
        kind, _, name = target.partition("/")
        if _kind(kind) != "deployments" or not name:
            return None
        return Observation(
            "kubectl",
            frozenset({"history" if words[0] == "history" else "rollout-status"}),
            ns,
            frozenset({"deployments"}),
            frozenset({f"deployments/{name}"}),
        )
    if verb == "exec" and words:
        argv = flags.rest or words[1:]
        return inner(argv, ns or "default", workload(words[0])) if argv else None
    return None
