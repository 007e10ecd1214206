"""``kubectl get`` and ``kubectl top``: tables of pods, deployments, ReplicaSets, Services,
events, nodes and namespaces, and CPU/memory figures, as kubectl prints them."""

from __future__ import annotations

from typing import Any

from gameday.tools import kube_hpa
from gameday.tools import kube_objects as ko
from gameday.tools.effects import Outcome
from gameday.tools.kube_events import events
from gameday.tools.kubectl import NAME_PREFIX, namespace, resource
from gameday.tools.output import kube_age, kube_table
from gameday.tools.parse import ActionError, Flags

SYSTEM_CPU_M = 310  # kubelet, containerd and the kube-system pods on each node
SYSTEM_MEM_MI = 2150


def _targets(words: list[str]) -> list[tuple[str, list[str]]]:
    """``pods``, ``pod NAME``, ``deploy/orders``, ``deploy,svc`` as (kind, names) pairs."""
    if not words:
        raise ActionError(
            'You must specify the type of resource to get. Use "kubectl '
            'api-resources" for a complete list of supported resources.'
        )
    if "/" in words[0]:
        out: dict[str, list[str]] = {}
        for w in words:
            kind, _, name = w.partition("/")
            out.setdefault(resource(kind), []).append(name)
        return list(out.items())
    kinds = (
        ["pods", "services", "deployments", "replicasets"]
        if words[0] == "all"
        else [resource(k) for k in words[0].split(",") if k]
    )
    return [(k, words[1:]) for k in kinds]


def _rows(ctx: Any, kind: str, ns: str | None, flags: Flags) -> tuple[list[str], list[tuple]]:
    """Headers and (name, cells...) rows of one resource kind in ``ns`` (None: all)."""
    now, world = ctx.now, ctx.world
    wide = flags.get("output") == "wide"
    here = ns in (None, world.namespace)
    sel = flags.get("selector")
    cluster = world.cluster
    if kind == "pods":
        heads = ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
        heads += ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"] if wide else []
        rows = []
        for pod in ko.pods(ctx) if here else []:
            labels = ko.pod_labels(ctx, pod)
            if not ko.matches(labels, sel):
                continue
            ready, status = ko.pod_status(ctx, pod)
            row = [pod.name, ready, status, ko.restarts(ctx, pod), kube_age(now - pod.created_at)]
            row += [pod.ip or "<none>", pod.node or "<none>", "<none>", "<none>"] if wide else []
            if flags.has("show-labels"):
                row.append(ko.selector_text(labels))
            rows.append(tuple(row))
        return heads + (["LABELS"] if flags.has("show-labels") else []), rows
    if kind == "deployments":
        heads = ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
        heads += ["CONTAINERS", "IMAGES", "SELECTOR"] if wide else []
        rows = []
        for name, dep in sorted(cluster.deployments.items()) if here else []:
            if not ko.matches(dep.metadata.labels or {}, sel):
                continue
            st = dep.status
            row = [
                name,
                f"{st.ready_replicas or 0}/{dep.spec.replicas or 0}",
                str(st.updated_replicas or 0),
                str(st.available_replicas or 0),
                kube_age(ko.age(ctx, dep)),
            ]
            if wide:
                row += [ko.container_name(dep), ko.image(dep)]
                row.append(ko.selector_text(dep.spec.selector.match_labels))
            rows.append(tuple(row))
        return heads, rows
    if kind == "replicasets":
        heads = ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
        heads += ["CONTAINERS", "IMAGES", "SELECTOR"] if wide else []
        rows = []
        for rs in ko.replicasets(ctx) if here else []:
            if not ko.matches(rs.metadata.labels or {}, sel):
                continue
            row = [
                rs.metadata.name,
                str(rs.spec.replicas or 0),
                str(rs.status.replicas or 0),
                str(rs.status.ready_replicas or 0),
                kube_age(ko.age(ctx, rs)),
            ]
            if wide:
                row += [ko.container_name(rs), ko.image(rs)]
                row.append(ko.selector_text(rs.spec.selector.match_labels))
            rows.append(tuple(row))
        return heads, rows
    if kind == "services":
        heads = ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
        names = [(n, "8080/TCP") for n in cluster.deployments] + [
            (d.name, "5432/TCP") for d in world.databases.values()
        ]
        rows = [
            (
                n,
                "ClusterIP",
                f"10.96.{ko.stable(ctx.seed, n) % 250}.{ko.stable(n, ctx.seed) % 250 + 2}",
                "<none>",
                port,
                kube_age(86400.0 * (60 + ko.stable(ctx.seed, "svc", n) % 300)),
            )
            for n, port in sorted(names)
            if here and ko.matches({"app": n}, sel)
        ]
        return heads, rows
    if kind == "events":
        heads = ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
        return heads, [
            (kube_age(now - e.last), e.type, e.reason, e.obj, e.message)
            for e in (events(ctx) if here else [])
        ]
    if kind == "nodes":
        heads = ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
        if wide:
            heads += ["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION"]
            heads.append("CONTAINER-RUNTIME")
        keys = [k for k in (flags.get("label-columns") or "").split(",") if k]
        heads += [k.rsplit("/", 1)[-1].upper() for k in keys]  # kubectl's -L column titles
        rows = []
        for node in ko.nodes(ctx):
            info = node.obj.status.node_info
            labels = node.obj.metadata.labels or {}
            if not ko.matches(labels, sel):
                continue
            row = [node.name, ko.node_status(node), "<none>", kube_age(ko.age(ctx, node.obj))]
            row.append(info.kubelet_version)
            if wide:
                row += [node.ip, "<none>", info.os_image, info.kernel_version]
                row.append(info.container_runtime_version)
            row += [labels.get(k, "") for k in keys]
            if flags.has("show-labels"):
                row.append(ko.selector_text(labels))
            rows.append(tuple(row))
        return heads + (["LABELS"] if flags.has("show-labels") else []), rows
    if kind == "horizontalpodautoscalers.autoscaling":
        heads = ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"]
        rows = [kube_hpa.row(ctx, h) for _, h in sorted(cluster.hpas.items())] if here else []
        return heads, rows
    if kind not in ("namespaces",):
        return ["NAME", "AGE"], []
    spaces = sorted(
        {"default", "kube-system", "kube-public", "kube-node-lease", "monitoring", world.namespace}
    )
    return ["NAME", "STATUS", "AGE"], [
        (n, "Active", kube_age(86400.0 * (300 + ko.stable(n) % 99))) for n in spaces
    ]


