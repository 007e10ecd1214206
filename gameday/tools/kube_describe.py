"""``kubectl describe pod|deployment|replicaset|hpa|node`` and the ``-o json|yaml`` manifests.

Descriptions follow kubectl's layout: the object's fields, its containers with their
state and last state (``OOMKilled``, ``CrashLoopBackOff``), conditions, and the Events
section from :func:`~gameday.tools.kube_objects.events`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from kubernetes.client import models as k

from gameday.tools import kube_objects as ko
from gameday.tools.effects import Outcome
from gameday.tools.kube_events import events
from gameday.tools.kubectl import namespace, resource
from gameday.tools.output import kube_age, kube_table
from gameday.tools.parse import ActionError, Flags
from gameday.world.cluster import SimNode, SimPod
from gameday.world.cluster import objects as o

T = TypeVar("T")


def describe_time(ctx: Any, t: float) -> str:
    """A time as ``kubectl describe`` prints it (RFC 1123 with a numeric zone)."""
    return ctx.wall_time(t).strftime("%a, %d %b %Y %H:%M:%S +0000")


def events_section(ctx: Any, obj: str, pad: int) -> str:
    """The Events section of ``obj`` (``Events:`` padded to ``pad`` when there are none)."""
    evs = events(ctx, only=obj)
    if not evs:
        return "Events:".ljust(pad) + "<none>"
    rows = []
    for e in evs:
        age = kube_age(ctx.now - e.last)
        if e.count > 1:
            age += f" (x{e.count} over {kube_age(ctx.now - e.first)})"
        rows.append((e.type, e.reason, age, e.source, e.message))
    table = kube_table(
        ["Type", "Reason", "Age", "From", "Message"],
        [("----", "------", "----", "----", "-------"), *rows],
        gap=2,
    )
    return "Events:\n" + "\n".join("  " + line for line in table.split("\n"))


def _tabbed(lines: list[str]) -> list[str]:
    """``kubectl describe``'s tabwriter (padding 2) over lines of ``label:\tvalue``: each
    run of consecutive lines with a tab puts its values two spaces past its longest
    label; a line without a tab ends the run."""
    out: list[str] = []
    run: list[tuple[str, str]] = []

    def flush() -> None:
        width = max((len(head) for head, _ in run), default=0) + 2
        out.extend(f"{head.ljust(width)}{value}" for head, value in run)
        run.clear()

    for line in lines:
        if "\t" in line:
            head, value = line.split("\t", 1)
            run.append((head, value))
        else:
            flush()
            out.append(line)
    flush()
    return out


def _container_tail(app: k.V1Container, template: bool) -> list[str]:
    """A container's resources, probes and environment (and, in a pod template, its
    mounts and the volumes), aligned as kubectl aligns them: ``Limits:`` and
    ``Requests:`` end a run, so the limits align among themselves and the requests
    with the probes and environment below them."""
    lines: list[str] = []
    res = app.resources
    for title, values in (("Limits", res.limits), ("Requests", res.requests)):
        if values:
            lines.append(f"    {title}:")
            lines += [f"      {key}:\t{v}" for key, v in values.items()]
    lines += [_probe("Liveness", app.liveness_probe), _probe("Readiness", app.readiness_probe)]
    env = app.env or []
    if env:
        lines += ["    Environment:"] + [f"      {e.name}:\t{e.value}" for e in env]
    else:
        lines.append("    Environment:\t<none>")
    if template:
        lines += ["    Mounts:\t<none>", "  Volumes:\t<none>"]
    return _tabbed([line for line in lines if line])


def _probe(kind: str, p: k.V1Probe | None) -> str:
    if p is None or p.http_get is None:
        return ""
    return (
        f"    {kind}:\t"
        + f"http-get http://:{p.http_get.port}{p.http_get.path} delay={p.initial_delay_seconds}s "
        f"timeout={p.timeout_seconds}s period={p.period_seconds}s "
        f"#success={p.success_threshold} #failure={p.failure_threshold}"
    )


def describe_pod(ctx: Any, pod: SimPod) -> str:
    """``kubectl describe pod``: fields, container state, conditions, events."""
    cluster = ctx.world.cluster
    node = cluster.nodes.get(pod.node or "")
    obj = pod.refresh(cluster.clock, node.ip if node else "")
    app = obj.spec.containers[0]
    ready, status = ko.pod_status(ctx, pod)
    labels = ko.pod_labels(ctx, pod)
    digest = hashlib.sha256(f"{ctx.seed}:{pod.name}:{pod.restarts}".encode()).hexdigest()
    ann = obj.metadata.annotations or {}
    lines = [
        f"Name:             {pod.name}",
        f"Namespace:        {ctx.world.namespace}",
        "Priority:         0",
        "Service Account:  default",
        f"Node:             {f'{node.name}/{node.ip}' if node else '<none>'}",
    ]
    if pod.scheduled_at is not None:
        lines.append(f"Start Time:       {describe_time(ctx, pod.scheduled_at)}")
    lines += [
        "Labels:           " + "\n                  ".join(f"{a}={b}" for a, b in labels.items()),
        "Annotations:      "
        + ("\n                  ".join(f"{a}: {b}" for a, b in ann.items()) or "<none>"),
        f"Status:           {'Terminating' if pod.terminating else obj.status.phase}",
    ]
    if pod.terminating and pod.deleted_at is not None:
        lines.append("Termination Grace Period:  30s")
    lines += [
        f"IP:               {pod.ip}",
        "IPs:" + ("" if pod.ip else "              <none>"),
    ]
    if pod.ip:
        lines.append(f"  IP:           {pod.ip}")
    lines += [
        f"Controlled By:  ReplicaSet/{pod.rs}",
        "Containers:",
        f"  {app.name}:",
    ]
    if pod.started_at is not None or pod.last_started_at is not None:
        lines.append(f"    Container ID:   containerd://{digest}")
    lines += [
        f"    Image:          {pod.image}",
        "    Port:           8080/TCP",
        "    Host Port:      0/TCP",
    ]
    if pod.running and pod.started_at is not None:
        lines += [
            "    State:          Running",
            f"      Started:      {describe_time(ctx, pod.started_at)}",
        ]
    else:
        lines += ["    State:          Waiting", f"      Reason:       {pod.waiting}"]
    if pod.last_termination and pod.last_termination_at is not None:
        code = 137 if pod.last_termination == "OOMKilled" else 1
        lines += [
            "    Last State:     Terminated",
            f"      Reason:       {pod.last_termination}",
            f"      Exit Code:    {code}",
            f"      Started:      {describe_time(ctx, pod.last_started_at or pod.created_at)}",
            f"      Finished:     {describe_time(ctx, pod.last_termination_at)}",
        ]
    lines += [
        f"    Ready:          {'True' if pod.ready else 'False'}",
        f"    Restart Count:  {pod.restarts}",
        *_container_tail(app, template=False),
        "Conditions:",
        "  Type              Status",
    ]
    for cond in obj.status.conditions or []:
        lines.append(f"  {cond.type.ljust(18)}{cond.status} ")
    lines += [
        "QoS Class:                   Burstable",
        "Node-Selectors:              <none>",
        "Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s",
        "                             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s",
        events_section(ctx, f"pod/{pod.name}", 29),
    ]
    return "\n".join(line for line in lines if line)


def describe_deployment(ctx: Any, dep: k.V1Deployment) -> str:
    """``kubectl describe deployment``: replicas, strategy, template, ReplicaSets, events."""
    cluster = ctx.world.cluster
    name = dep.metadata.name
    st = dep.status
    new = cluster.new_replicaset(name)
    old = [
        rs for rs in cluster.replicasets_of(name) if rs is not new and (rs.spec.replicas or 0) > 0
    ]
    ru = dep.spec.strategy.rolling_update
    app = o.container(dep.spec.template)
    ann = dep.metadata.annotations or {}
    tmpl_ann = dep.spec.template.metadata.annotations or {}
    desired = dep.spec.replicas or 0
    lines = [
        f"Name:                   {name}",
        f"Namespace:              {dep.metadata.namespace}",
        f"CreationTimestamp:      {describe_time(ctx, ctx.now - ko.age(ctx, dep))}",
        f"Labels:                 {ko.selector_text(dep.metadata.labels)}",
        "Annotations:            "
        + "\n                        ".join(f"{a}: {b}" for a, b in sorted(ann.items())),
        f"Selector:               {ko.selector_text(dep.spec.selector.match_labels)}",
        f"Replicas:               {desired} desired | {st.updated_replicas or 0} updated | "
        f"{st.replicas or 0} total | {st.available_replicas or 0} available | "
        f"{st.unavailable_replicas or 0} unavailable",
        "StrategyType:           RollingUpdate",
        f"MinReadySeconds:        {dep.spec.min_ready_seconds or 0}",
        f"RollingUpdateStrategy:  {ru.max_unavailable} max unavailable, {ru.max_surge} max surge",
        "Pod Template:",
        f"  Labels:  {ko.selector_text(dep.spec.template.metadata.labels)}",
    ]
    if tmpl_ann:
        lines.append(
            "  Annotations:  " + "\n                ".join(f"{a}: {b}" for a, b in tmpl_ann.items())
        )
    lines += [
        "  Containers:",
        f"   {app.name}:",
        f"    Image:      {app.image}",
        "    Port:       8080/TCP",
        "    Host Port:  0/TCP",
        *_container_tail(app, template=True),
        "Conditions:",
        "  Type           Status  Reason",
        "  ----           ------  ------",
    ]
    for cond in st.conditions or []:
        lines.append(f"  {cond.type.ljust(15)}{cond.status.ljust(8)}{cond.reason}")

    def created(rs: k.V1ReplicaSet) -> str:
        made = f"{rs.status.replicas or 0}/{rs.spec.replicas or 0}"
        return f"{rs.metadata.name} ({made} replicas created)"

    lines += [
        "OldReplicaSets:  " + (", ".join(created(rs) for rs in old) or "<none>"),
        "NewReplicaSet:   " + (created(new) if new is not None else "<none>"),
        events_section(ctx, f"deployment/{name}", 17),
    ]
    return "\n".join(line for line in lines if line)


def describe_replicaset(ctx: Any, rs: k.V1ReplicaSet) -> str:
    """``kubectl describe rs``: replicas, pods status, template, events."""
    pods = ctx.world.cluster.pods_of_rs(rs.metadata.name)
    running = sum(1 for p in pods if p.running and not p.terminating)
    waiting = sum(1 for p in pods if not p.running and not p.terminating)
    app = o.container(rs.spec.template)
    ann = rs.metadata.annotations or {}
    lines = [
        f"Name:           {rs.metadata.name}",
        f"Namespace:      {rs.metadata.namespace}",
        f"Selector:       {ko.selector_text(rs.spec.selector.match_labels)}",
        "Labels:         "
        + "\n                ".join(f"{a}={b}" for a, b in (rs.metadata.labels or {}).items()),
        "Annotations:    " + "\n                ".join(f"{a}: {b}" for a, b in ann.items()),
        f"Controlled By:  Deployment/{rs.metadata.owner_references[0].name}",
        f"Replicas:       {rs.status.replicas or 0} current / {rs.spec.replicas or 0} desired",
        f"Pods Status:    {running} Running / {waiting} Waiting / 0 Succeeded / 0 Failed",
        "Pod Template:",
        f"  Labels:  {ko.selector_text(rs.spec.template.metadata.labels)}",
        "  Containers:",
        f"   {app.name}:",
        f"    Image:      {app.image}",
        "    Port:       8080/TCP",
        "    Host Port:  0/TCP",
        *_container_tail(app, template=True),
        events_section(ctx, f"replicaset/{rs.metadata.name}", 16),
    ]
    return "\n".join(line for line in lines if line)


def describe_node(ctx: Any, node: SimNode) -> str:
    """``kubectl describe node``: conditions, capacity, the pods it runs, allocated."""
    running = [p for p in ko.pods(ctx) if p.node == node.name and not p.terminating]
    cpu_req = sum(p.cpu_request_m for p in running)
    mem_req = sum(p.memory_request for p in running)
    cap = node.obj.status.capacity
    alloc = node.obj.status.allocatable
    ready = (
        "  Ready            True    KubeletReady                kubelet is posting ready status"
        if node.ready
        else "  Ready            Unknown NodeStatusUnknown           Kubelet stopped posting "
        "node status."
    )
    taints = []
    if not node.ready:
        taints.append("node.kubernetes.io/unreachable:NoExecute")
    if node.disk_pressure:
        taints.append("node.kubernetes.io/disk-pressure:NoSchedule")
    if node.unschedulable:
        taints.append("node.kubernetes.io/unschedulable:NoSchedule")
    disk = (
        "  DiskPressure     True    KubeletHasDiskPressure      kubelet has disk pressure"
        if node.disk_pressure
        else "  DiskPressure     False   KubeletHasNoDiskPressure    kubelet has no disk pressure"
    )
    labels = node.obj.metadata.labels or {}
    label_lines = [f"{k}={v}" for k, v in sorted(labels.items())]
    return "\n".join(
        [
            f"Name:               {node.name}",
            "Roles:              <none>",
            f"Labels:             {label_lines[0] if label_lines else '<none>'}",
            *[f"                    {line}" for line in label_lines[1:]],
            f"Taints:             {taints[0] if taints else '<none>'}",
            *[f"                    {t}" for t in taints[1:]],
            f"Unschedulable:      {'true' if node.unschedulable else 'false'}",
            "Conditions:",
            "  Type             Status  Reason                      Message",
            "  ----             ------  ------                      -------",
            "  MemoryPressure   False   KubeletHasSufficientMemory  kubelet has sufficient memory "
            "available",
            disk,
            "  PIDPressure      False   KubeletHasSufficientPID     kubelet has sufficient PID "
            "available",
            ready,
            "Addresses:",
            f"  InternalIP:  {node.ip}",
            f"  Hostname:    {node.name}",
            "Capacity:",
            *[f"  {key}:{' ' * (8 - len(key))}{v}" for key, v in cap.items()],
            "Allocatable:",
            *[f"  {key}:{' ' * (8 - len(key))}{v}" for key, v in alloc.items()],
            f"Non-terminated Pods:          ({len(running)} in total)",
            *[f"  {ctx.world.namespace}  {p.name}" for p in running],
            "Allocated resources:",
            "  (Total limits may be over 100 percent, i.e., overcommitted.)",
            "  Resource           Requests      Limits",
            "  --------           --------      ------",
            f"  cpu                {cpu_req}m ({cpu_req * 100 // node.cpu_m}%)",
            f"  memory             {mem_req // 2**20}Mi ({mem_req * 100 // node.memory}%)",
            events_section(ctx, f"node/{node.name}", 20),
        ]
    )


def _prefixed(objs: list[T], names: list[str], name_of: Callable[[T], str]) -> list[T]:
    """The objects whose name starts with one of ``names`` (all when none is named), as
    ``kubectl describe`` matches a name prefix."""
    return [o for o in objs if not names or any(name_of(o).startswith(n) for n in names)]


def describe(ctx: Any, words: list[str], flags: Flags) -> Outcome:
    """``kubectl describe KIND [NAME-PREFIX]`` (``-l`` selects pods)."""
    if not words:
        raise ActionError(
            'You must specify the type of resource to describe. Use "kubectl '
            'api-resources" for a complete list of supported resources.'
        )
    kind_word, _, slash_name = words[0].partition("/")
    kind = resource(kind_word)
    names = ([slash_name] if slash_name else []) + words[1:]
    ns = namespace(ctx, flags)
    here = ns == ctx.world.namespace
    out_kind = f"kubectl.describe.{kind.rstrip('s')}"
    if kind == "pods":
        objs = [
            p
            for p in ko.pods(ctx)
            if here and ko.matches(ko.pod_labels(ctx, p), flags.get("selector"))
        ]
        found = _prefixed(objs, names, lambda p: p.name)
        if names and not found:
            ko.find_pod(ctx, names[0], ns)
        texts = [describe_pod(ctx, p) for p in found]
    elif kind == "deployments":
        deps = [d for n, d in sorted(ctx.world.cluster.deployments.items()) if here]
        found_d = _prefixed(deps, names, lambda d: d.metadata.name or "")
        if names and not found_d:
            ko.find_deployment(ctx, names[0], ns)
        texts = [describe_deployment(ctx, d) for d in found_d]
    elif kind == "replicasets":
        sets = [rs for rs in ko.replicasets(ctx) if here]
        found_rs = _prefixed(sets, names, lambda rs: rs.metadata.name or "")
        if names and not found_rs:
            raise ActionError(
                f'Error from server (NotFound): replicasets.apps "{names[0]}" not found'
            )
        texts = [describe_replicaset(ctx, rs) for rs in found_rs]
    elif kind == "horizontalpodautoscalers.autoscaling":
        from gameday.tools import kube_hpa  # it draws on this module's sections

        hpas = [h for _, h in sorted(ctx.world.cluster.hpas.items()) if here]
        found_h = _prefixed(hpas, names, lambda h: h.metadata.name or "")
        if names and not found_h:
            kube_hpa.find(ctx, names[0], flags)
        texts = [kube_hpa.describe(ctx, h) for h in found_h]
    elif kind == "nodes":
        texts = [describe_node(ctx, n) for n in ko.nodes(ctx) if not names or n.name in names]
        if not texts:
            raise ActionError(f'Error from server (NotFound): nodes "{names[0]}" not found')
    else:
        return Outcome(
            False,
            f"describe {kind} is not simulated; try pods, deployments, replicasets, hpa or nodes",
            out_kind,
        )
    if not texts:
        return Outcome(True, f"No resources found in {ns} namespace.", out_kind)
    return Outcome(True, "\n\n\n".join(texts), out_kind)
