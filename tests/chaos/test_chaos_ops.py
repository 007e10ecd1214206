"""Chaos: the exact API calls for each fault and its rollback, the refusals, crash recovery."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
from kubernetes import client

from gameday.chaos.clients import Clients
from gameday.chaos.journal import ChaosJournal
from gameday.chaos.operations import Operation
from gameday.chaos.plan import Plan, plan_faults
from gameday.chaos.runner import apply_plan, inject, rollback_journal
from gameday.chaos.safety import check_context, check_namespace
from gameday.errors import UsageError
from gameday.scenario.model import Fault, Scenario

_SPECS: dict[type, mock.Mock] = {}


def autospec(cls: type) -> mock.Mock:
    """An autospec mock of a client class (built once: the API classes are large)."""
    if cls not in _SPECS:
        _SPECS[cls] = mock.create_autospec(cls, instance=True)
    m = _SPECS[cls]
    m.reset_mock(return_value=True, side_effect=True)
    return m


def fake_clients(
    image: str = "registry/orders:v1", env=None, limits=None, replicas: int = 3, ns_labels=None
) -> Clients:
    core = autospec(client.CoreV1Api)
    apps = autospec(client.AppsV1Api)
    net = autospec(client.NetworkingV1Api)
    batch = autospec(client.BatchV1Api)
    container = client.V1Container(
        name="orders",
        image=image,
        env=env,
        resources=client.V1ResourceRequirements(limits=limits),
    )
    apps.read_namespaced_deployment.return_value = client.V1Deployment(
        metadata=client.V1ObjectMeta(name="orders"),
        spec=client.V1DeploymentSpec(
            replicas=replicas,
            selector=client.V1LabelSelector(match_labels={"app": "orders"}),
            template=client.V1PodTemplateSpec(spec=client.V1PodSpec(containers=[container])),
        ),
    )
    labels = {"gameday.io/target": "true"} if ns_labels is None else ns_labels
    core.read_namespace.return_value = client.V1Namespace(
        metadata=client.V1ObjectMeta(labels=labels)
    )
    pod = SimpleNamespace(metadata=SimpleNamespace(name="orders-abc-1"))
    core.list_namespaced_pod.return_value = SimpleNamespace(items=[pod])
    return Clients("kind-test", "https://127.0.0.1:6443", core, apps, net, batch)


def one_fault(pool_scenario: Scenario, **fault) -> Scenario:
    spec = Fault(id="f1", at=60, service="orders", **fault)
    return pool_scenario.model_copy(update={"faults": [spec]})


def run(clients: Clients, plan: Plan, tmp_path: Path) -> list[str]:
    lines: list[str] = []
    apply_plan(clients, plan, tmp_path / "chaos.jsonl", lines.append)
    return lines


def test_bad_deploy_sets_the_image_then_restores_it(
    pool_scenario: Scenario, tmp_path: Path
) -> None:
    """A connection-leak deploy patches the container image; rollback patches the old one back."""
    c = fake_clients()
    plan = plan_faults(one_fault(pool_scenario, type="connection_leak", params={"version": "v9"}))
    run(c, plan, tmp_path)

    def body(image: str) -> dict:
        return {
            "spec": {"template": {"spec": {"containers": [{"name": "orders", "image": image}]}}}
        }

    assert c.apps.patch_namespaced_deployment.call_args_list == [
        mock.call("orders", "shop", body("registry.internal/shop/orders:v9")),
        mock.call("orders", "shop", body("registry/orders:v1")),
    ]


def test_env_fault_sets_and_removes_a_variable(pool_scenario: Scenario, tmp_path: Path) -> None:
    """An env fault sets the variable; rollback deletes one that did not exist before."""
    c = fake_clients(env=[client.V1EnvVar(name="KEEP", value="1")])
    plan = plan_faults(
        one_fault(pool_scenario, type="crash_loop", params={"env": {"DB_HOST": "nowhere"}})
    )
    run(c, plan, tmp_path)
    calls = [
        call.args[2]["spec"]["template"]["spec"]["containers"][0]["env"]
        for call in c.apps.patch_namespaced_deployment.call_args_list
    ]
    assert calls == [
        [{"name": "DB_HOST", "value": "nowhere"}],
        [{"name": "DB_HOST", "$patch": "delete"}],
    ]


def test_memory_leak_sets_a_limit_then_restores_it(pool_scenario: Scenario, tmp_path: Path) -> None:
    """An OOM fault lowers the memory limit; rollback restores the captured limit."""
    c = fake_clients(limits={"memory": "512Mi"})
    run(c, plan_faults(one_fault(pool_scenario, type="memory_leak")), tmp_path)
    limits = [
        call.args[2]["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]
        for call in c.apps.patch_namespaced_deployment.call_args_list
    ]
    assert limits == [{"memory": "48Mi"}, {"memory": "512Mi"}]


def test_scale_to_zero_and_back(pool_scenario: Scenario, tmp_path: Path) -> None:
    """scale_to_zero patches the scale subresource to 0, then to the captured count."""
    c = fake_clients(replicas=4)
    run(
        c,
        plan_faults(one_fault(pool_scenario, type="crash_loop", params={"chaos": "scale_to_zero"})),
        tmp_path,
    )
    assert c.apps.patch_namespaced_deployment_scale.call_args_list == [
        mock.call("orders", "shop", {"spec": {"replicas": 0}}),
        mock.call("orders", "shop", {"spec": {"replicas": 4}}),
    ]


def test_pod_kill_deletes_one_pod_and_needs_no_inverse(
    pool_scenario: Scenario, tmp_path: Path
) -> None:
    """pod_kill deletes the first pod of the service; its ReplicaSet replaces it."""
    c = fake_clients()
    run(
        c,
        plan_faults(one_fault(pool_scenario, type="crash_loop", params={"chaos": "pod_kill"})),
        tmp_path,
    )
    c.core.list_namespaced_pod.assert_called_once_with("shop", label_selector="app=orders")
    c.core.delete_namespaced_pod.assert_called_once_with("orders-abc-1", "shop")


def test_dependency_outage_is_a_deny_all_policy(pool_scenario: Scenario, tmp_path: Path) -> None:
    """dependency_errors creates a deny-all NetworkPolicy for the service and deletes it after."""
    c = fake_clients()
    run(c, plan_faults(one_fault(pool_scenario, type="dependency_errors")), tmp_path)
    (ns, body), _ = c.networking.create_namespaced_network_policy.call_args
    assert ns == "shop" and body["spec"]["podSelector"] == {"matchLabels": {"app": "orders"}}
    assert body["spec"]["policyTypes"] == ["Ingress", "Egress"]
    c.networking.delete_namespaced_network_policy.assert_called_once_with(
        "gameday-deny-orders", "shop"
    )


def test_traffic_spike_is_a_cpu_burning_job(pool_scenario: Scenario, tmp_path: Path) -> None:
    """traffic_spike starts a CPU-burning Job and deletes it on rollback."""
    c = fake_clients()
    run(c, plan_faults(one_fault(pool_scenario, type="traffic_spike")), tmp_path)
    (ns, job), _ = c.batch.create_namespaced_job.call_args
    assert job["kind"] == "Job" and job["metadata"]["name"] == "gameday-burn-f1"
    c.batch.delete_namespaced_job.assert_called_once_with(
        "gameday-burn-f1", "shop", propagation_policy="Background"
    )


def test_unmappable_fault_is_reported_before_anything_is_touched(pool_scenario: Scenario) -> None:
    """A blocking query has no API-only equivalent: the plan says so and holds no operation."""
    plan = plan_faults(pool_scenario)
    assert plan.operations == []
    assert plan.unmapped[0][0] == "lock-holder"
    assert "no API-only equivalent" in plan.unmapped[0][1]


@pytest.mark.parametrize("context", ["prod", "gke_prod_europe-west1_main", "minikube"])
def test_contexts_other_than_kind_are_refused(context: str) -> None:
    """Only kind-* contexts are touched without an explicit, confirmed override."""
    with pytest.raises(UsageError, match="only touches kind"):
        check_context(context, allow_any=False, confirm=None)
    with pytest.raises(UsageError, match="confirmation did not match"):
        check_context(context, allow_any=True, confirm=lambda _p: "yes")
    check_context(context, allow_any=True, confirm=lambda _p: context)


def test_namespace_without_opt_in_label_is_refused(pool_scenario: Scenario, tmp_path: Path) -> None:
    """A namespace without gameday.io/target=true is refused and nothing is changed."""
    c = fake_clients(ns_labels={"team": "shop"})
    plan = plan_faults(one_fault(pool_scenario, type="memory_leak"))
    with pytest.raises(UsageError, match="opt-in label"):
        run(c, plan, tmp_path)
    c.apps.patch_namespaced_deployment.assert_not_called()


def test_kube_system_is_never_touched() -> None:
    """kube-system is refused even when it carries the opt-in label."""
    with pytest.raises(UsageError, match="system namespaces"):
        check_namespace("kube-system", {"gameday.io/target": "true"})


def test_rollback_after_a_crash_restores_both_changes(tmp_path: Path) -> None:
    """Killed after two changes, the journal lets `chaos rollback` undo both, newest first."""
    c = fake_clients(image="registry/orders:v1", replicas=3)
    plan = Plan(
        "shop",
        [
            Operation("set_image", "shop", "orders", "orders", "registry/orders:bad", "f1"),
            Operation("scale", "shop", "orders", value=1, fault="f2"),
        ],
    )
    path = tmp_path / "chaos.jsonl"
    journal = ChaosJournal(path, "kind-test", "shop")
    inject(c, plan, journal, lambda _l: None, [])
    journal.close()  # the process dies here: no rollback ran, the journal is all that is left
    fresh = fake_clients()
    undone = rollback_journal(fresh, path, lambda _l: None)
    assert undone == 2
    assert fresh.apps.method_calls == [
        mock.call.patch_namespaced_deployment_scale("orders", "shop", {"spec": {"replicas": 3}}),
        mock.call.patch_namespaced_deployment(
            "orders",
            "shop",
            {
                "spec": {
                    "template": {
                        "spec": {"containers": [{"name": "orders", "image": "registry/orders:v1"}]}
                    }
                }
            },
        ),
    ]
    assert rollback_journal(fake_clients(), path, lambda _l: None) == 0
