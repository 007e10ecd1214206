"""redis-cli through kubectl exec, as redis-cli 7.2 prints it: TTY formatting with
``-it`` (``(integer) 5``, ``(nil)``, numbered multi-bulk, ``(error) ...``), raw replies
without a TTY, INFO sections, --bigkeys' summary, and the errors of a pod without it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from gameday.runtime import prepare

TTY = "kubectl exec -it deploy/catalogue-cache -n shop -- redis-cli"
RAW = "kubectl exec deploy/catalogue-cache -n shop -- redis-cli"


@pytest.fixture(scope="module")
def s() -> Any:
    """A cache-stampede session just before the eviction (the cache warm, 1gb set by hand)."""
    session = prepare("cache-stampede").session(seed=1)
    session.advance_to(180)
    return session


def out(s: Any, cmd: str) -> str:
    result = s.perform(cmd)
    return result.output


def test_integer_replies_are_formatted_only_on_a_tty(s: Any) -> None:
    raw = out(s, f"{RAW} DBSIZE")
    assert re.fullmatch(r"\d+", raw)
    assert out(s, f"{TTY} DBSIZE") == f"(integer) {raw}"


def test_ttl_of_a_cached_key_a_missing_key_and_an_unknown_key(s: Any) -> None:
    hot = out(s, f"{TTY} TTL product:1")
    assert re.fullmatch(r"\(integer\) \d+", hot) and 0 < int(hot.split()[1]) <= 600
    assert out(s, f"{TTY} TTL session:abc") == "(integer) -2"
    assert out(s, f"{TTY} EXISTS product:1") == "(integer) 1"
    assert out(s, f"{TTY} TYPE product:1") == "string"
    assert out(s, f"{TTY} TTL") == "(error) ERR wrong number of arguments for 'ttl' command"


def test_memory_usage_and_nil(s: Any) -> None:
    assert re.fullmatch(r"\(integer\) 3\d{3}", out(s, f"{TTY} MEMORY USAGE product:1"))
    assert out(s, f"{TTY} MEMORY USAGE nosuchkey") == "(nil)"
    assert out(s, f"{RAW} MEMORY USAGE nosuchkey") == ""


def test_config_get_maxmemory_star_numbered_and_raw(s: Any) -> None:
    tty = out(s, f"{TTY} CONFIG GET maxmemory*").splitlines()
    assert tty[0] == ' 1) "maxmemory"' and tty[1] == ' 2) "1073741824"'
    assert tty[-1] == '10) "5"' and '8) "allkeys-lru"' in [x.strip() for x in tty]
    raw = out(s, f"{RAW} CONFIG GET maxmemory-policy").splitlines()
    assert raw == ["maxmemory-policy", "allkeys-lru"]
    assert out(s, f"{TTY} CONFIG GET nosuch*") == "(empty array)"


def test_info_sections_use_redis_field_names(s: Any) -> None:
    text = out(s, f"{RAW} INFO")
    headers = [ln for ln in text.splitlines() if ln.startswith("# ")]
    assert headers == [
        "# Server",
        "# Clients",
        "# Memory",
        "# Persistence",
        "# Stats",
        "# Replication",
        "# CPU",
        "# Modules",
        "# Errorstats",
        "# Cluster",
        "# Keyspace",
    ]
    fields = dict(ln.split(":", 1) for ln in text.splitlines() if ":" in ln and ln[0] != "#")
    assert fields["redis_version"] == "7.2.4" and fields["maxmemory_policy"] == "allkeys-lru"
    assert fields["maxmemory"] == "1073741824" and fields["maxmemory_human"] == "1.00G"
    assert int(fields["keyspace_hits"]) > int(fields["keyspace_misses"]) > 0
    assert re.fullmatch(r"keys=\d+,expires=\d+,avg_ttl=\d+", fields["db0"])
    memory = out(s, f"{RAW} INFO memory").splitlines()
    assert memory[0] == "# Memory" and memory[1].startswith("used_memory:")
    assert out(s, f"{RAW} INFO nosuchsection") == ""


def test_bigkeys_summary(s: Any) -> None:
    text = out(s, f"{RAW} --bigkeys")
    keys = int(out(s, f"{RAW} DBSIZE"))
    assert text.startswith("\n# Scanning the entire keyspace to find biggest keys as well as\n")
    assert "-------- summary -------" in text
    assert f"Sampled {keys} keys in the keyspace!" in text
    assert "Biggest string found '\"product:1\"' has 3400 bytes" in text
    assert f"{keys} strings with {keys * 3400} bytes (100.00% of keys, avg size 3400.00)" in text
    assert "0 zsets with 0 members (00.00% of keys, avg size 0.00)" in text


def test_errors_as_redis_and_kubectl_give_them(s: Any) -> None:
    assert out(s, f"{TTY} FOO bar") == (
        "(error) ERR unknown command 'FOO', with args beginning with: 'bar' "
    )
    assert out(s, f"{TTY} PING") == "PONG"
    app = s.perform("kubectl exec deploy/catalogue -n shop -- redis-cli DBSIZE")
    assert not app.ok and 'exec: "redis-cli": executable file not found in $PATH' in app.output
    other = s.perform(f"{RAW} -h orders-cache DBSIZE")
    assert other.output == "Could not connect to Redis at orders-cache:6379: Connection refused"
    bad = s.perform(f"{RAW} CONFIG SET maxmemory-policy lru")
    assert not bad.ok and "argument(s) must be one of the following: noeviction," in bad.output


def test_config_set_and_flushall_change_the_server() -> None:
    """CONFIG SET changes maxmemory (evicting down to it); FLUSHALL empties the keyspace;
    both are world changes the debrief judges."""
    session = prepare("cache-stampede").session(seed=2)
    session.advance_to(120)
    small = session.perform(f"{RAW} CONFIG SET maxmemory 64mb")
    assert small.ok and small.changed and small.output == "OK"
    assert (
        int(out(session, f"{RAW} INFO memory").split("used_memory:")[1].split()[0]) <= 64 * 1024**2
    )
    flushed = session.perform(f"{RAW} FLUSHALL")
    assert flushed.changed and out(session, f"{RAW} DBSIZE") == "0"
    assert out(session, f"{RAW} INFO keyspace") == "# Keyspace"
