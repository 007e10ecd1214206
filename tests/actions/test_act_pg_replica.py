"""A primary and its read replica through the real Session: psql's views of replication,
stale reads while the replica lags, and the fixes the world honours (no string matching)."""

from __future__ import annotations

import re

from act_support import load

from gameday.session.session import Session
from gameday.world import replicas

SCENARIO = "replica-lag-stale-reads"
PRIMARY = "psql -h orders-db -U postgres -d orders -c"
REPLICA = "psql -h orders-db-replica-1 -U postgres -d orders -c"
LSN = r"[0-9A-F]{1,8}/[0-9A-F]{1,8}"


def _session(onset: float = 240.0) -> Session:
    return Session(load(SCENARIO, onset=onset), seed=1)


def _lag(session: Session) -> float:
    return replicas.lag_of(session.world, "orders-db-replica-1")


def test_pg_stat_replication_shows_the_standby_as_postgres_15_does() -> None:
    """On the primary one walsender row, LSNs as hi/lo hex, intervals as psql prints them;
    the standby's own pg_stat_replication is empty and its walreceiver streams."""
    session = _session()
    session.advance_to(600)
    out = session.perform(f'{PRIMARY} "SELECT * FROM pg_stat_replication"').output
    head, rule, row, count = out.split("\n")
    assert [c.strip() for c in head.split("|")][:4] == [
        "pid",
        "usesysid",
        "usename",
        "application_name",
    ]
    assert head.split("|")[-1].strip() == "reply_time" and count == "(1 row)"
    cells = [c.strip() for c in row.split("|")]
    assert cells[3] == "orders-db-replica-1" and cells[9] == "streaming"
    assert all(re.fullmatch(LSN, c) for c in cells[10:14]), cells
    assert cells[10] == cells[11] == cells[12] != cells[13]  # received, not replayed
    assert re.fullmatch(r"00:00:00\.\d{6}", cells[14]) and re.fullmatch(
        r"00:0\d:\d\d\.\d+", cells[16]
    )
    assert cells[17:19] == ["0", "async"]
    standby = session.perform(f'{REPLICA} "SELECT count(*) FROM pg_stat_replication"').output
    assert standby.split("\n")[2].strip() == "0"
    receiver = session.perform(f'{REPLICA} "SELECT status, sender_host FROM pg_stat_wal_receiver"')
    assert receiver.output.split("\n")[2] == " streaming | orders-db"


def test_recovery_functions_answer_on_each_side_as_postgres_does() -> None:
    """pg_current_wal_lsn() fails during recovery, pg_promote() outside it; the pg_last_*
    functions are NULL on a primary; the bytes behind agree with pg_wal_lsn_diff."""
    session = _session()
    session.advance_to(600)
    out = session.perform(f'{REPLICA} "SELECT pg_current_wal_lsn()"')
    assert not out.ok and out.output == (
        "ERROR:  recovery is in progress\n"
        "HINT:  WAL control functions cannot be executed during recovery."
    )
    out = session.perform(f'{PRIMARY} "SELECT pg_promote()"')
    assert out.output == (
        "ERROR:  recovery is not in progress\n"
        "HINT:  Recovery control functions can only be executed during recovery."
    )
    out = session.perform(f'{PRIMARY} "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()"')
    assert out.output.split("\n")[2] == " f                 | "
    out = session.perform(
        f'{REPLICA} "SELECT pg_is_in_recovery(), pg_wal_lsn_diff(pg_last_wal_receive_lsn(), '
        'pg_last_wal_replay_lsn()) AS behind, now() - pg_last_xact_replay_timestamp() AS delay"'
    ).output
    recovering, behind, delay = (c.strip() for c in out.split("\n")[2].split("|"))
    world = session.world
    standby = world.databases["orders-db-replica-1"].standby
    assert recovering == "t" and int(behind) == standby.flush - standby.replay > 10**9
    _hours, minutes, seconds = delay.split(":")
    since_tick = session.now - world.databases["orders-db"].replication.now  # now() moves on
    assert abs(int(minutes) * 60 + float(seconds) - _lag(session) - since_tick) < 1.0
    out = session.perform(
        f"{PRIMARY} \"SELECT pg_size_pretty(pg_wal_lsn_diff('1/49C8088', "
        "'0/41F09B8')), '0/49C8088'::pg_lsn - '0/41F09B8'::pg_lsn AS d\""
    )
    assert out.output.split("\n")[2] == " 4104 MB        | 8222416"  # as PostgreSQL 15.18 printed


