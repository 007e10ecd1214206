"""EXPLAIN, SET/SHOW and CREATE INDEX CONCURRENTLY as a fix that takes the time it takes.

The slow-query scenario's lookup casts ``customer_ref`` to text, so no index serves it:
EXPLAIN shows a Seq Scan, and the database holds each pooled connection eight times
longer. An expression index built concurrently fixes it causally: while it builds
(in proportion to the table's 90 million rows) nothing changes; once valid, the plan
is an Index Scan and the pool drains. Expected plan text was checked against a real
PostgreSQL 15 (max_parallel_workers_per_gather = 0) for the same shapes.
"""

from __future__ import annotations

import yaml
from act_support import SCENARIOS, FakeContext, load

from gameday.scenario.model import Scenario
from gameday.tools import execute

PSQL = 'psql -h orders-db -U postgres -d orders -c "{}"'
SLOW = "SELECT * FROM orders WHERE customer_ref::text = 'abc' ORDER BY created_at DESC LIMIT 20"
FIX = "CREATE INDEX CONCURRENTLY orders_ref_text_idx ON orders ((customer_ref::text))"


def psql(ctx: FakeContext, sql: str) -> str:
    return execute(ctx, PSQL.format(sql)).output


def test_explain_shows_the_seq_scan_of_the_cast():
    """EXPLAIN prints PostgreSQL's plan text: Limit, Sort, Seq Scan with the cast filter."""
    ctx = FakeContext(load("slow-query-regression"))
    ctx.run(600)
    lines = psql(ctx, f"EXPLAIN {SLOW}").splitlines()
    assert lines[0].strip() == "QUERY PLAN"
    assert lines[2].startswith(" Limit  (cost=")
    assert lines[3].startswith("   ->  Sort  (cost=")
    assert lines[4] == "         Sort Key: created_at DESC"
    assert lines[5].startswith("         ->  Seq Scan on orders  (cost=0.00..")
    assert lines[6] == "               Filter: ((customer_ref)::text = 'abc'::text)"
    assert lines[-1] == "(5 rows)"


def test_explain_of_a_key_lookup_uses_the_primary_key():
    """An equality on an indexed column is an Index Scan with PostgreSQL's btree costs."""
    ctx = FakeContext(load("slow-query-regression"))
    ctx.run(60)
    out = psql(ctx, "EXPLAIN SELECT * FROM orders WHERE id = 42").splitlines()
    assert out[2] == " Index Scan using orders_pkey on orders  (cost=0.57..8.59 rows=1 width=58)"
    assert out[3] == "   Index Cond: (id = 42)"


def test_explain_of_a_parameterised_query_fails_as_in_postgres_15():
    """PostgreSQL 15 cannot EXPLAIN a query with $1 (GENERIC_PLAN came in 16)."""
    ctx = FakeContext(load("slow-query-regression"))
    ctx.run(60)
    r = execute(ctx, "psql -h orders-db -d orders -c 'EXPLAIN SELECT * FROM orders WHERE id = $1'")
    assert r.output.startswith("ERROR:  there is no parameter $1")


def test_explain_analyze_times_the_slow_query_and_statement_timeout_cancels_it():
    """EXPLAIN ANALYZE takes the database's time for it; a shorter statement_timeout cancels."""
    ctx = FakeContext(load("slow-query-regression"))
    ctx.run(600)
    out = psql(ctx, f"EXPLAIN ANALYZE {SLOW}").splitlines()
    assert "(actual time=" in out[2] and out[-3].startswith(" Planning Time: ")
    ms = float(out[-2].split()[2])
    assert 300 < ms < 340  # 40 ms hold, eight times longer
    r = execute(ctx, PSQL.format(f"SET statement_timeout = '100ms'; EXPLAIN ANALYZE {SLOW}"))
    assert not r.ok and r.output == "ERROR:  canceling statement due to statement timeout"


def test_set_lasts_for_the_session_and_show_prints_postgres_units():
    """SET applies to the rest of one psql -c; SHOW prints the largest exact unit."""
    ctx = FakeContext(load("slow-query-regression"))
    ctx.run(60)
    out = psql(ctx, "SET statement_timeout = 90000; SHOW statement_timeout")
    assert out == "SET\n statement_timeout \n-------------------\n 90s\n(1 row)"
    assert "\n 0\n" in psql(ctx, "SHOW statement_timeout")
    assert psql(ctx, "SET lock_timeout TO '1min'; SHOW lock_timeout").endswith(" 1min\n(1 row)")
    assert psql(ctx, "SET lock_timeout = 'abc'") == (
        'ERROR:  invalid value for parameter "lock_timeout": "abc"'
    )
    assert psql(ctx, "SET nosuch = 1") == 'ERROR:  unrecognized configuration parameter "nosuch"'
    assert "\n 0\n" in psql(ctx, "SHOW max_parallel_workers_per_gather")


