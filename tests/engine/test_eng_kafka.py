"""Kafka in the world: a poison record stops one partition, its lag grows, skipping the
record drains it; consumers past the partition count sit idle; resets need an empty
group; kafka_exporter's series and the tools' outputs follow the real ones."""

from __future__ import annotations

from typing import Any

import pytest

from gameday.promql import evaluate_instant
from gameday.scenario import load_scenario
from gameday.scenario.model import Scenario
from gameday.session.session import Session, Setup
from gameday.world.kafka import range_assign

GROUP = "payments-authorizer"
TOPIC = "payment-authorizations"
SERVER = "--bootstrap-server kafka:9092"


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario("kafka-poison-message").scenario


def _session(scenario: Scenario, seed: int = 1) -> Session:
    return Session(scenario, seed, Setup())


def _run(session: Session, command: str) -> Any:
    return session.perform(command, actor="spec")


def _lag(session: Session) -> list[float]:
    """``kafka_consumergroup_lag`` per partition, read back through PromQL."""
    t_ms = int(round(session.world.now * 1000))
    found = evaluate_instant(
        f'kafka_consumergroup_lag{{consumergroup="{GROUP}"}}', session.tsdb, t_ms
    )
    assert isinstance(found, list)
    by_partition = {int(dict(s.labels)["partition"]): s.value for s in found}
    return [by_partition[i] for i in range(len(by_partition))]


def _stuck(session: Session) -> int:
    lags = _lag(session)
    return lags.index(max(lags))


def _checkout_errors(session: Session) -> float:
    return session.world.status["checkout"].error_ratio


def test_a_poison_record_stops_one_partition_and_its_lag_grows(scenario: Scenario) -> None:
    """After the onset one partition's lag grows by its produce rate every scrape while
    the five others stay near zero; a sixth of checkouts time out."""
    session = _session(scenario)
    session.advance_to(480)
    first = _lag(session)
    stuck = _stuck(session)
    session.advance_to(600)
    later = _lag(session)
    assert later[stuck] - first[stuck] == pytest.approx(120 * 20, rel=0.25)  # ~20 records/s
    assert all(lag < 100 for i, lag in enumerate(later) if i != stuck)
    assert _checkout_errors(session) == pytest.approx(1 / 6, abs=0.03)


def test_skipping_the_record_in_an_empty_group_drains_the_lag(scenario: Scenario) -> None:
    """Scale to zero, ``--reset-offsets --shift-by 1 --execute`` on the stuck partition,
    scale back: the group commits past the record and the backlog drains."""
    session = _session(scenario)
    session.advance_to(600)
    stuck = _stuck(session)
    backlog = _lag(session)[stuck]
    _run(session, "kubectl scale deployment/payments-worker --replicas=0 -n shop")
    session.advance_to(630)
    reset = _run(
        session,
        f"kafka-consumer-groups.sh {SERVER} --group {GROUP} --topic {TOPIC}:{stuck} "
        "--reset-offsets --shift-by 1 --execute",
    )
    assert reset.ok, reset.output
    _run(session, "kubectl scale deployment/payments-worker --replicas=6 -n shop")
    session.advance_to(700)
    assert 1000 < _lag(session)[stuck] < backlog + 1000  # draining, not gone at once
    session.advance_to(900)
    assert max(_lag(session)) < 100
    assert _checkout_errors(session) < 0.01
    assert any(e.kind == "fault.relieved" for e in session.events)


def test_without_the_skip_the_partition_stays_stuck_whatever_the_replicas(
    scenario: Scenario,
) -> None:
    """Twelve consumers for six partitions: six get nothing (#PARTITIONS 0), and the
    stuck partition's new owner retries the same record."""
    session = _session(scenario)
    session.advance_to(600)
    stuck = _stuck(session)
    _run(session, "kubectl scale deployment/payments-worker --replicas=12 -n shop")
    session.advance_to(900)
    members = _run(
        session, f"kafka-consumer-groups.sh {SERVER} --describe --group {GROUP} --members"
    )
    counts = [line.split()[-1] for line in members.output.splitlines()[2:]]
    assert len(counts) == 12 and counts.count("0") == 6 and counts.count("1") == 6
    assert _stuck(session) == stuck and _lag(session)[stuck] > 6000
    assert _checkout_errors(session) > 0.1


