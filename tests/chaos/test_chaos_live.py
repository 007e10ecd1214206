"""Chaos sessions: the responder's fixes reach the cluster; the cluster's state reaches the rules."""

from __future__ import annotations

from types import SimpleNamespace
from unittest import mock

from kubernetes import client

from gameday.chaos.live import play_live
from gameday.chaos.mirror import mirror, parse_fix
from gameday.runtime import prepare
from tests.chaos.test_chaos_ops import fake_clients


def test_only_rollouts_and_scaling_are_mirrored() -> None:
    """rollout undo/restart and scale of a deployment are fixes; reads and others are not."""
    assert parse_fix("kubectl rollout undo deployment/orders -n shop") == (
        "undo",
        "orders",
        "shop",
        None,
    )
    assert parse_fix("k -n shop rollout restart deploy/orders") == (
        "restart",
        "orders",
        "shop",
        None,
    )
    assert parse_fix("kubectl scale deployment/orders --replicas=5") == ("scale", "orders", None, 5)
    assert parse_fix("kubectl get pods -n shop") is None
    assert parse_fix("psql -c 'select 1'") is None
    assert parse_fix("kubectl delete namespace shop") is None


def test_scale_is_applied_and_other_namespaces_refused() -> None:
    """A scale in the chaos namespace patches the scale subresource; another namespace is refused."""
    c = fake_clients()
    assert mirror(c, "shop", "kubectl scale deployment/orders -n shop --replicas=6", ok=True)
    c.apps.patch_namespaced_deployment_scale.assert_called_once_with(
        "orders", "shop", {"spec": {"replicas": 6}}
    )
    note = mirror(c, "shop", "kubectl scale deployment/orders -n prod --replicas=0", ok=True)
    assert note is not None and "not mirrored" in note
    assert c.apps.patch_namespaced_deployment_scale.call_count == 1
    assert (
        mirror(c, "shop", "kubectl scale deployment/orders -n shop --replicas=6", ok=False) is None
    )


def test_undo_patches_the_previous_replicaset_template() -> None:
    """rollout undo takes the template of the ReplicaSet one revision back."""
    c = fake_clients()
    c.api_client = client.ApiClient()

    def rs(revision: str, image: str) -> client.V1ReplicaSet:
        return client.V1ReplicaSet(
            metadata=client.V1ObjectMeta(
                annotations={"deployment.kubernetes.io/revision": revision},
                owner_references=[
                    client.V1OwnerReference(
                        api_version="apps/v1", kind="Deployment", name="orders", uid="u"
                    )
                ],
            ),
            spec=client.V1ReplicaSetSpec(
                selector=client.V1LabelSelector(match_labels={"app": "orders"}),
                template=client.V1PodTemplateSpec(
                    metadata=client.V1ObjectMeta(
                        labels={"app": "orders", "pod-template-hash": "x"}
                    ),
                    spec=client.V1PodSpec(
                        containers=[client.V1Container(name="orders", image=image)]
                    ),
                ),
            ),
        )

    c.apps.list_namespaced_replica_set.return_value = SimpleNamespace(
        items=[rs("3", "orders:bad"), rs("2", "orders:good"), rs("1", "orders:old")]
    )
    note = mirror(c, "shop", "kubectl rollout undo deployment/orders -n shop", ok=True)
    assert note == "[cluster] deployment orders rolled back to revision 2"
    (name, ns, body), _ = c.apps.patch_namespaced_deployment.call_args
    assert (name, ns) == ("orders", "shop")
    assert body["spec"]["template"]["spec"]["containers"][0]["image"] == "orders:good"
    assert "pod-template-hash" not in body["spec"]["template"]["metadata"]["labels"]


def test_live_session_reads_the_cluster_and_mirrors_the_fix() -> None:
    """The session's store holds the cluster's series and the expert's rollback reaches it."""
    c = fake_clients()
    c.api_client = client.ApiClient()
    c.apps.list_namespaced_deployment.return_value = SimpleNamespace(
        items=[
            client.V1Deployment(
                metadata=client.V1ObjectMeta(name="orders"),
                spec=client.V1DeploymentSpec(
                    replicas=3,
                    selector=client.V1LabelSelector(),
                    template=client.V1PodTemplateSpec(),
                ),
                status=client.V1DeploymentStatus(available_replicas=1, unavailable_replicas=2),
            )
        ]
    )
    c.core.list_namespaced_pod.return_value = SimpleNamespace(items=[])
    c.apps.list_namespaced_replica_set.return_value = SimpleNamespace(items=[])
    now = [0.0]
    session = play_live(
        prepare("bad-deploy"),
        c,
        "shop",
        1800.0,
        lambda _l: None,
        sleep=lambda s: now.__setitem__(0, now[0] + 30.0),
        clock=lambda: now[0],
    )
    series = session.tsdb.series(
        (
            ("__name__", "kube_deployment_status_replicas_available"),
            ("deployment", "orders"),
            ("job", "kube-state-metrics"),
            ("namespace", "shop"),
        )
    )
    assert series is not None and set(series.v) == {1.0}
    undo = [e for e in session.events if e.kind == "action" and "rollout undo" in e.data["command"]]
    assert undo and "[cluster]" in undo[0].data["output"]
    assert (
        mock.call("shop", label_selector="app=orders")
        in c.apps.list_namespaced_replica_set.call_args_list
    )
