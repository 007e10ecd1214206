"""``INFO [section]`` as Redis 7.2 prints it: ``# Section`` headers, ``field:value`` lines.

The field names and their order follow ``INFO`` of redis 7.2.4 (``genRedisInfoString``
in ``src/server.c``); values come from the simulated server. Fields the simulation has
no use for keep a real idle server's values.
"""

from __future__ import annotations

from typing import Any

from gameday.world.redis.server import RedisServer

DEFAULT = (
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "modules",
    "errorstats",
    "cluster",
    "keyspace",
)
SYSTEM_MEMORY = 16_588_275_712  # the 16 GiB node the pod runs on


def human(n: float) -> str:
    """``bytesToHuman`` of Redis: B, then K, M, G, T with two decimals (1024-based)."""
    for unit in ("B", "K", "M", "G", "T", "P"):
        if n < 1024 or unit == "P":
            return f"{n:.0f}B" if unit == "B" else f"{n:.2f}{unit}"
        n /= 1024
    return f"{n:.2f}P"


def render(server: RedisServer, sections: list[str], now: float, wall_us: int, clients: int) -> str:
    """The INFO text for ``sections`` (empty: the default set; ``all``/``everything``)."""
    wanted = [s.lower() for s in sections] or ["default"]
    names: list[str] = []
    for s in wanted:
        names += list(DEFAULT) if s in ("default", "all", "everything") else [s]
    blocks = []
    for name in dict.fromkeys(names):
        fields = _SECTIONS.get(name)
        if fields is None:
            continue  # Redis prints nothing for an unknown section
        title = "Keyspace" if name == "keyspace" else name.capitalize()
        if name == "cpu":
            title = "CPU"
        lines = [f"# {title}"] + [f"{k}:{v}" for k, v in fields(server, now, wall_us, clients)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _server(r: RedisServer, now: float, wall_us: int, clients: int) -> list[tuple[str, Any]]:
    up = max(0, int(now - r.started_at))
    return [
        ("redis_version", r.spec.version),
        ("redis_git_sha1", "00000000"),
        ("redis_git_dirty", 0),
        ("redis_build_id", "7c1b5a2e3d1f7c15"),
        ("redis_mode", "standalone"),
        ("os", "Linux 5.15.0-1057-aws x86_64"),
        ("arch_bits", 64),
        ("monotonic_clock", "POSIX clock_gettime"),
        ("multiplexing_api", "epoll"),
        ("atomicvar_api", "c11-builtin"),
        ("gcc_version", "12.2.0"),
        ("process_id", 1),
        ("process_supervised", "no"),
        ("run_id", r.run_id),
        ("tcp_port", 6379),
        ("server_time_usec", wall_us),
        ("uptime_in_seconds", up),
        ("uptime_in_days", up // 86400),
        ("hz", 10),
        ("configured_hz", 10),
        ("lru_clock", (wall_us // 1_000_000) % (1 << 24)),
        ("executable", "/data/redis-server"),
        ("config_file", ""),
        ("io_threads_active", 0),
        ("listener0", "name=tcp,bind=*,bind=-::*,port=6379"),
    ]


def _clients(r: RedisServer, now: float, wall_us: int, clients: int) -> list[tuple[str, Any]]:
    return [
        ("connected_clients", clients),
        ("cluster_connections", 0),
        ("maxclients", 10000),
        ("client_recent_max_input_buffer", 20480),
        ("client_recent_max_output_buffer", 0),
        ("blocked_clients", 0),
        ("tracking_clients", 0),
        ("clients_in_timeout_table", 0),
        ("total_blocking_keys", 0),
        ("total_blocking_keys_on_nokey", 0),
    ]


def _memory(r: RedisServer, now: float, wall_us: int, clients: int) -> list[tuple[str, Any]]:
    used = r.used_memory()
    rss = int(used * 1.08) + 2_400_000
    startup = 865_288
    overhead = startup + 20_512 * clients
    dataset = max(0, used - overhead)
    perc = f"{100 * dataset / max(1, used - startup):.2f}%"
    return [
        ("used_memory", used),
        ("used_memory_human", human(used)),
        ("used_memory_rss", rss),
        ("used_memory_rss_human", human(rss)),
        ("used_memory_peak", used),
        ("used_memory_peak_human", human(used)),
        ("used_memory_peak_perc", "100.00%"),
        ("used_memory_overhead", overhead),
        ("used_memory_startup", startup),
        ("used_memory_dataset", dataset),
        ("used_memory_dataset_perc", perc),
        ("total_system_memory", SYSTEM_MEMORY),
        ("total_system_memory_human", human(SYSTEM_MEMORY)),
        ("used_memory_lua", 31744),
        ("used_memory_lua_human", "31.00K"),
        ("maxmemory", r.maxmemory),
        ("maxmemory_human", human(r.maxmemory)),
        ("maxmemory_policy", r.policy),
        ("mem_fragmentation_ratio", f"{rss / max(1, used):.2f}"),
        ("mem_fragmentation_bytes", rss - used),
        ("mem_not_counted_for_evict", 0),
        ("mem_replication_backlog", 0),
        ("mem_clients_slaves", 0),
        ("mem_clients_normal", 20_512 * clients),
        ("mem_aof_buffer", 0),
        ("mem_allocator", "jemalloc-5.3.0"),
        ("lazyfree_pending_objects", 0),
    ]


def _persistence(r: RedisServer, now: float, wall_us: int, clients: int) -> list[tuple[str, Any]]:
    start = wall_us // 1_000_000 - max(0, int(now - r.started_at))
    return [
        ("loading", 0),
        ("async_loading", 0),
        ("current_cow_peak", 0),
        ("rdb_changes_since_last_save", round(r.stats.commands)),
        ("rdb_bgsave_in_progress", 0),
        ("rdb_last_save_time", start),
        ("rdb_last_bgsave_status", "ok"),
        ("rdb_last_bgsave_time_sec", -1),
        ("aof_enabled", 1 if r.spec.persistence else 0),
        ("aof_rewrite_in_progress", 0),
        ("aof_last_write_status", "ok"),
    ]


def _stats(r: RedisServer, now: float, wall_us: int, clients: int) -> list[tuple[str, Any]]:
    s = r.stats
    return [
        ("total_connections_received", s.connections),
        ("total_commands_processed", round(s.commands)),
        ("instantaneous_ops_per_sec", round(s.ops_per_sec)),
        ("rejected_connections", 0),
        ("sync_full", 0),
        ("sync_partial_ok", 0),
        ("sync_partial_err", 0),
        ("expired_keys", round(s.expired)),
        ("expired_stale_perc", "0.00"),
        ("expired_time_cap_reached_count", 0),
        ("evicted_keys", round(s.evicted)),
        ("evicted_clients", 0),
        ("total_eviction_exceeded_time", 0),
        ("current_eviction_exceeded_time", 0),
        ("keyspace_hits", round(s.hits)),
        ("keyspace_misses", round(s.misses)),
        ("pubsub_channels", 0),
        ("pubsub_patterns", 0),
        ("latest_fork_usec", 0),
        ("total_forks", 0),
        ("migrate_cached_sockets", 0),
    ]


def _replication(r: RedisServer, now: float, wall_us: int, clients: int) -> list[tuple[str, Any]]:
    return [
        ("role", "master"),
        ("connected_slaves", 0),
        ("master_failover_state", "no-failover"),
        ("master_replid", r.run_id[::-1]),
        ("master_replid2", "0" * 40),
        ("master_repl_offset", 0),
        ("second_repl_offset", -1),
        ("repl_backlog_active", 0),
        ("repl_backlog_size", 1048576),
        ("repl_backlog_first_byte_offset", 0),
        ("repl_backlog_histlen", 0),
    ]


def _cpu(r: RedisServer, now: float, wall_us: int, clients: int) -> list[tuple[str, Any]]:
    busy = r.stats.commands * 4e-6  # about 4 us of CPU a command
    return [
        ("used_cpu_sys", f"{busy * 0.4:.6f}"),
        ("used_cpu_user", f"{busy * 0.6:.6f}"),
        ("used_cpu_sys_children", "0.000000"),
        ("used_cpu_user_children", "0.000000"),
        ("used_cpu_sys_main_thread", f"{busy * 0.4:.6f}"),
        ("used_cpu_user_main_thread", f"{busy * 0.6:.6f}"),
    ]


def _none(r: RedisServer, now: float, wall_us: int, clients: int) -> list[tuple[str, Any]]:
    return []


def _cluster(r: RedisServer, now: float, wall_us: int, clients: int) -> list[tuple[str, Any]]:
    return [("cluster_enabled", 0)]


def _keyspace(r: RedisServer, now: float, wall_us: int, clients: int) -> list[tuple[str, Any]]:
    keys = r.keys()
    if not keys:
        return []  # Redis lists only databases that hold keys
    return [("db0", f"keys={keys},expires={keys},avg_ttl={r.avg_ttl_ms(now)}")]


_SECTIONS = {
    "server": _server,
    "clients": _clients,
    "memory": _memory,
    "persistence": _persistence,
    "stats": _stats,
    "replication": _replication,
    "cpu": _cpu,
    "modules": _none,
    "errorstats": _none,
    "cluster": _cluster,
    "keyspace": _keyspace,
}
