"""Streaming replication as PostgreSQL 15 keeps it: WAL, replay, lag, conflicts, promotion."""

from __future__ import annotations

import pytest

from gameday.world.database import Backend
from gameday.world.database.replication import (
    CONFLICT_MESSAGE,
    MIB,
    PROMOTED,
    Replication,
    Standby,
    lsn_text,
    parse_lsn,
)

DT = 15.0


def _primary(replay_mib: float = 60.0, **standby: object) -> tuple[Replication, Standby]:
    rep = Replication.start(0.5 * MIB, seed=1, name="orders-db")
    s = Standby("orders-db-replica-1", replay_mib * MIB, **standby)  # type: ignore[arg-type]
    rep.attach(s, 0.0)
    return rep, s


def _run(rep: Replication, until: float, importing: tuple[float, float], rate: float) -> list:
    """Advance tick by tick; the import writes ``rate`` MiB/s during ``importing``."""
    log = []
    t = rep.now
    while t < until:
        t += DT
        extra = rate * MIB if importing[0] < t <= importing[1] else 0.0
        rep.advance(t, DT, extra)
        s = next(iter(rep.standbys.values()))
        log.append((t, rep.lag_bytes(s), rep.lag_seconds(s)))
    return log


def test_lsn_text_is_postgres_pg_lsn_format() -> None:
    """An LSN prints as two hex halves without padding and parses back; junk is refused
    with PostgreSQL's message."""
    assert lsn_text(0x3000148) == "0/3000148"
    assert lsn_text((0x71 << 32) | 0xE3000000) == "71/E3000000"
    assert parse_lsn("71/E3000000") == (0x71 << 32) | 0xE3000000
    with pytest.raises(ValueError, match='invalid input syntax for type pg_lsn: "nope"'):
        parse_lsn("nope")


def test_lag_grows_with_a_bulk_import_and_drains_after_it_stops() -> None:
    """WAL written at 90 MiB/s against a 60 MiB/s replay: the backlog grows by 30 MiB/s
    for the ten minutes of the import, then drains at 59.5 MiB/s (replay minus the
    normal workload) and the lag is gone."""
    rep, s = _primary()
    log = _run(rep, 1800.0, (60.0, 660.0), 90.0)
    during = [b for t, b, _ in log if 60 < t <= 660]
    assert all(b2 > b1 for b1, b2 in zip(during, during[1:], strict=False))
    peak = max(b for _, b, _ in log)
    assert peak == pytest.approx(30 * MIB * 600, rel=0.03)
    # In seconds: at the import's end the replica replays WAL written 202 s earlier, and it
    # keeps getting older until the import's WAL is done (600 s x (90.5 / 60 - 1) = 305 s).
    at_end = next(sec for t, _, sec in log if t == 660.0)
    assert at_end == pytest.approx(600 * (1 - 60 / 90.5), rel=0.05)
    assert max(sec for _, _, sec in log) == pytest.approx(600 * (90.5 / 60 - 1), rel=0.05)
    caught_up = next(t for t, b, _ in log if t > 660 and b == 0)
    assert caught_up - 660 == pytest.approx(peak / (59.5 * MIB), abs=2 * DT)
    assert log[-1][1:] == (0, 0.0)


def test_without_an_import_the_replica_keeps_up() -> None:
    """The normal workload's WAL is replayed within the tick: no lag in bytes or seconds."""
    rep, s = _primary()
    log = _run(rep, 600.0, (0.0, 0.0), 0.0)
    assert {b for _, b, _ in log} == {0}


def _query(started: float) -> Backend:
    return Backend(
        pid=31337,
        datname="orders",
        usename="analytics",
        application_name="metabase",
        client_addr="10.244.1.9",
        backend_start=started,
        state="active",
        query="SELECT count(*) FROM orders",
        query_start=started,
        xact_start=started,
    )


def test_a_conflicting_query_is_cancelled_with_postgres_message_after_the_delay() -> None:
    """hot_standby_feedback off: replay stops at the cleanup the query's snapshot
    conflicts with, waits max_standby_streaming_delay (30 s) after that WAL came, then
    cancels the query as PostgreSQL 15 does and replays on."""
    rep, s = _primary(hot_standby_feedback=False, max_standby_streaming_delay=30.0)
    q = _query(started=0.0)
    s.queries.append(q)
    log = _run(rep, 300.0, (0.0, 0.0), 0.0)
    assert q.error == CONFLICT_MESSAGE
    assert q.error.startswith("ERROR:  canceling statement due to conflict with recovery\n")
    assert s.conflicts == 1 and s.queries == [] and s.waiting_since is None
    lagging = [t for t, b, _ in log if b > 0]
    # the cleanup was written at 60 s (VACUUM_AFTER); replay waited 30 s from there
    assert lagging and lagging[0] == pytest.approx(75.0) and lagging[-1] <= 90.0 + DT
    assert log[-1][1] == 0


def test_with_an_unlimited_delay_replay_waits_until_the_query_goes() -> None:
    """max_standby_streaming_delay = -1: the startup process waits for ever, the lag
    grows; cancelling the query lets replay go on and catch up."""
    rep, s = _primary(hot_standby_feedback=False, max_standby_streaming_delay=-1.0)
    q = _query(started=0.0)
    s.queries.append(q)
    log = _run(rep, 900.0, (0.0, 0.0), 0.0)
    assert q.error is None and s.waiting_since is not None
    assert log[-1][2] > 800 and all(
        b2 >= b1 for (_, b1, _), (_, b2, _) in zip(log, log[1:], strict=False)
    )
    s.queries.remove(q)  # pg_cancel_backend on the replica
    log = _run(rep, 960.0, (0.0, 0.0), 0.0)
    assert log[-1][1:] == (0, 0.0)


def test_hot_standby_feedback_never_conflicts() -> None:
    """With hot_standby_feedback the primary keeps the rows: a long query never stops replay."""
    rep, s = _primary(hot_standby_feedback=True, max_standby_streaming_delay=-1.0)
    s.queries.append(_query(started=0.0))
    log = _run(rep, 900.0, (0.0, 0.0), 0.0)
    assert {b for _, b, _ in log} == {0} and s.conflicts == 0


def test_promotion_replays_what_was_received_then_leaves_recovery() -> None:
    """pg_promote(): the walreceiver stops at once, replay finishes the received backlog,
    then recovery ends on timeline 2; the primary's later WAL never reaches it."""
    rep, s = _primary()
    _run(rep, 660.0, (60.0, 660.0), 90.0)
    received = s.flush
    backlog = received - s.replay
    rep.promote(s)
    log = _run(rep, 1500.0, (0.0, 0.0), 0.0)
    assert s.state == PROMOTED and s.timeline == 2 and not s.in_recovery
    assert s.flush == received and s.replay == received
    assert s.end_lsn == received + 0x30
    assert rep.lag_bytes(s) > 0  # the primary wrote on; the promoted server never sees it
    assert log[-1][2] > log[-2][2]  # what it serves gets older every second
    assert backlog > 0
