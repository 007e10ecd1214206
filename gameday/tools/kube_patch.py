"""``kubectl patch deployment|hpa`` and ``kubectl set env|resources``: template changes.

A patch is applied to the Deployment as the API server would: a JSON merge patch
(RFC 7386) for ``--type=merge``, a strategic merge patch by default (lists of containers,
env vars and ports merge by ``name``/``containerPort``); the result must still be a valid
Deployment, and the selector is immutable. Every change goes through the cluster's API
and honours ``--dry-run``.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from kubernetes.client import models as k

from gameday.tools import kube_hpa
from gameday.tools.effects import Outcome
from gameday.tools.kube_flags import deployment_arg, dry_run, suffix
from gameday.tools.kubectl import RESOURCE_OF
from gameday.tools.parse import ActionError, Flags
from gameday.world.cluster import ApiError
from gameday.world.cluster import objects as o

MERGE_KEYS = {"containers": "name", "env": "name", "ports": "containerPort", "volumes": "name"}


def merge_patch(target: Any, patch: Any, strategic: bool, key: str = "") -> Any:
    """Apply ``patch`` to ``target``: RFC 7386, or strategic (named lists merge by key)."""
    if not isinstance(patch, dict):
        if strategic and isinstance(patch, list) and key in MERGE_KEYS and isinstance(target, list):
            return _merge_list(target, patch, MERGE_KEYS[key])
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            out.pop(name, None)
        else:
            out[name] = merge_patch(out.get(name), value, strategic, name)
    return out


def _merge_list(target: list, patch: list, by: str) -> list:
    out = [dict(item) for item in target]
    for item in patch:
        if not isinstance(item, dict) or by not in item:
            raise ActionError(f"error: map: {item} does not contain declared merge key: {by}")
        found = next((i for i, t in enumerate(out) if t.get(by) == item[by]), None)
        if item.get("$patch") == "delete":
            if found is not None:
                out.pop(found)
        elif found is None:
            out.append(item)
        else:
            out[found] = merge_patch(out[found], item, True)
    return out


def patch(ctx: Any, words: list[str], flags: Flags) -> Outcome:
    """``kubectl patch deployment|hpa NAME -p PATCH [--type strategic|merge]``."""
    hpa_name = _hpa_arg(words)
    name, _ = ("", []) if hpa_name else deployment_arg(ctx, words, flags, "patch")
    raw = flags.get("patch")
    if raw is None:
        raise ActionError(
            "error: must specify --patch or --patch-file containing the contents of the patch"
        )
    kind = flags.get("type", "strategic") or "strategic"
    if kind not in ("strategic", "merge"):
        raise ActionError(
            f'error: --type must be one of [json merge strategic], not "{kind}"'
            if kind != "json"
            else "error: JSON patches (--type json) are not simulated; use --type merge"
        )
    try:
        body = yaml.safe_load(raw)
    except yaml.YAMLError:
        body = None
    if not isinstance(body, dict):
        raise ActionError(
            f'Error from server (BadRequest): invalid character in the patch "{raw[:40]}"'
        )
    if hpa_name:
        return kube_hpa.patch(ctx, hpa_name, body, kind == "strategic", flags)
    cluster = ctx.world.cluster
    current = o.to_dict(cluster.deployments[name])
    merged = merge_patch(current, body, kind == "strategic")
    if merged.get("spec", {}).get("selector") != current["spec"]["selector"]:
        raise ActionError(
            f'The Deployment "{name}" is invalid: spec.selector: Invalid value: '
            f"{json.dumps(merged.get('spec', {}).get('selector'))}: field is immutable"
        )
    try:
        candidate = k.V1Deployment.model_validate(merged)
    except ValueError as exc:
        first = str(exc).splitlines()[1:2] or [str(exc)]
        raise ActionError(f'The Deployment "{name}" is invalid: {first[0].strip()}') from None

    def change(dep: k.V1Deployment) -> None:
        dep.spec = candidate.spec
        dep.metadata.annotations = candidate.metadata.annotations
        dep.metadata.labels = candidate.metadata.labels

    return _changed(ctx, name, change, flags, "patched", "kubectl.patch")


def _hpa_arg(words: list[str]) -> str:
    """The HPA named by ``hpa/NAME`` or ``hpa NAME``; '' when the patch is not for one."""
    if not words:
        return ""
    kind, slash, name = words[0].partition("/")
    if RESOURCE_OF.get(kind.lower()) != "horizontalpodautoscalers.autoscaling":
        return ""
    if not slash:
        if len(words) < 2:
            raise ActionError(
                'error: you must specify a resource type and name, e.g. "kubectl patch hpa/NAME"'
            )
        name = words[1]
    return name


def set_env(ctx: Any, words: list[str], flags: Flags) -> Outcome:
    """``kubectl set env deployment/NAME KEY=VALUE... KEY-``."""
    name, rest = deployment_arg(ctx, words, flags, "set env")
    if flags.has("list") and not rest:  # kubectl set env --list: the template's variables
        dep = ctx.world.cluster.deployments[name]
        app = o.container(dep.spec.template)
        lines = [f"# deployments/{name}, container {app.name}"]
        lines += [f"{e.name}={e.value or ''}" for e in app.env or []]
        return Outcome(True, "\n".join(lines), "kubectl.set.env.list")
    if not rest:
        raise ActionError("error: at least one environment variable must be provided")

    def change(dep: k.V1Deployment) -> None:
        app = o.container(dep.spec.template)
        env = {e.name: e for e in app.env or []}
        for item in rest:
            if item.endswith("-") and "=" not in item:
                env.pop(item[:-1], None)
            elif "=" in item:
                key, value = item.split("=", 1)
                env[key] = k.V1EnvVar(name=key, value=value)
            else:
                raise ActionError(f"error: {item} is not a valid key=value or key- argument")
        app.env = list(env.values()) or None

    return _changed(ctx, name, change, flags, "env updated", "kubectl.set.env")


def set_resources(ctx: Any, words: list[str], flags: Flags) -> Outcome:
    """``kubectl set resources deployment/NAME --limits=cpu=1,memory=1Gi --requests=...``."""
    name, _ = deployment_arg(ctx, words, flags, "set resources")
    limits, requests = _pairs(flags.get("limits")), _pairs(flags.get("requests"))
    if not limits and not requests:
        raise ActionError(
            "error: you must specify an update to requests or limits (in the form of "
            "--requests/--limits)"
        )

    def change(dep: k.V1Deployment) -> None:
        app = o.container(dep.spec.template)
        res = app.resources or k.V1ResourceRequirements()
        app.resources = k.V1ResourceRequirements(
            limits={**(res.limits or {}), **limits} or None,
            requests={**(res.requests or {}), **requests} or None,
        )

    return _changed(
        ctx, name, change, flags, "resource requirements updated", "kubectl.set.resources"
    )


def _pairs(text: str | None) -> dict[str, str]:
    out = {}
    for item in (text or "").split(","):
        if not item:
            continue
        key, eq, value = item.partition("=")
        if not eq or key not in ("cpu", "memory") or not value:
            raise ActionError(
                f"error: {item} is not a valid resource requirement (cpu=VALUE or memory=VALUE)"
            )
        if (o.cpu_millis(value) if key == "cpu" else o.mem_bytes(value)) <= 0:
            raise ActionError(f'error: quantities must match the regular expression for "{value}"')
        out[key] = value
    return out


def _changed(ctx: Any, name: str, change: Any, flags: Flags, verb: str, kind: str) -> Outcome:
    """Send the change (or its dry run) and answer as kubectl does."""
    mode = dry_run(flags)
    try:
        _, changed = ctx.world.cluster.update_deployment(
            name, change, dry_run=bool(mode), now=ctx.now
        )
    except ApiError as exc:
        raise ActionError(f"error: {exc}") from None
    if not changed and verb == "patched":
        out = f"deployment.apps/{name} patched (no change){suffix(mode)}"
        return Outcome(True, out, kind)
    out = f"deployment.apps/{name} {verb}{suffix(mode)}"
    if mode:
        return Outcome(True, out, kind)
    return Outcome(True, out, kind, changed=changed)
