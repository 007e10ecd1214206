"""``gameday chaos rollback``: a crafted journal never reaches outside opted-in namespaces."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gameday.chaos import clients as clients_module
from gameday.chaos.clients import Clients
from tests.clirun import run_gameday

from .test_chaos_ops import fake_clients

SCALE = {"type": "scale", "namespace": "shop", "name": "orders", "value": 0}
SCALE_BACK = {**SCALE, "value": 3}


def journal(tmp_path: Path, *changes: tuple[dict, dict | None], ns: str = "shop") -> Path:
    """A chaos journal holding ``changes`` (op, inverse) applied and never rolled back."""
    lines: list[dict[str, Any]] = [
        {"seq": 0, "event": "start", "context": "kind-test", "namespace": ns}
    ]
    for op, inverse in changes:
        seq = len(lines)
        lines.append({"seq": seq, "event": "applying", "op": op, "inverse": inverse})
        lines.append({"seq": seq + 1, "event": "applied", "change": seq})
    path = tmp_path / "chaos.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


@pytest.fixture
def cluster(monkeypatch: pytest.MonkeyPatch) -> Clients:
    """Autospec clients that ``connect`` hands out; ``default`` lacks the opt-in label."""
    fake = fake_clients()

    def read_namespace(name: str) -> Any:
        from kubernetes import client

        labels = {} if name == "default" else {"gameday.io/target": "true"}
        return client.V1Namespace(metadata=client.V1ObjectMeta(name=name, labels=labels))

    fake.core.read_namespace.side_effect = read_namespace
    monkeypatch.setattr(clients_module, "connect", lambda context, kubeconfig=None: fake)
    return fake


gameday = run_gameday


def api_calls(c: Clients) -> list[Any]:
    """Every call made on any API client, in order."""
    return [*c.core.method_calls, *c.apps.method_calls, *c.networking.method_calls] + [
        *c.batch.method_calls
    ]


def namespaces_touched(c: Clients) -> set[str]:
    """Namespaces any namespaced call was made in (read_namespace names a namespace too)."""
    seen = set()
    for call in api_calls(c):
        args = [a for a in call.args if isinstance(a, str)]
        if call[0] == "read_namespace" or call[0].startswith(
            ("create_namespaced", "list_namespaced")
        ):
            seen.add(args[0])
        elif "namespaced" in call[0]:
            seen.add(args[1])
    return seen


HOSTILE = [
    pytest.param(
        {"type": "deny_all_network", "namespace": "kube-system", "name": "gameday-x"},
        {"type": "deny_all_network", "namespace": "kube-system", "name": "gameday-x"},
        "the inverse of deny_all_network is delete_network_policy, not 'deny_all_network'",
        id="creates-networkpolicy-in-kube-system",
    ),
    pytest.param(
        {"type": "delete_job", "namespace": "kube-system", "name": "burn"},
        {"type": "cpu_burn_job", "namespace": "kube-system", "name": "burn"},
        "'delete_job' is not one gameday chaos makes",
        id="cpu-burn-job-as-inverse",
    ),
    pytest.param(
        {"type": "scale", "namespace": "kube-system", "name": "coredns", "value": 9},
        {"type": "delete_pod", "namespace": "kube-system", "name": "coredns-1"},
        "the inverse of scale is scale, not 'delete_pod'",
        id="deletes-pod-in-kube-system",
    ),
    pytest.param(
        {"type": "scale", "namespace": "kube-system", "name": "coredns", "value": 0},
        {"type": "scale", "namespace": "kube-system", "name": "coredns", "value": 0},
        "refusing namespace 'kube-system': system namespaces are never touched",
        id="scale-in-kube-system",
    ),
    pytest.param(
        {**SCALE, "namespace": "default"},
        {**SCALE_BACK, "namespace": "default"},
        "refusing namespace 'default': the journal's run was in 'shop'",
        id="other-namespace",
    ),
    pytest.param(
        SCALE, {**SCALE_BACK, "name": "payments"}, "inverse acts on shop/payments", id="other-name"
    ),
    pytest.param(SCALE, {**SCALE_BACK, "value": -1}, "replicas must be", id="negative-replicas"),
    pytest.param(SCALE, {**SCALE_BACK, "value": "3"}, "replicas must be", id="string-replicas"),
    pytest.param(
        {"type": "deny_all_network", "namespace": "shop", "name": "coredns", "value": "x"},
        {"type": "delete_network_policy", "namespace": "shop", "name": "coredns"},
        "only objects gameday created",
        id="deletes-a-policy-gameday-did-not-make",
    ),
    pytest.param(SCALE, {**SCALE_BACK, "extra": {"workers": 64}}, "extra", id="extra-on-inverse"),
    pytest.param(SCALE, {**SCALE_BACK, "exec": "rm -rf /"}, "unknown field", id="unknown-field"),
    pytest.param({**SCALE, "type": "exec"}, None, "'exec' is not one", id="unknown-type"),
]


@pytest.mark.parametrize(("op", "inverse", "message"), HOSTILE)
@pytest.mark.parametrize("apply", [False, True])
def test_crafted_journal_is_refused_before_any_connection(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    cluster: Clients,
    op: dict,
    inverse: dict | None,
    message: str,
    apply: bool,
) -> None:
    """A change the runner never makes is refused, located, with no API call at all."""
    path = journal(tmp_path, (SCALE, SCALE_BACK), (op, inverse))
    args = ["chaos", "rollback", str(path), "--context", "kind-test"]
    code, out, err = gameday(capsys, *args, *(["--apply"] if apply else []))
    assert code == 2 and out == ""
    assert err.startswith(f"{path}:4:1: ") and message in err
    assert "Traceback" not in err
    assert api_calls(cluster) == []


def test_unlabelled_namespace_is_refused_on_the_cluster(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, cluster: Clients
) -> None:
    """A journal for `default` passes the file checks; the cluster says it is not opted in."""
    ns_default = {**SCALE, "namespace": "default"}
    path = journal(tmp_path, (ns_default, {**ns_default, "value": 3}), ns="default")
    code, _out, err = gameday(
        capsys, "chaos", "rollback", str(path), "--context", "kind-test", "--apply"
    )
    assert code == 2
    assert "change 1 (scale deployment orders to 3)" in err and "opt-in label" in err
    assert [c[0] for c in api_calls(cluster)] == ["read_namespace"]
    assert namespaces_touched(cluster) == {"default"}


def test_rollback_is_a_dry_run_unless_apply(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, cluster: Clients
) -> None:
    """Without --apply the inverses are printed with their kubectl and nothing is called."""
    path = journal(tmp_path, (SCALE, SCALE_BACK))
    before = path.read_bytes()
    code, out, _err = gameday(capsys, "chaos", "rollback", str(path), "--context", "kind-test")
    assert code == 0
    assert out.splitlines() == [
        "DRY RUN: 1 change(s) to undo in namespace shop of kind-test",
        "- scale deployment orders to 3",
        "    kubectl: kubectl -n shop scale deployment/orders --replicas=3",
        "nothing touched (dry run); add --apply to act",
    ]
    assert api_calls(cluster) == [] and path.read_bytes() == before


def test_apply_restores_only_inside_the_opted_in_namespace(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, cluster: Clients
) -> None:
    """--apply checks the namespace on the cluster, then restores; nothing else is touched."""
    burn = {"type": "cpu_burn_job", "namespace": "shop", "name": "gameday-burn-f1"}
    path = journal(tmp_path, (SCALE, SCALE_BACK), (burn, {**burn, "type": "delete_job"}), ns="shop")
    args = ["chaos", "rollback", str(path), "--context", "kind-test", "--apply"]
    code, out, err = gameday(capsys, *args)
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "rolled back 2 change(s)"
    assert namespaces_touched(cluster) == {"shop"}
    cluster.batch.delete_namespaced_job.assert_called_once_with(
        "gameday-burn-f1", "shop", propagation_policy="Background"
    )
    cluster.apps.patch_namespaced_deployment_scale.assert_called_once_with(
        "orders", "shop", {"spec": {"replicas": 3}}
    )
    again = gameday(capsys, *args)
    assert again[0] == 0 and "rolled back 0 change(s)" in again[1]


def test_context_must_be_the_journals(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, cluster: Clients
) -> None:
    """A journal recorded against another cluster is refused before connecting."""
    path = journal(tmp_path, (SCALE, SCALE_BACK))
    code, _out, err = gameday(
        capsys, "chaos", "rollback", str(path), "--context", "kind-other", "--apply"
    )
    assert code == 2
    assert "recorded against context 'kind-test', not 'kind-other'" in err
    assert api_calls(cluster) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]\n", "unknown event"),
        ('{"seq": 0, "event": "applying", "op": {}}\n', "must begin with a start line"),
        ('{"seq": "x", "event": "start"}\n', "seq: must be an integer"),
        ("", "no start line"),
        ("\x00\x1b]0;x\x07 garbage\n{}\n", "not a chaos journal line"),
        ("\xff\n", "cannot read chaos journal"),
    ],
)
def test_malformed_journal_is_a_located_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, message: str
) -> None:
    """Junk in the journal: a located message, exit 2, no traceback."""
    path = tmp_path / "j.jsonl"
    path.write_text(text, encoding="latin-1")
    code, _out, err = gameday(capsys, "chaos", "rollback", str(path), "--context", "kind-test")
    assert code == 2 and message in err and "Traceback" not in err


def test_unreachable_api_server_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A kubeconfig pointing at a closed port: one line naming the server, exit 1."""
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:9"}}],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "contexts": [{"name": "kind-test", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "kind-test",
            }
        )
    )
    path = journal(tmp_path, (SCALE, SCALE_BACK))
    args = ["chaos", "rollback", str(path), "--context", "kind-test", "--apply"]
    code, _out, err = gameday(capsys, *args, "--kubeconfig", str(kubeconfig))
    assert code == 1
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("gameday: cannot reach kind-test at https://127.0.0.1:9: ")
