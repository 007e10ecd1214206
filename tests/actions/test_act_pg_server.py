"""The database as a PostgreSQL server: connection slots, sessions, the exporter's view.

Specs for what users found wrong: ``max_connections`` never enforced, a slow query
never visible in ``pg_stat_activity`` (idle sessions while the pool was 40/40 busy),
the fault's query text nowhere. Each reads the world through psql and the metrics, as
a responder and a dashboard would.
"""

from __future__ import annotations

from typing import Any

import yaml
from act_support import SCENARIOS, FakeContext, load

from gameday.scenario.model import Scenario
from gameday.tools import execute
from gameday.world.metrics import Exposition

PSQL = 'psql -h orders-db -U {user} -d orders -At -c "{sql}"'


def scenario(db: dict[str, Any], replicas: int = 8, sid: str = "db-pool-exhaustion") -> Scenario:
    """A bundled scenario with its orders service's replicas and database changed."""
    data = yaml.safe_load((SCENARIOS / sid / "scenario.yaml").read_text())
    for svc in data["world"]["services"]:
        if svc["name"] == "orders":
            svc["replicas"] = replicas
    data["world"]["databases"][0].update(db)
    return Scenario.model_validate(data)


def psql(ctx: FakeContext, sql: str, user: str = "postgres") -> list[list[str]]:
    r = execute(ctx, PSQL.format(user=user, sql=sql))
    assert r.ok, r.output
    return [line.split("|") for line in r.output.splitlines()]