def test_stale_reads_happen_exactly_while_the_lag_exceeds_the_freshness_window() -> None:
    """The confirmation read comes 1-4 s after the write: orders fails reads of rows the
    replica has not replayed from the moment the lag passes 1 s, all of them past 4 s, and
    none before the import or after the replica caught up."""
    session = _session(onset=240.0)
    seen = []
    while session.now < 1500:
        session.advance(15.0)
        if session.now == 900:
            pid = session.world.faults["marketplace-backfill"].blocker_pid
            assert session.perform(f'{PRIMARY} "SELECT pg_cancel_backend({pid})"').changed
        world = session.world
        stale = replicas.stale_ratio(world, "orders", world.serving_pods("orders"))
        seen.append((session.now, _lag(session), stale, world.status["orders"].error_ratio))
    for _t, lag, stale, err in seen:
        assert (stale > 0) == (lag > 1.0)
        assert err >= stale * 0.999
        if lag <= 1.0:
            assert err < 0.002
        if 4.0 <= lag < 120.0:
            assert abs(stale - 0.25) < 1e-9  # every confirmation read, no history read yet
    lagging = [t for t, lag, _, _ in seen if lag > 1.0]
    assert lagging[0] == 255.0 and 900 < lagging[-1] < 1500  # drains after the cancel


def test_reads_routed_to_the_primary_stop_the_errors_while_the_replica_still_lags() -> None:
    """kubectl set env READ_FROM_REPLICA=false rolls orders; new pods read the primary, so
    the stale reads end while the import still runs and the replica still lags."""
    session = _session()
    session.advance_to(480)
    out = session.perform("kubectl set env deployment/orders READ_FROM_REPLICA=false -n shop")
    assert out.ok and out.output == "deployment.apps/orders env updated"
    session.advance_to(720)
    world = session.world
    assert replicas.replica_share(world, "orders", world.serving_pods("orders")) == 0.0
    assert _lag(session) > 100 and world.status["orders"].error_ratio < 0.002
    relieved = [e.data["fault"] for e in session.events if e.kind == "fault.relieved"]
    assert "marketplace-backfill" in relieved


def test_promoting_the_lagging_replica_makes_stale_reads_permanent() -> None:
    """pg_promote() waits 60 s, warns and returns f while the backlog replays; once
    promoted the replica leaves recovery and pg_stat_replication, and the history reads
    that still go to it fail more and more (a red herring that makes it worse)."""
    session = _session()
    session.advance_to(480)
    out = session.perform(f'{REPLICA} "SELECT pg_promote()"')
    assert out.changed and out.output.startswith(
        "WARNING:  server did not promote within 60 seconds\n"
    )
    assert out.output.endswith(" pg_promote \n------------\n f\n(1 row)")
    session.advance_to(1800)
    out = session.perform(f'{REPLICA} "SELECT pg_is_in_recovery()"').output
    assert out.split("\n")[2] == " f"
    out = session.perform(f'{PRIMARY} "SELECT count(*) FROM pg_stat_replication"').output
    assert out.split("\n")[2].strip() == "0"
    world = session.world
    assert _lag(session) > 1200 and world.status["orders"].error_ratio > 0.26


def test_the_exporters_scrape_lag_into_the_tsdb() -> None:
    """postgres_exporter names: pg_replication_lag_seconds and _is_replica from each
    server, pg_stat_replication_pg_wal_lsn_diff per walsender from the primary."""
    session = _session()
    session.advance_to(600)
    tsdb = session.tsdb
    lag = tsdb.series(
        {
            "__name__": "pg_replication_lag_seconds",
            "job": "postgres-exporter",
            "server": "orders-db-replica-1:5432",
        }
    )
    assert lag is not None and lag.v[-1] > 100 and lag.v[0] == 0.0
    primary = tsdb.series(
        {
            "__name__": "pg_replication_is_replica",
            "job": "postgres-exporter",
            "server": "orders-db:5432",
        }
    )
    assert primary is not None and set(primary.v) == {0.0}
    diff = tsdb.series(
        {
            "__name__": "pg_stat_replication_pg_wal_lsn_diff",
            "job": "postgres-exporter",
            "server": "orders-db:5432",
            "application_name": "orders-db-replica-1",
            "client_addr": session.world.databases["orders-db-replica-1"].standby.client_addr,
            "state": "streaming",
        }
    )
    assert diff is not None and diff.v[-1] > 1e9