def test_a_reset_needs_an_empty_group_and_execute(scenario: Scenario) -> None:
    """Kafka refuses to reset an active group; without --execute it only prints the plan."""
    session = _session(scenario)
    session.advance_to(600)
    reset = f"kafka-consumer-groups.sh {SERVER} --group {GROUP} --topic {TOPIC}:0 --reset-offsets --shift-by 1"
    refused = _run(session, reset + " --execute")
    assert not refused.ok
    assert refused.output == (
        f"\nError: Assignments can only be reset if the group '{GROUP}' is inactive, "
        "but the current state is Stable."
    )
    _run(session, "kubectl scale deployment/payments-worker --replicas=0 -n shop")
    session.advance_to(630)
    before = session.world.kafka.groups[GROUP].committed[0]
    plan = _run(session, reset)
    assert plan.output.startswith("WARN: No action will be performed as the --execute option")
    assert plan.output.splitlines()[2].split() == ["GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"]
    assert plan.output.splitlines()[3].split() == [GROUP, TOPIC, "0", str(int(before) + 1)]
    assert session.world.kafka.groups[GROUP].committed[0] == before
    described = _run(session, f"kafka-consumer-groups.sh {SERVER} --describe --group {GROUP}")
    assert described.output.startswith(f"\nConsumer group '{GROUP}' has no active members.\n")


def test_describe_prints_kafkas_columns(scenario: Scenario) -> None:
    """GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID,
    widths as ConsumerGroupCommand computes them; LAG = LOG-END-OFFSET - CURRENT-OFFSET."""
    session = _session(scenario)
    session.advance_to(120)
    out = _run(session, f"kafka-consumer-groups.sh {SERVER} --describe --group {GROUP}").output
    lines = out.split("\n")
    assert lines[0] == ""
    assert lines[1].split() == [
        "GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG",
        "CONSUMER-ID", "HOST", "CLIENT-ID",
    ]  # fmt: skip
    assert lines[1].index("TOPIC") == len(GROUP) + 1
    assert lines[1].index("PARTITION") == len(GROUP) + len(TOPIC) + 2
    rows = [line.split() for line in lines[2:] if line]
    assert sorted(int(r[2]) for r in rows) == list(range(6))
    for r in rows:
        assert int(r[5]) == int(r[4]) - int(r[3])
        assert r[7].startswith("/10.") and r[8].startswith(f"consumer-{GROUP}-")
    topics = _run(session, f"kafka-topics.sh {SERVER} --describe --topic {TOPIC}").output
    head, *parts = topics.split("\n")
    assert head.startswith(f"Topic: {TOPIC}\tTopicId: ") and "\tPartitionCount: 6\t" in head
    assert parts[0].startswith(f"\tTopic: {TOPIC}\tPartition: 0\tLeader: ")


def test_unknown_bootstrap_server_times_out_like_the_admin_client(scenario: Scenario) -> None:
    session = _session(scenario)
    out = _run(session, "kafka-consumer-groups.sh --bootstrap-server broker:9092 --list")
    assert not out.ok and "TimeoutException: Timed out waiting for a node assignment" in out.output
    missing = _run(session, f"kafka-consumer-groups.sh --describe --group {GROUP}")
    assert missing.output == 'Missing required argument "[bootstrap-server]"'


def test_a_rolling_restart_rebalances_the_whole_group_and_makes_it_worse(
    scenario: Scenario,
) -> None:
    """Each pod that starts or stops rebalances the group: every partition stops meanwhile,
    so more checkouts fail with the restart than without it, and the partition stays stuck."""
    with_it, without = _session(scenario), _session(scenario)
    for s in (with_it, without):
        s.advance_to(600)
    _run(with_it, "kubectl rollout restart deployment/payments-worker -n shop")
    failed = []
    for s in (with_it, without):
        total = 0.0
        for t in range(615, 900, 15):
            s.advance_to(t)
            total += _checkout_errors(s)
        failed.append(total)
    assert failed[0] > failed[1] * 1.2
    assert max(_lag(with_it)) > 6000


def test_range_assignor_gives_members_past_the_partition_count_nothing() -> None:
    assert range_assign(6, ["c", "a", "b"]) == {0: "a", 1: "a", 2: "b", 3: "b", 4: "c", 5: "c"}
    assert range_assign(3, ["b", "a"]) == {0: "a", 1: "a", 2: "b"}
    assert set(range_assign(2, ["a", "b", "c", "d"]).values()) == {"a", "b"}
    assert range_assign(4, []) == {}
