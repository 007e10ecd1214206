"""Journals with junk in every field: ``gameday replay`` refuses a damaged journal with a
located message (``journal.jsonl:12:1: key: what``, exit 2), never a traceback.
Examples are few and each has a deadline, so the suite stays fast.
"""

from __future__ import annotations

import functools
import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gameday.cli.main import main
from gameday.runtime import prepare
from gameday.tools.budget import CPU_SECONDS

SCENARIO = "db-pool-exhaustion"
JUNK = st.one_of(
    st.sampled_from([
        "'", '"', "|", "\\", "\x00", "\x1b]52;c;aGk=\x07", "\u202e", "-1", "0", "-5m", "abc",
        "99999999999999999999", "1e309", "nan", "inf", "soon", "%%%%%%%%%%%%%%%%ZZZ",
        "(a+)+b", "((((.*)*)*)*)*Z", "=~", "alertname=~(([A-Za-z]+)+)+!", "ü", "🔥", "x" * 300,
        "--", "-", "=", "(" * 300, "NOT " * 200, "[", "{", "$(reboot)", "`id`", "\t",
    ]),
    st.text(max_size=10),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
)  # fmt: skip
KUBECTL = ["get", "describe", "logs", "rollout", "undo", "restart", "status", "history",
           "scale", "top", "delete", "set", "image", "env", "exec", "pods", "pod",
           "deploy/orders", "deployment/orders", "nodes", "events", "all", "-n", "shop", "-l",
           "app=orders", "--tail", "--since", "--replicas=3", "--replicas", "-o", "json",
           "yaml", "wide", "-A", "--previous", "-c", "--", "--to-revision=1", "orders"]  # fmt: skip
SQL = ["SELECT", "pid", "FROM", "pg_stat_activity", "pg_locks", "WHERE", "state", "=",
       "'idle'", "LIKE", "'%a%'", "ORDER BY", "LIMIT", "count(*)", "GROUP BY", "now()", "-",
       "interval", "'5 min'", "pg_terminate_backend(", "pg_blocking_pids(pid)", ")", "(",
       ";", "AND", "OR", "NOT", "NULL", "IS", "CASE WHEN", "THEN", "END", "::text", "1/0"]  # fmt: skip
PSQL = ["-h", "orders-db", "-U", "postgres", "-d", "orders", "-c", "-At", "-x", "-P"]
VERBS = ["ack", "sev", "SEV1", "sev2", "assign", "ic", "comms", "ops", "status", "update",
         "investigating", "identified", "monitoring", "resolved", "escalate", "resolve",
         "silence", "add", "alertname=OrdersDBPoolExhausted", "--duration", "--comment",
         "note", "alerts", "help", "amtool", "alert", "query", "declare"]  # fmt: skip
FILTERS = ["grep", "-i", "-v", "-E", "-F", "-c", "-A", "-B", "-C", "head", "tail", "-n",
           "wc", "-l", "sort", "-r", "less", "awk", "xargs"]  # fmt: skip


def words(vocab: list[str]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.one_of(st.sampled_from(vocab), JUNK), max_size=7)


def _quote(word: str) -> str:
    """Shell-quote most words, leave some raw so that quoting itself is fuzzed."""
    return word if word.isalnum() or len(word) % 3 == 0 else "'" + word.replace("'", "") + "'"


commands = st.one_of(
    words(KUBECTL).map(lambda w: "kubectl " + " ".join(map(_quote, w))),
    words(SQL).map(" ".join),
    st.tuples(words(PSQL), words(SQL)).map(
        lambda t: (
            "psql " + " ".join(map(_quote, t[0])) + ' -c "' + " ".join(t[1]).replace('"', "") + '"'
        )
    ),
    words(VERBS).map(" ".join),
    st.tuples(words(KUBECTL), words(FILTERS)).map(
        lambda t: "kubectl " + " ".join(t[0]) + " | " + " ".join(map(_quote, t[1]))
    ),
    JUNK,
)


@functools.cache
def _prepared() -> Any:
    return prepare(SCENARIO)


@pytest.fixture(scope="module")
def prepared() -> Any:
    return _prepared()


