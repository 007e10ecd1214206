"""Differential tests: the simulated psql against a real PostgreSQL 15 on loopback.

A throwaway cluster (Debian's postgresql-15 binaries) gets the slow-query scenario's
tables; the same meta-commands, SET/SHOW and error cases must print byte for byte what
the real psql prints, and EXPLAIN the same plan shapes (node types, index names, Filter,
Index Cond and Sort Key lines; costs depend on the table's real size). Skipped when the
binaries are absent or the server cannot start.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from act_support import FakeContext, load

from gameday.tools import execute

pytestmark = pytest.mark.slow
BIN = Path("/usr/lib/postgresql/15/bin")
SCHEMA = """
CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint NOT NULL,
  customer_ref uuid NOT NULL, status text NOT NULL DEFAULT 'new', total_cents integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz);
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
CREATE INDEX orders_customer_ref_idx ON orders (customer_ref);
CREATE TABLE order_items (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE customers (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO orders (customer_id, customer_ref, total_cents)
  SELECT g % 40000, gen_random_uuid(), g FROM generate_series(1, 200000) g;
ANALYZE;
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def real() -> Iterator[list[str]]:
    """``psql`` argv prefix for a running real server, torn down after the module."""
    if not (BIN / "initdb").exists() or shutil.which("psql") is None:
        pytest.skip("PostgreSQL 15 binaries not installed (apt-get install postgresql-15)")
    # not under pytest's tmp dir: as root that is private, and the server runs as postgres
    root = Path(tempfile.mkdtemp(prefix="gameday-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser")
        shutil.chown(root, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", _free_port()
    run = [*as_user, str(BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
    if subprocess.run(run, capture_output=True).returncode != 0:
        pytest.skip("initdb failed")
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_parallel_workers_per_gather=0"
    ctl = [*as_user, str(BIN / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w"]
    if subprocess.run([*ctl, "-o", opts, "start"], capture_output=True).returncode != 0:
        pytest.skip("the PostgreSQL server did not start")
    psql = ["psql", "-X", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "postgres"]
    try:
        for _ in range(50):
            if subprocess.run([*psql, "-c", "SELECT 1"], capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        subprocess.run([*psql, "-c", SCHEMA], capture_output=True, check=True)
        yield psql
    finally:
        subprocess.run([*ctl, "-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def real_out(psql: list[str], command: str) -> str:
    done = subprocess.run([*psql, "-c", command], capture_output=True, text=True)
    return (done.stdout + done.stderr).rstrip("\n")


@pytest.fixture(scope="module")
def sim() -> FakeContext:
    ctx = FakeContext(load("slow-query-regression"))
    ctx.run(60)
    return ctx


def sim_out(ctx: FakeContext, command: str) -> str:
    return execute(ctx, f'psql -h orders-db -U postgres -d orders -c "{command}"').output


@pytest.mark.parametrize(
    "command",
    [
        r"\d orders",
        r"\d customers",
        r"\dt",
        r"\dt order*",
        r"\di",
        r"\di orders*",
        r"\d nosuch",
        "SHOW statement_timeout",
        "SET statement_timeout = 90000; SHOW statement_timeout",
        "SET lock_timeout TO '1min'; SHOW lock_timeout",
        "SET lock_timeout = '1500ms'; SHOW lock_timeout",
        "SET statement_timeout = 'abc'",
        "SET statement_timeout = '5 parsecs'",
        "SET nosuch = 1",
        "SET max_connections = 5",
        "SHOW max_parallel_workers_per_gather",
        "CREATE INDEX x ON nosuch (id)",
        "CREATE INDEX orders_pkey ON orders (id)",
        "EXPLAIN SELECT * FROM orders WHERE id = $1",
        "EXPLAIN SELECT * FROM orders WHERE customer_ref::text = $1 ORDER BY created_at DESC LIMIT 20",
        "EXPLAIN SELECT * FROM nosuch",
        "SELECT * FROM unnest(ARRAY[1,2,3])",
        "SELECT unnest(ARRAY['a','b']) AS x, 1",
        "SELECT unnest(ARRAY[1,2]), unnest(ARRAY[1,2,3])",
        "SELECT x FROM unnest(ARRAY[3,1]) AS t(x) ORDER BY x",
        "SELECT unnest(ARRAY[]::int[])",
        "EXPLAIN SELECT nosuchcol FROM orders",
        "EXPLAIN SELECT * FROM orders WHERE id = $1 AND status = 'new' AND customer_id = 12345678",
        # replication, as a primary without standbys answers it
        "SELECT * FROM pg_stat_replication",
        "SELECT * FROM pg_stat_wal_receiver",
        "SELECT pg_is_in_recovery(), pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(), "
        "pg_last_xact_replay_timestamp()",
        "SELECT pg_promote()",
        "SELECT pg_is_wal_replay_paused()",
        "SELECT pg_wal_lsn_diff('1/49C8088', '0/41F09B8') AS bytes, "
        "pg_size_pretty(pg_wal_lsn_diff('1/49C8088', '0/41F09B8')) AS pretty",
        "SELECT '0/3000148'::pg_lsn AS a, pg_lsn('16/B374D848') AS b, "
        "'0/3000148'::pg_lsn - '0/3000000'::pg_lsn AS d",
        "SELECT pg_size_pretty(10239::bigint) AS a, pg_size_pretty(10240::bigint) AS b, "
        "pg_size_pretty(1048575::bigint) AS c, pg_size_pretty(123456789012345::bigint) AS d, "
        "pg_size_pretty(-20000::bigint) AS e",
        "SELECT 'nope'::pg_lsn",
    ],
)
def test_same_text_as_real_psql(real: list[str], sim: FakeContext, command: str) -> None:
    """The simulation prints what psql 15 against PostgreSQL 15 prints."""
    assert sim_out(sim, command) == real_out(real, command)


def _shape(text: str) -> list[str]:
    """Plan lines without the numbers that depend on the table's size."""
    return [re.sub(r"  \(cost=[^)]*\)", "", line) for line in text.splitlines()[2:-1]]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM orders WHERE id = 42",
        "SELECT * FROM orders WHERE customer_ref::text = 'abc' ORDER BY created_at DESC LIMIT 20",
        "SELECT id, status FROM orders WHERE customer_id = 7",
        "SELECT * FROM orders WHERE status = 'new' AND customer_id = 7",
        "UPDATE orders SET status = 'x' WHERE id = 42",
    ],
)
def test_same_plan_shape_as_real_postgres(real: list[str], sim: FakeContext, query: str) -> None:
    """EXPLAIN chooses the same nodes, indexes and conditions as PostgreSQL 15."""
    assert _shape(sim_out(sim, f"EXPLAIN {query}")) == _shape(real_out(real, f"EXPLAIN {query}"))


def test_expression_index_reads_the_same_and_changes_the_plan(
    real: list[str], sim: FakeContext
) -> None:
    """After the DBA's expression index (last: it changes both servers), \\d and EXPLAIN agree."""
    fix = "CREATE INDEX CONCURRENTLY orders_ref_text_idx ON orders ((customer_ref::text))"
    assert sim_out(sim, fix) == real_out(real, fix) == "CREATE INDEX"
    sim.run(sim.now + 1300)  # the simulated build takes its 20 minutes
    real_out(real, "ANALYZE orders")
    assert sim_out(sim, r"\d orders") == real_out(real, r"\d orders")
    query = "EXPLAIN SELECT * FROM orders WHERE customer_ref::text = 'abc'"
    assert _shape(sim_out(sim, query)) == _shape(real_out(real, query))
