"""``redis-cli`` inside a pod (``kubectl exec POD -- redis-cli ...``), as redis-cli 7.2
prints it.

redis-cli formats replies for a terminal (``(integer) 5``, ``(nil)``, numbered
multi-bulk lines, ``(error) ERR ...``) only when its output is a TTY; through ``kubectl
exec`` without ``-t`` it prints raw replies (``5``, an empty line for nil), unless
``--no-raw`` is given. ``-h HOST`` reaches another Redis service; without it the pod's
own server (127.0.0.1:6379) answers. ``FLUSHALL``/``FLUSHDB`` and ``CONFIG SET
maxmemory|maxmemory-policy`` change the server.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from gameday.scenario.cache_model import POLICIES
from gameday.tools.effects import Outcome
from gameday.tools.parse import ActionError
from gameday.tools.redis_info import render
from gameday.world.redis.server import RedisServer, memory_usage

_FLAGS_WITH_VALUE = {"-h", "-p", "-n", "-a", "-u", "--user", "--pass", "-i", "-r", "--pattern"}
_BOOL_FLAGS = {"--raw", "--no-raw", "--bigkeys", "--no-auth-warning", "-c", "-e", "--tls"}
_BIGKEYS_HEAD = (
    "\n# Scanning the entire keyspace to find biggest keys as well as\n"
    "# average sizes per key type.  You can use -i 0.1 to sleep 0.1 sec\n"
    "# per 100 SCAN commands (not usually needed).\n"
)


def arguments(args: list[str]) -> tuple[dict[str, str], list[str]]:
    """redis-cli's options (before the command) and the command's words.

    Raises:
        ActionError: redis-cli's message for an unknown option or one missing its value.
    """
    opts: dict[str, str] = {}
    words: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if not words and arg in _FLAGS_WITH_VALUE:
            if i + 1 >= len(args):
                raise ActionError(f"Unrecognized option or bad number of args for: '{arg}'")
            opts[arg] = args[i + 1]
            i += 2
            continue
        if not words and arg in _BOOL_FLAGS:
            opts[arg] = "1"
        elif not words and arg.startswith("-"):
            raise ActionError(f"Unrecognized option or bad number of args for: '{arg}'")
        else:
            words.append(arg)
        i += 1
    return opts, words


def run_redis_cli(ctx: Any, pod: Any, args: list[str], tty: bool) -> Outcome:
    """Run ``redis-cli ARGS`` in ``pod`` of the simulated world."""
    opts, words = arguments(args)
    caches = ctx.world.caches.servers
    host = opts.get("-h", "127.0.0.1")
    port = opts.get("-p", "6379")
    name = pod.service if host in ("127.0.0.1", "localhost") else host.split(".")[0]
    server = caches.get(name)
    if server is None or port != "6379" or not server.up:
        return Outcome(
            False,
            f"Could not connect to Redis at {host}:{port}: Connection refused",
            "redis.connect",
        )
    raw = (not tty or "--raw" in opts) and "--no-raw" not in opts
    if "--bigkeys" in opts:
        return Outcome(True, bigkeys(server), "redis.bigkeys")
    if not words:
        raise ActionError("redis-cli: give a command (the interactive prompt is not simulated)")
    return _command(ctx, server, words, raw)


def _command(ctx: Any, server: RedisServer, words: list[str], raw: bool) -> Outcome:
    cmd, rest = words[0].upper(), words[1:]
    now = ctx.now
    kind = f"redis.{cmd.lower()}"
    if cmd == "PING":
        return Outcome(True, "PONG", kind)
    if cmd == "DBSIZE":
        return Outcome(True, _int(server.keys(), raw), kind)
    if cmd == "INFO":
        wall_us = int(ctx.wall_time(now).timestamp() * 1_000_000)
        clients = ctx.world.redis_clients(server.name)
        return Outcome(True, render(server, rest, now, wall_us, clients), kind)
    if cmd in ("TTL", "PTTL", "EXISTS", "TYPE") and len(rest) == 1:
        left = _ttl(server, rest[0], now)
        if cmd == "EXISTS":
            return Outcome(True, _int(0 if left is None else 1, raw), kind)
        if cmd == "TYPE":
            return Outcome(True, "none" if left is None else "string", kind)
        if left is None:
            return Outcome(True, _int(-2, raw), kind)
        return Outcome(True, _int(round(left) if cmd == "TTL" else round(left * 1000), raw), kind)
    if cmd == "MEMORY" and len(rest) >= 2 and rest[0].upper() == "USAGE":
        fam = _family(server, rest[1])
        if fam is None or _ttl(server, rest[1], now) is None:
            return Outcome(True, "" if raw else "(nil)", kind)
        return Outcome(True, _int(memory_usage(rest[1], fam.use.value_bytes), raw), kind)
    if cmd == "CONFIG" and rest and rest[0].upper() == "GET" and len(rest) == 2:
        pairs = [
            (k, v) for k, v in _config(server).items() if fnmatch.fnmatchcase(k, rest[1].lower())
        ]
        flat = [x for pair in pairs for x in pair]
        return Outcome(True, _multi(flat, raw), kind)
    if cmd == "CONFIG" and rest and rest[0].upper() == "SET" and len(rest) == 3:
        return _config_set(server, rest[1].lower(), rest[2], raw)
    if cmd in ("FLUSHALL", "FLUSHDB") and len(rest) <= 1:
        server.flushall()
        return Outcome(True, "OK", kind, changed=True)
    arity = {"TTL", "PTTL", "EXISTS", "TYPE", "MEMORY", "CONFIG", "DBSIZE"}
    if cmd in arity:
        return _error(f"ERR wrong number of arguments for '{words[0].lower()}' command", raw, kind)
    shown = " ".join(f"'{w}'" for w in rest[:8])
    return _error(
        f"ERR unknown command '{words[0]}', with args beginning with: {shown}".rstrip() + " ",
        raw,
        kind,
    )


def _config(server: RedisServer) -> dict[str, str]:
    return {
        "maxmemory": str(server.maxmemory),
        "maxmemory-clients": "0",
        "maxmemory-eviction-tenacity": "10",
        "maxmemory-policy": server.policy,
        "maxmemory-samples": str(server.spec.maxmemory_samples),
        "maxclients": "10000",
        "appendonly": "yes" if server.spec.persistence else "no",
        "save": "3600 1 300 100 60 10000" if server.spec.persistence else "",
        "timeout": "0",
        "hz": "10",
    }


def _config_set(server: RedisServer, key: str, value: str, raw: bool) -> Outcome:
    """``CONFIG SET maxmemory|maxmemory-policy``: Redis 7's answers and errors."""
    kind = "redis.config.set"
    if key not in ("maxmemory", "maxmemory-policy"):
        return _error(
            f"ERR Unknown option or number of arguments for CONFIG SET - '{key}'", raw, kind
        )
    try:
        server.config_set(key, value)
    except ValueError:
        why = (
            "argument couldn't be parsed into an integer"
            if key == "maxmemory"
            else "argument(s) must be one of the following: " + ", ".join(POLICIES)
        )
        return _error(
            f"ERR CONFIG SET failed (possibly related to argument '{key}') - {why}", raw, kind
        )
    return Outcome(True, "OK", kind, changed=True)