def get(ctx: Any, words: list[str], flags: Flags) -> Outcome:
    """``kubectl get KIND [NAME...]``."""
    targets = _targets(words)
    all_ns = flags.has("all-namespaces")
    ns = None if all_ns else namespace(ctx, flags)
    output = flags.get("output")
    if output not in (None, "wide", "name", "json", "yaml"):
        raise ActionError(
            f"error: unable to match a printer suitable for the output format "
            f'"{output}", allowed formats are: json,name,wide,yaml'
        )
    kind0 = "all" if words[:1] == ["all"] else targets[0][0]
    sections, errors = [], []
    prefix = len(targets) > 1
    for kind, names in targets:
        heads, rows = _rows(ctx, kind, ns, flags)
        if names:
            found = {r[0] for r in rows}
            for n in names:
                if n not in found:
                    what = {"deployments": "deployments.apps", "replicasets": "replicasets.apps"}
                    errors.append(
                        f'Error from server (NotFound): {what.get(kind, kind)} "{n}" not found'
                    )
            rows = [r for r in rows if r[0] in names]
        if not rows:
            continue
        if output == "name":
            sections.append("\n".join(f"{NAME_PREFIX.get(kind, kind)}/{r[0]}" for r in rows))
            continue
        if output in ("json", "yaml"):
            from gameday.tools.kube_manifest import manifest_list

            single = sum(len(n) for _, n in targets) == 1
            sections.append(manifest_list(ctx, kind, [r[0] for r in rows], output, single))
            continue
        if prefix:
            rows = [(f"{NAME_PREFIX.get(kind, kind)}/{r[0]}", *r[1:]) for r in rows]
        if all_ns and kind not in ("nodes", "namespaces"):
            heads, rows = ["NAMESPACE", *heads], [(ctx.world.namespace, *r) for r in rows]
        table = kube_table(heads, rows)
        if flags.has("no-headers"):
            table = "\n".join(table.split("\n")[1:])
        sections.append(table)
    if not sections and not errors:
        where = "" if kind0 in ("nodes", "namespaces") or all_ns else f" in {ns} namespace"
        return Outcome(True, f"No resources found{where}.", f"kubectl.get.{kind0.split('.')[0]}")
    text = "\n\n".join(sections + (["\n".join(errors)] if errors else []))
    return Outcome(not errors, text, f"kubectl.get.{kind0.split('.')[0]}")


def top(ctx: Any, words: list[str], flags: Flags) -> Outcome:
    """``kubectl top pods|nodes``: CPU from the load each pod serves, memory from the world."""
    kind = resource(words[0]) if words else ""
    if kind not in ("pods", "nodes"):
        return Outcome(
            False,
            'error: unknown command "top" resource; use "kubectl top pods" or "kubectl top nodes"',
            "kubectl.top",
        )
    usage = {}
    for pod in ko.pods(ctx):
        if not pod.running:
            continue
        usage[pod.name] = (pod, round(pod.cpu_cores * 1000), round(pod.memory_mib))
    if kind == "pods":
        ns = namespace(ctx, flags)
        rows = [
            (n, f"{c}m", f"{m}Mi")
            for n, (p, c, m) in sorted(usage.items())
            if ns == ctx.world.namespace
            and ko.matches(ko.pod_labels(ctx, p), flags.get("selector"))
            and (not words[1:] or n in words[1:])
        ]
        if not rows:
            return Outcome(True, f"No resources found in {ns} namespace.", "kubectl.top.pods")
        return Outcome(
            True, kube_table(["NAME", "CPU(cores)", "MEMORY(bytes)"], rows), "kubectl.top.pods"
        )
    node_rows = []
    for node in ko.nodes(ctx):
        if not node.ready:
            node_rows.append((node.name, "<unknown>", "<unknown>", "<unknown>", "<unknown>"))
            continue
        cpu = SYSTEM_CPU_M + sum(c for p, c, _ in usage.values() if p.node == node.name)
        mem = SYSTEM_MEM_MI + sum(m for p, _, m in usage.values() if p.node == node.name)
        cpu_pct = cpu * 100 // node.cpu_m
        mem_pct = mem * 2**20 * 100 // node.memory
        node_rows.append((node.name, f"{cpu}m", f"{cpu_pct}%", f"{mem}Mi", f"{mem_pct}%"))
    return Outcome(
        True,
        kube_table(["NAME", "CPU(cores)", "CPU%", "MEMORY(bytes)", "MEMORY%"], node_rows),
        "kubectl.top.nodes",
    )
