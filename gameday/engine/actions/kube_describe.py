"""``kubectl describe pod|deployment|node`` and the ``-o json|yaml`` manifests.

Descriptions follow kubectl's layout: the object's fields, its containers with their
state and last state (``OOMKilled``, ``CrashLoopBackOff``), conditions, and the Events
section from :func:`~gameday.engine.actions.kube_objects.events`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from gameday.engine.actions import kube_objects as ko
from gameday.engine.actions.effects import Outcome
from gameday.engine.actions.kube_events import events
from gameday.engine.actions.kubectl import namespace, resource
from gameday.engine.actions.output import kube_age, kube_table
from gameday.engine.actions.parse import ActionError, Flags
from gameday.engine.state import Deployment, Pod


def _when(ctx: Any, t: float) -> str:
    return ctx.wall_time(t).strftime("%a, %d %b %Y %H:%M:%S +0000")


def _events(ctx: Any, obj: str, pad: int) -> str:
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


def describe_pod(ctx: Any, pod: Pod) -> str:
    """``kubectl describe pod``: fields, container state, conditions, events."""
    dep = ctx.world.deployments[pod.service]
    svc = ctx.world.services[pod.service]
    ready, status = ko.pod_status(ctx, pod)
    labels = ko.pod_labels(ctx, pod)
    rs = f"{pod.service}-{labels['pod-template-hash']}"
    digest = hashlib.sha256(f"{ctx.seed}:{pod.name}:{pod.restarts}".encode()).hexdigest()
    cid = f"containerd://{digest}"
    lines = [
        f"Name:             {pod.name}",
        f"Namespace:        {ctx.world.namespace}",
        "Priority:         0",
        "Service Account:  default",
        f"Node:             {pod.node}/10.0.1.{10 + int(pod.node[-1])}",
        f"Start Time:       {_when(ctx, pod.started_at)}",
        "Labels:           " + "\n                  ".join(f"{k}={v}" for k, v in labels.items()),
        "Annotations:      <none>",
        f"Status:           {'Running' if status != 'Terminating' else 'Terminating'}",
        f"IP:               {pod.ip}",
        "IPs:",
        f"  IP:           {pod.ip}",
        f"Controlled By:  ReplicaSet/{rs}",
        "Containers:",
        f"  {dep.container}:",
        f"    Container ID:   {cid}",
        f"    Image:          {dep.image}:{pod.version}",
        "    Port:           8080/TCP",
        "    Host Port:      0/TCP",
    ]
    if pod.phase == "CrashLoopBackOff":
        lines += ["    State:          Waiting", "      Reason:       CrashLoopBackOff"]
    else:
        started = pod.last_termination_at if pod.last_termination_at else pod.started_at
        lines += ["    State:          Running", f"      Started:      {_when(ctx, started)}"]
    if pod.last_termination and pod.last_termination_at is not None:
        code = 137 if pod.last_termination == "OOMKilled" else 1
        lines += [
            "    Last State:     Terminated",
            f"      Reason:       {pod.last_termination}",
            f"      Exit Code:    {code}",
            f"      Finished:     {_when(ctx, pod.last_termination_at)}",
        ]
    lines += [
        f"    Ready:          {'True' if ready == '1/1' else 'False'}",
        f"    Restart Count:  {pod.restarts}",
        "    Limits:",
        f"      memory:  {svc.memory_limit_mib}Mi",
        "    Requests:",
        f"      cpu:     {int(svc.cpu_request * 1000)}m",
        f"      memory:  {svc.memory_limit_mib}Mi",
        "    Liveness:     http-get http://:8080/health/live delay=30s timeout=1s period=10s "
        "#success=1 #failure=3",
        "    Readiness:    http-get http://:8080/health/ready delay=10s timeout=1s period=5s "
        "#success=1 #failure=3",
        "    Environment:  <none>",
        "Conditions:",
        "  Type              Status",
        "  Initialized       True ",
        f"  Ready             {'True ' if ready == '1/1' else 'False '}",
        f"  ContainersReady   {'True ' if ready == '1/1' else 'False '}",
        "  PodScheduled      True ",
        "QoS Class:                   Burstable",
        "Node-Selectors:              <none>",
        "Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s",
        "                             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s",
        _events(ctx, f"pod/{pod.name}", 29),
    ]
    return "\n".join(lines)


def describe_deployment(ctx: Any, dep: Deployment) -> str:
    """``kubectl describe deployment``: replicas, strategy, template, ReplicaSets, events."""
    ready = len(ctx.world.serving_pods(dep.name))
    updated = len(ko.updated_pods(dep))
    sets = ko.replicasets(ctx, dep)
    new = [rs for rs in sets if rs.version == dep.version]
    old = [rs for rs in sets if rs.version != dep.version and rs.current]
    settled = dep.rollout_until <= ctx.now and ready >= dep.replicas
    progressing = "NewReplicaSetAvailable" if settled else "ReplicaSetUpdated"
    available = (
        "True    MinimumReplicasAvailable"
        if ready >= max(1, dep.replicas * 3 // 4)
        else "False   MinimumReplicasUnavailable"
    )
    svc = ctx.world.services[dep.name]
    lines = [
        f"Name:                   {dep.name}",
        f"Namespace:              {dep.namespace}",
        f"CreationTimestamp:      {_when(ctx, ctx.now - ko.deployment_age(ctx, dep))}",
        f"Labels:                 app={dep.name}",
        f"Annotations:            deployment.kubernetes.io/revision: {dep.revision}",
        f"Selector:               app={dep.name}",
        f"Replicas:               {dep.replicas} desired | {updated} updated | {len(dep.pods)} "
        f"total | {ready} available | {max(0, dep.replicas - ready)} unavailable",
        "StrategyType:           RollingUpdate",
        "MinReadySeconds:        0",
        "RollingUpdateStrategy:  25% max unavailable, 25% max surge",
        "Pod Template:",
        f"  Labels:  app={dep.name}",
        "  Containers:",
        f"   {dep.container}:",
        f"    Image:      {dep.image}:{dep.version}",
        "    Port:       8080/TCP",
        "    Limits:",
        f"      memory:  {svc.memory_limit_mib}Mi",
        "    Requests:",
        f"      cpu:        {int(svc.cpu_request * 1000)}m",
        "    Environment:  <none>",
        "Conditions:",
        "  Type           Status  Reason",
        "  ----           ------  ------",
        f"  Available      {available}",
        f"  Progressing    True    {progressing}",
        "OldReplicaSets:  "
        + (
            ", ".join(f"{r.name} ({r.current}/{r.desired} replicas created)" for r in old)
            or "<none>"
        ),
        "NewReplicaSet:   "
        + ", ".join(f"{r.name} ({r.current}/{r.desired} replicas created)" for r in new),
        _events(ctx, f"deployment/{dep.name}", 17),
    ]
    return "\n".join(lines)


def describe_node(ctx: Any, node: str) -> str:
    """``kubectl describe node``: conditions and the pods it runs."""
    running = [p for p in ko.pods(ctx) if p.node == node]
    return "\n".join(
        [
            f"Name:               {node}",
            "Roles:              <none>",
            "Conditions:",
            "  Type             Status  Reason                      Message",
            "  ----             ------  ------                      -------",
            "  MemoryPressure   False   KubeletHasSufficientMemory  kubelet has sufficient memory "
            "available",
            "  DiskPressure     False   KubeletHasNoDiskPressure    kubelet has no disk pressure",
            "  PIDPressure      False   KubeletHasSufficientPID     kubelet has sufficient PID "
            "available",
            "  Ready            True    KubeletReady                kubelet is posting ready "
            "status",
            "Capacity:",
            "  cpu:     4",
            "  memory:  16199428Ki",
            f"Non-terminated Pods:          ({len(running)} in total)",
            *[f"  {ctx.world.namespace}  {p.name}" for p in running],
            "Events:             <none>",
        ]
    )


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
        found = [p for p in objs if not names or any(p.name.startswith(n) for n in names)]
        if names and not found:
            ko.find_pod(ctx, names[0], ns)
        texts = [describe_pod(ctx, p) for p in found]
    elif kind == "deployments":
        deps = [d for n, d in sorted(ctx.world.deployments.items()) if here]
        found_d = [d for d in deps if not names or any(d.name.startswith(n) for n in names)]
        if names and not found_d:
            ko.find_deployment(ctx, names[0], ns)
        texts = [describe_deployment(ctx, d) for d in found_d]
    elif kind == "nodes":
        texts = [describe_node(ctx, n) for n in ko.NODES if not names or n in names]
        if not texts:
            raise ActionError(f'Error from server (NotFound): nodes "{names[0]}" not found')
    else:
        return Outcome(
            False, f"describe {kind} is not simulated; try pods, deployments or nodes", out_kind
        )
    if not texts:
        return Outcome(True, f"No resources found in {ns} namespace.", out_kind)
    return Outcome(True, "\n\n\n".join(texts), out_kind)