def series(ctx: FakeContext, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    labels, values = Exposition(ctx.world).collect()
    out = {}
    for lab, v in zip(labels, values, strict=True):
        d = dict(lab)
        if d["__name__"] == name:
            out[tuple((k, x) for k, x in lab if k != "__name__")] = v
    return out


def test_max_connections_is_enforced():
    """80 pool connections against max_connections 50: the pools get 47, the rest refused."""
    ctx = FakeContext(scenario({"max_connections": 50}))
    ctx.run(120)
    db = ctx.world.databases["orders-db"]
    app_rows = psql(ctx, "SELECT count(*) FROM pg_stat_activity WHERE usename = 'orders_app'")
    assert int(app_rows[0][0]) == 47 - 1  # the exporter holds one of the 47 slots
    assert db.connections == 47
    assert ctx.world.status["orders"].pool_size <= 46
    assert sum(p.refused for p in db.pools.values()) > 0


def test_pods_without_connections_fail_requests():
    """A pool the server refuses serves nothing: the service errors at healthy load."""
    ok = FakeContext(scenario({"max_connections": 200}, replicas=3))
    starved = FakeContext(scenario({"max_connections": 12}, replicas=3))
    ok.run(240)
    starved.run(240)
    assert ok.world.status["orders"].error_ratio < 0.01
    assert starved.world.status["orders"].pool_size == 8
    assert starved.world.status["orders"].rejected > 0.1


def test_superuser_takes_a_reserved_slot_an_app_role_does_not():
    """When the app roles fill their slots, postgres still connects; orders_app gets FATAL."""
    ctx = FakeContext(scenario({"max_connections": 50}))
    ctx.run(60)
    assert psql(ctx, "SELECT 1") == [["1"]]
    r = execute(ctx, PSQL.format(user="orders_app", sql="SELECT 1"))
    assert not r.ok
    assert r.output == (
        f'psql: error: connection to server at "orders-db" ({ctx.world.databases["orders-db"].address}),'
        " port 5432 failed: FATAL:  remaining connection slots are reserved for"
        " non-replication superuser connections"
    )


def test_a_full_server_refuses_even_the_superuser():
    """With no reserved slots the pools take all of them and psql prints PostgreSQL's FATAL."""
    ctx = FakeContext(scenario({"max_connections": 40, "superuser_reserved_connections": 0}))
    ctx.run(60)
    r = execute(ctx, 'psql -h orders-db -U postgres -d orders -c "SELECT 1"')
    svc = execute(ctx, "kubectl get svc orders-db -n shop")
    ip = svc.output.splitlines()[1].split()[2]
    assert not r.ok
    assert r.output == (
        f'psql: error: connection to server at "orders-db" ({ip}), port 5432 failed: '
        "FATAL:  sorry, too many clients already"
    )


def test_slow_query_shows_as_many_active_copies():
    """At the morning peak the pool is busy running the fault's query, visibly."""
    ctx = FakeContext(load("slow-query-regression"))
    ctx.run(1200)
    fault_query = ctx.scenario.faults[0].params["query"]
    status = ctx.world.status["orders"]
    assert status.pool_in_use >= status.pool_size - 1  # saturated
    rows = psql(
        ctx,
        "SELECT state, wait_event_type, wait_event, query, count(*) FROM pg_stat_activity "
        "WHERE usename = 'orders_app' GROUP BY 1, 2, 3, 4 ORDER BY 5 DESC",
    )
    top = rows[0]
    assert top[:4] == ["active", "IO", "DataFileRead", fault_query]
    assert int(top[4]) >= status.pool_size // 2
    active = sum(int(r[4]) for r in rows if r[0] == "active")
    idle = sum(int(r[4]) for r in rows if r[0] == "idle")
    assert active == status.pool_in_use
    assert idle == status.pool_size - status.pool_in_use


def test_pool_counts_rows_and_exporter_agree():
    """hikaricp's active count, pg_stat_activity's rows and postgres_exporter's series agree."""
    ctx = FakeContext(load("db-pool-exhaustion"))
    ctx.run(900)
    rows = psql(
        ctx, "SELECT state, count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() GROUP BY 1"
    )
    by_state = {r[0]: int(r[1]) for r in rows}
    exported = {dict(k)["state"]: v for k, v in series(ctx, "pg_stat_activity_count").items()}
    assert {s: n for s, n in exported.items() if n} == by_state
    assert set(exported) >= {"active", "idle", "idle in transaction", "disabled"}
    (numbackends,) = series(ctx, "pg_stat_database_numbackends").values()
    assert numbackends == sum(by_state.values())
    app = psql(
        ctx,
        "SELECT count(*) FROM pg_stat_activity WHERE usename = 'orders_app' AND state <> 'idle'",
    )
    (hikari,) = series(ctx, "hikaricp_connections_active").values() or [None]
    assert int(app[0][0]) == hikari == ctx.world.status["orders"].pool_in_use
    (max_conn,) = series(ctx, "pg_settings_max_connections").values()
    assert max_conn == 200


def test_session_times_are_ordered_and_consistent():
    """backend_start <= xact_start <= query_start <= state_change <= now(); idle has no xact."""
    ctx = FakeContext(load("db-pool-exhaustion"))
    ctx.run(900)
    bad = psql(
        ctx,
        "SELECT pid, state FROM pg_stat_activity WHERE NOT ("
        "backend_start <= coalesce(xact_start, query_start) AND "
        "coalesce(xact_start, query_start) <= query_start AND query_start <= state_change "
        "AND state_change <= now()) OR (state = 'idle' AND xact_start IS NOT NULL) "
        "OR (state <> 'idle' AND xact_start IS NULL)",
    )
    assert bad == []
    waiting = psql(
        ctx,
        "SELECT min(now() - query_start) FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
    )
    assert waiting[0][0] > "00:00:00"


def test_running_queries_started_within_their_hold_time_of_now():
    """Asked between two ticks of the world, ``pg_stat_activity`` shows the pool's running
    queries (80 ms each here) started within 80 ms of the asker's ``now()``, and nothing
    started after it; the queries waiting on the archiver's lock keep their real age.
    (Rows drawn at the last tick showed a primary-key SELECT active for 14 s.)"""
    ctx = FakeContext(scenario({}, replicas=3))
    hold = 0.08
    for until, waiting in ((180, False), (900, True)):
        ctx.run(until)
        ctx.now += 14.0  # a question asked 14 s after the last tick
        rows = psql(
            ctx,
            "SELECT state, coalesce(wait_event_type, ''), "
            "extract(epoch from now() - query_start) FROM pg_stat_activity "
            "WHERE usename = 'orders_app' AND state = 'active'",
        )
        running = [float(age) for state, wait, age in rows if wait == ""]
        locked = [float(age) for state, wait, age in rows if wait == "Lock"]
        assert running and all(0 <= age <= hold for age in running), rows
        assert bool(locked) == waiting
        assert all(age > 14.0 for age in locked), locked
        ages = psql(ctx, "SELECT extract(epoch from now() - query_start) FROM pg_stat_activity")
        assert all(float(a) >= 0 for (a,) in ages if a != ""), ages
        ctx.now -= 14.0