def _replay(journal: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(["replay", str(journal), "--no-timeline"])
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


@settings(
    max_examples=25,
    deadline=timedelta(seconds=40),
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(batch=st.lists(commands, min_size=1, max_size=6))
def test_typed_commands_never_escape_and_replay(batch, tmp_path_factory, capsys) -> None:
    """Every command answers (ok or not) within its budget; the journal replays identically."""
    prepared = _prepared()
    journal = tmp_path_factory.mktemp("fuzz") / "journal.jsonl"
    session = prepared.session(seed=1, journal=journal, responder="tabletop")
    session.advance_to(420)
    for command in batch:
        t0 = time.thread_time()
        outcome = session.perform(command)
        assert isinstance(outcome.output, str)
        assert time.thread_time() - t0 < CPU_SECONDS + 1.0, command
        session.advance_to(session.now + 20)
    session.close("completed")
    code, out, err = _replay(journal, capsys)
    assert (code, err) == (0, ""), batch
    assert "replay identical" in out


def test_a_session_closed_on_a_scrape_instant_replays_identically(
    prepared, tmp_path: Path, capsys
) -> None:
    """A session closed at exactly a scrape's time never ran that scrape; its replay must
    not run it either (found by the fuzz above: an alert event where session.end was)."""
    journal = tmp_path / "journal.jsonl"
    session = prepared.session(seed=1, journal=journal, responder="tabletop")
    session.advance_to(420)
    for _ in range(3):
        session.perform("kubectl get pods")
        session.advance_to(session.now + 20)
    assert session.now == 480.0
    session.close("completed")
    code, out, err = _replay(journal, capsys)
    assert (code, err) == (0, "")
    assert "replay identical" in out


def _journal(prepared, folder: Path) -> list[dict]:
    path = folder / "base.jsonl"
    session = prepared.session(seed=1, journal=path, responder="tabletop")
    session.advance_to(400)
    session.perform("kubectl get pods -n shop")
    session.advance_to(460)
    session.perform("ack")
    session.close("completed")
    return [json.loads(line) for line in path.read_text().splitlines()]


VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5), st.lists(st.integers(), max_size=2), st.just({}),
)  # fmt: skip
mutations = st.one_of(
    st.tuples(st.just("drop"), st.sampled_from(["seq", "t", "kind", "data"])),
    st.tuples(st.just("set"), st.sampled_from(["seq", "t", "kind", "data"]), VALUES),
    st.tuples(
        st.just("data"),
        st.sampled_from(["seed", "command", "scenario", "source", "id", "actor"]),
        VALUES,
    ),  # fmt: skip
    st.tuples(
        st.just("raw"),
        st.sampled_from(
            ["[" * 5000 + "]" * 5000, "NaN", "[]", "{}", '{"t": NaN}', '"x"', "\x00", "{" * 100]
        ),
    ),  # fmt: skip
)


@settings(
    max_examples=40,
    deadline=timedelta(seconds=30),
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(mutation=mutations, where=st.integers(min_value=0, max_value=10**6))
def test_damaged_journals_are_refused_with_their_line(
    mutation, where, prepared, tmp_path_factory, capsys
) -> None:
    """A journal with a field missing, of the wrong type, NaN, or a junk line: exit 0, 1 or
    2, never a traceback; exit 2 names the journal and the line."""
    folder = tmp_path_factory.mktemp("journal")
    events = _journal(prepared, folder)
    lines = [json.dumps(e, sort_keys=True, separators=(",", ":")) for e in events]
    index = where % len(events)
    kind = mutation[0]
    if kind == "raw":
        lines.insert(max(1, index), mutation[1])
    else:
        event = dict(events[index])
        if kind == "drop":
            event.pop(mutation[1], None)
        elif kind == "set":
            event[mutation[1]] = mutation[2]
        else:
            event["data"] = {**event.get("data", {}), mutation[1]: mutation[2]}
        lines[index] = json.dumps(event)
    path = folder / "journal.jsonl"
    path.write_text("\n".join(lines) + "\n")
    code, out, err = _replay(path, capsys)
    assert "Traceback" not in err
    assert code in (0, 1, 2), (mutation, err)
    if code == 2:
        assert err.startswith(f"{path}:"), err


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"seq":0,"t":0,"kind":"session.start","data":{"scenario":"db-pool-exhaustion"}}',
         ":1:1: data.seed: missing (every session.start event has it)"),
        ('{"seq":0,"t":0,"kind":"session.start","data":{"scenario":"x","seed":"1"}}',
         ":1:1: data.seed: must be an integer, not '1'"),
        ('{"seq":0,"t":NaN,"kind":"session.start","data":{}}', ":1:1: not a journal line"),
        ('{"seq":0,"t":0,"kind":"session.start","data":[]}', ":1:1: data: must be an object"),
        ("[" * 10000 + "]" * 10000, ":1:1: nested deeper than 32 levels"),
    ],
)  # fmt: skip
def test_bad_first_lines_are_located(tmp_path: Path, capsys, line: str, message: str) -> None:
    """Missing or mistyped seed, NaN time, a non-object data, deep nesting: one located line."""
    path = tmp_path / "journal.jsonl"
    path.write_text(line + "\n" + '{"seq":1,"t":1,"kind":"clock","data":{}}\n')
    code, _, err = _replay(path, capsys)
    assert (code, err.strip()) == (2, f"{path}{message}") or (code == 2 and message in err), err


def test_action_without_a_command_is_located(tmp_path: Path, prepared, capsys) -> None:
    """An action line without ``data.command`` names its line and key."""
    events = _journal(prepared, tmp_path)
    index = next(i for i, e in enumerate(events) if e["kind"] == "action")
    del events[index]["data"]["command"]
    path = tmp_path / "journal.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    code, _, err = _replay(path, capsys)
    assert code == 2
    assert err.strip() == f"{path}:{index + 1}:1: data.command: missing (every action event has it)"