def test_concurrent_index_fixes_the_slow_query_after_its_build():
    """The index builds for about 20 minutes; only then does the plan and the pool recover."""
    ctx = FakeContext(load("slow-query-regression"))
    ctx.run(900)
    assert ctx.world.status["orders"].error_ratio > 0.1
    assert psql(ctx, FIX) == "CREATE INDEX"
    db = ctx.world.databases["orders-db"]
    index = db.catalog.index("orders_ref_text_idx")
    assert index is not None and not index.valid
    assert index.ready_at == 900 + 1200  # 90 million rows, scanned twice
    ctx.run(1800)  # still building: still slow
    assert "Seq Scan on orders" in psql(ctx, f"EXPLAIN {SLOW}")
    assert ctx.world.status["orders"].error_ratio > 0.1
    building = psql(ctx, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX%'")
    assert "\n     1\n" in building
    ctx.run(2200)
    assert index.valid
    plan = psql(ctx, f"EXPLAIN {SLOW}")
    assert "Index Scan using orders_ref_text_idx on orders" in plan
    assert ctx.world.status["orders"].error_ratio < 0.01


def test_create_index_errors():
    """Unknown tables and columns, and a taken name, fail as PostgreSQL says."""
    ctx = FakeContext(load("slow-query-regression"))
    ctx.run(60)
    assert psql(ctx, "CREATE INDEX x ON nosuch (id)") == 'ERROR:  relation "nosuch" does not exist'
    assert psql(ctx, "CREATE INDEX x ON orders (nope)") == 'ERROR:  column "nope" does not exist'
    assert psql(ctx, "CREATE INDEX orders_pkey ON orders (id)") == (
        'ERROR:  relation "orders_pkey" already exists'
    )


def test_plain_create_index_blocks_writes_while_it_builds():
    """A plain CREATE INDEX takes a SHARE lock: writers wait and the pool fills."""
    data = yaml.safe_load((SCENARIOS / "db-pool-exhaustion" / "scenario.yaml").read_text())
    data["world"]["databases"][0]["tables"] = [{"name": "orders", "rows": 30_000_000}]
    ctx = FakeContext(Scenario.model_validate(data))
    ctx.run(120)  # before the scenario's own fault
    assert ctx.world.status["orders"].error_ratio < 0.01
    assert psql(ctx, "CREATE INDEX orders_created_idx ON orders (created_at)") == "CREATE INDEX"
    ctx.run(240)  # 30 million rows: a 200 s build
    assert ctx.world.databases["orders-db"].write_locked_tables() == {"orders"}
    waiting = psql(ctx, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
    assert int(waiting.splitlines()[2]) > 5
    ctx.run(360)
    assert ctx.world.databases["orders-db"].write_locked_tables() == set()


def test_describe_shows_an_index_invalid_while_it_builds():
    """``\\d orders`` lists the new index as INVALID until its concurrent build ends."""
    ctx = FakeContext(load("slow-query-regression"))
    ctx.run(300)
    psql(ctx, FIX)
    line = '    "orders_ref_text_idx" btree ((customer_ref::text))'
    assert f"{line} INVALID" in psql(ctx, r"\d orders").splitlines()
    ctx.run(1600)
    assert line in psql(ctx, r"\d orders").splitlines()
    listed = psql(ctx, r"\di orders_ref*").splitlines()
    assert listed[3] == " public | orders_ref_text_idx | index | postgres | orders"
    assert listed[-1] == "(1 row)"
    r = execute(ctx, PSQL.format(r"\d nosuch"))
    assert not r.ok and r.output == 'Did not find any relation named "nosuch".'


def test_unnest_expands_arrays_into_rows():
    """unnest() in FROM or in the select list gives one row per element (lockstep, NULL-padded)."""
    ctx = FakeContext(load("db-pool-exhaustion"))
    ctx.run(900)
    out = psql(ctx, "SELECT unnest(ARRAY[1,2]) AS a, unnest(ARRAY[1,2,3]) AS b")
    assert out.splitlines()[2:] == [" 1 | 1", " 2 | 2", "   | 3", "(3 rows)"]
    blockers = psql(
        ctx,
        "SELECT unnest(pg_blocking_pids(pid)) AS blocker, count(*) FROM pg_stat_activity "
        "GROUP BY 1",
    ).splitlines()
    blocker = ctx.world.faults["lock-holder"].blocker_pid
    assert blockers[2].split("|")[0].strip() == str(blocker)
    assert int(blockers[2].split("|")[1]) > 20 and blockers[-1] == "(1 row)"
    assert psql(ctx, "SELECT x FROM unnest(ARRAY[3,1]) AS t(x) ORDER BY x").splitlines()[2:4] == [
        " 1",
        " 3",
    ]


def test_writers_behind_a_plain_index_build_name_it_and_cancelling_it_frees_them():
    """Waiters on the build's SHARE lock wait on Lock/relation and pg_blocking_pids names
    the builder; pg_cancel_backend of the builder drops the unfinished index."""
    data = yaml.safe_load((SCENARIOS / "db-pool-exhaustion" / "scenario.yaml").read_text())
    data["world"]["databases"][0]["tables"] = [{"name": "orders", "rows": 30_000_000}]
    ctx = FakeContext(Scenario.model_validate(data))
    ctx.run(120)
    psql(ctx, "CREATE INDEX orders_created_idx ON orders (created_at)")
    ctx.run(180)
    rows = psql(
        ctx,
        "SELECT wait_event, unnest(pg_blocking_pids(pid)) AS blocker, count(*) "
        "FROM pg_stat_activity WHERE wait_event_type = 'Lock' GROUP BY 1, 2",
    ).splitlines()
    assert len(rows) == 4 and rows[2].split("|")[0].strip() == "relation"
    builder = int(rows[2].split("|")[1])
    db = ctx.world.databases["orders-db"]
    assert db.catalog.index("orders_created_idx").builder_pid == builder
    locks = psql(ctx, f"SELECT mode, granted FROM pg_locks WHERE pid = {builder}")
    assert " ShareLock | t" in locks
    assert psql(ctx, f"SELECT pg_cancel_backend({builder})").splitlines()[2] == " t"
    assert db.catalog.index("orders_created_idx") is None
    ctx.run(240)
    assert db.write_locked_tables() == set()
    assert ctx.world.status["orders"].error_ratio < 0.01