def _family(server: RedisServer, key: str) -> Any:
    for fam in server.families.values():
        if fam.rank(key) is not None:
            return fam
    return None


def _ttl(server: RedisServer, key: str, now: float) -> float | None:
    fam = _family(server, key)
    if fam is None:
        return None
    rank = fam.rank(key)
    return None if rank is None else fam.keyspace.ttl_of(rank, now)


def _int(n: int, raw: bool) -> str:
    return str(n) if raw else f"(integer) {n}"


def _error(msg: str, raw: bool, kind: str) -> Outcome:
    return Outcome(False, msg if raw else f"(error) {msg}", kind)


def _multi(items: list[str], raw: bool) -> str:
    """A multi-bulk reply: one item a line (raw) or numbered and quoted (TTY)."""
    if raw:
        return "\n".join(items)
    if not items:
        return "(empty array)"
    width = len(str(len(items)))
    return "\n".join(f'{i:>{width}}) "{item}"' for i, item in enumerate(items, 1))


def bigkeys(server: RedisServer) -> str:
    """``redis-cli --bigkeys`` over the server's keys (all strings), 7.0's summary."""
    lines = [_BIGKEYS_HEAD]
    sampled = 0
    key_bytes = 0
    value_bytes = 0
    biggest: tuple[int, str] | None = None
    for fam in server.families.values():
        count = round(fam.keyspace.total)
        if not count:
            continue
        key = fam.key(1)
        sampled += count
        key_bytes += count * len(key)
        value_bytes += count * fam.use.value_bytes
        if biggest is None or fam.use.value_bytes > biggest[0]:
            pct = 100.0 * (sampled - count) / max(1, server.keys())
            lines.append(
                f"[{pct:05.2f}%] Biggest string found so far '\"{key}\"' with "
                f"{fam.use.value_bytes} bytes"
            )
            biggest = (fam.use.value_bytes, key)
    lines += [
        "",
        "-------- summary -------",
        "",
        f"Sampled {sampled} keys in the keyspace!",
        f"Total key length in bytes is {key_bytes} (avg len {key_bytes / max(1, sampled):.2f})",
        "",
    ]
    if biggest is not None:
        lines += [f"Biggest string found '\"{biggest[1]}\"' has {biggest[0]} bytes", ""]
    share = 100.0 if sampled else 0.0
    avg = value_bytes / sampled if sampled else 0.0
    lines += [
        "0 lists with 0 items (00.00% of keys, avg size 0.00)",
        "0 hashs with 0 fields (00.00% of keys, avg size 0.00)",
        f"{sampled} strings with {value_bytes} bytes ({share:05.2f}% of keys, avg size {avg:.2f})",
        "0 streams with 0 entries (00.00% of keys, avg size 0.00)",
        "0 sets with 0 members (00.00% of keys, avg size 0.00)",
        "0 zsets with 0 members (00.00% of keys, avg size 0.00)",
    ]
    return "\n".join(lines)
