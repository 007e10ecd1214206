"""What a command observed, and when one observation covers another: the invariants."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gameday.runbooks import parse_runbook
from gameday.scoring.looks import LOOK_KINDS, servers_of
from gameday.tools.kubectl import RESOURCES
from gameday.tools.observe import covers, observe
from tests.conftest import SCENARIOS, bundled

SERVERS = (("orders-db", "orders"), ("orders-db-replica-1", "orders"))


def _covers(seen: str, wanted: str) -> bool:
    a, b = observe(seen, SERVERS), observe(wanted, SERVERS)
    assert a is not None and b is not None, (seen, wanted)
    return covers(a, b)


@pytest.mark.parametrize("kind", sorted(RESOURCES))
def test_every_alias_of_a_kind_observes_the_same(kind: str) -> None:
    """``po``, ``pod`` and ``pods`` (and every alias kubectl knows) read the same objects."""
    seen = {observe(f"kubectl get {alias} -n shop") for alias in RESOURCES[kind]}
    assert len(seen) == 1 and None not in seen


@pytest.mark.parametrize(
    ("broad", "narrow"),
    [
        ("kubectl get po -n shop", "kubectl get pods -n shop -l app=orders"),
        ("kubectl get pods -A", "kubectl get pods -n shop -l app=orders"),
        ("kubectl get pods --all-namespaces", "kubectl get pod orders-7d4b9c6f5d-x2k9p -n shop"),
        ("kubectl get all -n shop", "kubectl get deploy orders -n shop"),
        ("kubectl get pods -n shop -l app=orders", "kubectl get pods -n shop -l app=orders,x=y"),
        ("kubectl get pods,svc -n shop", "kubectl get svc -n shop"),
        ("kubectl describe pods -n shop", "kubectl get pods -n shop -l app=orders"),
        ("kubectl describe pods -n shop", "kubectl describe pod -n shop -l app=search"),
        ("kubectl get nodes", "kubectl get node worker-1"),
        ("kubectl describe nodes", "kubectl describe node worker-1"),
        ("kubectl logs -n shop -l app=orders", "kubectl logs deployment/orders -n shop"),
        ("kubectl logs orders-7d4b9c6f5d-x2k9p -n shop", "kubectl logs deploy/orders -n shop"),
        ("kubectl describe pod orders-5d8c -n shop", "kubectl describe pod <pod> -n shop"),
        (
            "SELECT * FROM pg_stat_activity",
            "psql -h orders-db -c 'SELECT pid FROM pg_stat_activity'",
        ),
        (
            "psql -d orders -c 'SELECT a.pid FROM pg_stat_activity a JOIN pg_locks l USING (pid)'",
            "psql -h orders-db -c 'SELECT pg_blocking_pids(pid) FROM pg_stat_activity'",
        ),
        (
            "psql -h orders-db-replica-1 -c 'SELECT now() - pg_last_xact_replay_timestamp()'",
            "psql -h orders-db-replica-1 -c 'SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()'",
        ),
        (
            "kubectl exec deploy/catalogue-cache -n shop -- redis-cli INFO",
            "kubectl exec deploy/catalogue-cache -n shop -- redis-cli INFO stats",
        ),
        (
            "kubectl exec deploy/catalogue-cache -n shop -- redis-cli CONFIG GET '*'",
            "kubectl exec deploy/catalogue-cache -n shop -- redis-cli CONFIG GET maxmemory*",
        ),
        (
            "kubectl exec deploy/catalogue-cache -n shop -- redis-cli config get maxmemory*",
            "kubectl exec deploy/catalogue-cache -n shop -- redis-cli CONFIG GET maxmemory-policy",
        ),
        (
            "promtool query instant 'sum(rate(http_requests_total[5m])) / up'",
            "promtool query range --step=1m http://prom:9090 'rate(http_requests_total[1m])'",
        ),
        (
            "kafka-consumer-groups --bootstrap-server kafka:9092 --describe --group=pay",
            "kafka-consumer-groups.sh --bootstrap-server kafka:9092 --group pay --describe",
        ),
    ],
)
def test_a_broader_read_covers_a_narrower_one_and_not_back(broad: str, narrow: str) -> None:
    """Every pair: the broad read covers the narrow one; the reverse only if they are equal."""
    assert _covers(broad, narrow)
    if observe(broad, SERVERS) != observe(narrow, SERVERS):
        assert not _covers(narrow, broad)


@pytest.mark.parametrize(
    ("seen", "wanted"),
    [
        ("kubectl get deploy -n shop", "kubectl get pods -n shop"),
        ("kubectl get pods", "kubectl get pods -n shop"),  # the default namespace
        ("kubectl get pods -n identity", "kubectl get pods -n shop -l app=orders"),
        ("kubectl get pod orders-7d4b9c6f5d-x2k9p -n shop", "kubectl get pods -n shop -l app=x"),
        ("kubectl get pods -n shop -l app=cart", "kubectl get pods -n shop -l app=orders"),
        ("kubectl get pods -n shop", "kubectl describe pod -n shop -l app=orders"),
        ("kubectl logs deploy/orders -n shop", "kubectl logs deploy/pricing -n shop --previous"),
        ("kubectl logs deploy/pricing -n shop", "kubectl logs deploy/pricing -n shop --previous"),
        ("kubectl logs deploy/cart -n shop", "kubectl logs deploy/orders -n shop"),
        ("kubectl top pods -n shop", "kubectl get pods -n shop"),
        ("kubectl get deploy orders -n shop", "kubectl rollout history deploy/orders -n shop"),
        ("SELECT * FROM pg_stat_replication", "SELECT pid FROM pg_stat_activity"),
        (
            "SELECT * FROM pg_locks WHERE NOT granted",
            "SELECT pg_blocking_pids(1) FROM pg_stat_activity",
        ),
        (
            "psql -h orders-db-replica-1 -c 'SELECT * FROM pg_stat_activity'",
            "psql -h orders-db -c 'SELECT * FROM pg_stat_activity'",
        ),
        (
            "kubectl exec deploy/catalogue-cache -n shop -- redis-cli INFO memory",
            "kubectl exec deploy/catalogue-cache -n shop -- redis-cli INFO stats",
        ),
        (
            "kubectl exec deploy/catalogue-cache -n shop -- redis-cli CONFIG GET maxmemory-policy",
            "kubectl exec deploy/catalogue-cache -n shop -- redis-cli CONFIG GET maxmemory*",
        ),
        ("promtool query instant up", "promtool query instant 'rate(http_requests_total[5m])'"),
        (
            "kafka-consumer-groups --bootstrap-server kafka:9092 --describe --group other",
            "kafka-consumer-groups --bootstrap-server kafka:9092 --describe --group pay",
        ),
        (
            "kubectl exec deploy/orders-db -n shop -- psql -c 'SELECT * FROM pg_stat_activity'",
            "kubectl exec deploy/catalogue-cache -n shop -- redis-cli CLIENT LIST",
        ),
    ],
)
def test_a_different_read_does_not_cover(seen: str, wanted: str) -> None:
    """Another kind, namespace, workload, aspect, relation, server, section or tool."""
    assert not _covers(seen, wanted)


@pytest.mark.parametrize(
    "command",
    [
        "kubectl rollout undo deployment/orders -n shop",
        "kubectl scale deploy/orders --replicas=6 -n shop",
        "kubectl delete pod orders-1 -n shop",
        "psql -h orders-db -c 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity'",
        "psql -h orders-db -c 'SELECT pg_cancel_backend(<pid>)'",
        "psql -h orders-db -c 'UPDATE orders SET x = 1'",
        "SELECT pg_promote()",
        "kubectl exec deploy/catalogue-cache -n shop -- redis-cli FLUSHALL",
        "kubectl exec deploy/catalogue-cache -n shop -- redis-cli CONFIG SET maxmemory 1gb",
        "kafka-consumer-groups --bootstrap-server kafka:9092 --group g --reset-offsets "
        "--to-latest --execute --topic t",
        "ack",
        "sev SEV1",
        'status investigating "looking"',
        "psql -h orders-db -c 'SELECT 1'",
        "kubectl get pods -n 'shop",
        "kubectl get nosuchkind",
    ],
)
def test_changes_verbs_and_broken_commands_observe_nothing(command: str) -> None:
    """A change is not a look; nor is an incident verb or a command that cannot run."""
    assert observe(command, SERVERS) is None


def test_bare_sql_and_psql_without_a_host_reach_the_server_psql_reaches() -> None:
    """Bare SQL goes to the first server; ``-d`` finds its database; ``-h`` names one."""
    assert observe("SELECT * FROM pg_locks", SERVERS).scope == "orders-db"  # type: ignore[union-attr]
    assert observe("psql -c 'SELECT * FROM pg_locks'", SERVERS).scope == "orders-db"  # type: ignore[union-attr]
    seen = observe("psql -h orders-db-replica-1.shop.svc -c 'TABLE pg_locks'", SERVERS)
    assert seen is None or seen.scope == "orders-db-replica-1"


def _read_steps() -> list[tuple[str, str]]:
    out = []
    for folder in sorted(SCENARIOS.iterdir()):
        for md in sorted((folder / "runbooks").glob("*.md")):
            for sec, step in parse_runbook(md).steps:
                if sec.kind in LOOK_KINDS:
                    out += [(folder.name, cmd) for cmd in step.commands]
    return out


@pytest.mark.parametrize(("scenario", "command"), _read_steps())
def test_every_bundled_look_step_observes_something_and_covers_itself(
    scenario: str, command: str
) -> None:
    """Every kubectl/psql/redis/Kafka command of a bundled assessment or diagnosis step
    has an observation (so another spelling of it can earn the step) and covers itself."""
    servers = servers_of(bundled(scenario))
    seen = observe(command, servers)
    if command.split()[0] in ("silence", "alerts", "ack", "sev"):
        assert seen is None
        return
    assert seen is not None, command
    assert covers(seen, seen)


_KINDS = st.sampled_from(["pods", "po", "deploy", "svc", "nodes", "events", "rs"])
_NS = st.sampled_from(["shop", "identity", "default"])
_SEL = st.lists(st.sampled_from(["app=orders", "app=cart", "tier=web", "x!=y"]), max_size=3)
_VERB = st.sampled_from(["get", "describe", "top"])


def _kube(verb: str, kind: str, ns: str | None, sel: list[str]) -> str:
    where = " -A" if ns is None else f" -n {ns}"
    return f"kubectl {verb} {kind}{where}" + (f" -l {','.join(sel)}" if sel else "")


@given(
    st.tuples(_VERB, _KINDS, st.none() | _NS, _SEL),
    st.tuples(_VERB, _KINDS, st.none() | _NS, _SEL),
    st.tuples(_VERB, _KINDS, st.none() | _NS, _SEL),
)
def test_covering_is_reflexive_and_transitive(a: tuple, b: tuple, c: tuple) -> None:
    """For random kubectl reads: every read covers itself, and a covers b covers c gives
    a covers c."""
    oa, ob, oc = (observe(_kube(*x)) for x in (a, b, c))
    if oa is None or ob is None or oc is None:
        return
    assert covers(oa, oa)
    if covers(oa, ob) and covers(ob, oc):
        assert covers(oa, oc)


@given(st.sampled_from(_read_steps()), st.sampled_from(_read_steps()))
def test_never_across_tools(first: tuple[str, str], second: tuple[str, str]) -> None:
    """A read of one tool never covers a read of another (kubectl, psql, redis, df...)."""
    a, b = observe(first[1], SERVERS), observe(second[1], SERVERS)
    if a is not None and b is not None and a.tool != b.tool:
        assert not covers(a, b) and not covers(b, a)
