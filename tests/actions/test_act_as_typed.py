"""What a new on-call engineer types, through ``gameday drill`` with a script, printed as
the real tools print it (each expectation is the real tool's documented output)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.clirun import drill_script


def outputs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, scenario: str, at: str, commands: list[str]
) -> dict[str, str]:
    """Each command's output in the drill's journal, the commands typed ``at`` after the
    start."""
    actions = [{"at": at, "do": c, "role": "ops"} for c in commands]
    drill_script(capsys, tmp_path, scenario, actions, relative_to="start")
    (journal,) = (tmp_path / "reports").glob("*/journal.jsonl")
    events = [json.loads(line) for line in journal.read_text().splitlines()]
    return {e["data"]["command"]: e["data"]["output"] for e in events if e["kind"] == "action"}


def test_tools_a_responder_types_first(capsys, tmp_path: Path) -> None:
    """redis-cli typed on one's own shell says how to reach Redis (not 'unknown command
    ... did you mean redis-cli'); a misspelt first SQL word is PostgreSQL's syntax error at
    that word with psql's LINE 1 and caret; -o yaml quotes as go-yaml (double quotes) and
    a selector's result is a List even of one item; describe aligns Limits among
    themselves and Requests with the probes, as kubectl's tabwriter does."""
    got = outputs(
        capsys,
        tmp_path,
        "cache-stampede",
        "8m",
        [
            "redis-cli -h catalogue-cache INFO stats",
            "psql -h catalogue-db -U postgres -d catalogue -c 'selec 1'",
            "kubectl get deploy catalogue -n shop -o yaml",
            "kubectl get pods -n shop -l app=catalogue-cache -o yaml",
            "kubectl describe deploy catalogue -n shop",
            "kubectl get pods -n shop | grep -ic CATALOGUE-cache",
            "kubectl get pods -n shop | grep -nm1 catalogue",
            "kubectl get pods -n shop | grep -Q catalogue",
            "kubectl get pods -n shop | grep -o catalogue",
        ],
    )
    assert got["kubectl get pods -n shop | grep -ic CATALOGUE-cache"] == "1"
    assert re.fullmatch(
        r"2:catalogue-\S+ +1/1 +Running .*", got["kubectl get pods -n shop | grep -nm1 catalogue"]
    )
    assert got["kubectl get pods -n shop | grep -Q catalogue"].splitlines() == [
        "grep: invalid option -- 'Q'",  # GNU grep has no -Q
        "Usage: grep [OPTION]... PATTERNS [FILE]...",
        "Try 'grep --help' for more information.",
    ]
    assert got["kubectl get pods -n shop | grep -o catalogue"].startswith(
        "grep: -o is not simulated here"  # a real option of GNU grep, not an invalid one
    )
    redis = got["redis-cli -h catalogue-cache INFO stats"].splitlines()
    assert redis[0] == "redis-cli: not on this host; it runs inside a Redis pod:"
    assert re.fullmatch(
        r"  kubectl exec -it catalogue-cache-[a-z0-9]+-[a-z0-9]{5} -n shop -- "
        r"redis-cli -h catalogue-cache INFO stats",
        redis[1],
    )
    assert got["psql -h catalogue-db -U postgres -d catalogue -c 'selec 1'"] == (
        'ERROR:  syntax error at or near "selec"\nLINE 1: selec 1\n        ^'
    )
    dep = got["kubectl get deploy catalogue -n shop -o yaml"]
    assert re.search(r'^    deployment\.kubernetes\.io/revision: "\d+"$', dep, re.M)
    assert re.search(r'^  creationTimestamp: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"$', dep, re.M)
    assert re.search(r'^    status: "True"$', dep, re.M) and "'" not in dep
    listed = got["kubectl get pods -n shop -l app=catalogue-cache -o yaml"].splitlines()
    assert listed[:2] == ["apiVersion: v1", "items:"] and "kind: List" in listed
    described = got["kubectl describe deploy catalogue -n shop"].splitlines()
    start = described.index("    Limits:")
    block = described[start : start + 8]
    assert [re.sub(r"(:\s+).*", r"\1", line) for line in block] == [
        "    Limits:",
        "      cpu:     ",
        "      memory:  ",
        "    Requests:",
        "      cpu:        ",
        "      memory:     ",
        "    Liveness:     ",
        "    Readiness:    ",
    ]


def test_a_leaking_jvm_logs_as_spring_boot_in_time_order(capsys, tmp_path: Path) -> None:
    """The OOMKilled cart is a JVM (its leak writes G1 GC warnings): its log is Spring
    Boot's, the thread cut to 15 characters from the left as ``%15.15t`` cuts it, and
    the previous container's log ends with its last GC warning, in time order."""
    got = outputs(
        capsys,
        tmp_path,
        "memory-leak-oomkill",
        "25m",
        [
            "kubectl logs deployment/cart -n shop --tail=200",
            "kubectl logs deployment/cart -n shop --previous --tail=20",
        ],
    )
    current = got["kubectl logs deployment/cart -n shop --tail=200"].splitlines()[1:]
    previous = got["kubectl logs deployment/cart -n shop --previous --tail=20"].splitlines()[1:]
    spring = re.compile(
        r"\d{4}-\d\d-\d\dT[\d:.]+Z +(INFO|WARN|ERROR|DEBUG) 1 --- \[cart\] \[(.{15})\] "
    )
    for line in current + previous:
        m = spring.match(line)
        assert m, line
    assert any(spring.match(line).group(2).startswith("io-8080-exec-") for line in current)  # type: ignore[union-attr]
    assert previous[-1].endswith(": GC overhead limit approaching: heap 97% used after full GC")
    stamps = [line.split(" ", 1)[0] for line in previous]
    assert stamps == sorted(stamps)


def test_logs_tail_counts_lines_and_found_pods_is_on_stderr(capsys, tmp_path: Path) -> None:
    """``--tail=N`` counts the log file's lines, so a consumer exception with its cause
    lines is several of them; kubectl's ``Found 3 pods, using pod/...`` goes to stderr
    (``fmt.Fprintf(os.Stderr, ...)`` in kubectl's logsForObject): shown first, never
    counted or filtered by a pipe. Loggers are cut to 40 characters from the left, as
    ``%-40.40logger{39}`` cuts Spring Kafka's listener consumer."""
    base = "kubectl logs deployment/payments-worker -n shop --tail=7"
    every = "kubectl logs -l app=payments-worker -n shop --tail=7"
    got = outputs(
        capsys,
        tmp_path,
        "kafka-poison-message",
        "20m",
        [base, f"{base} | wc -l", every, f"{every} | grep -c Caused"],
    )
    lines = got[base].splitlines()
    assert re.fullmatch(r"Found 3 pods, using pod/payments-worker-[a-z0-9]+-[a-z0-9]{5}", lines[0])
    assert len(lines) == 1 + 7
    assert got[f"{base} | wc -l"].splitlines() == [lines[0], "7"]
    all_pods = got[every].splitlines()
    assert len(all_pods) == 3 * 7  # a selector: the tail of each pod, no Found line
    caused = sum(1 for line in all_pods if line.startswith("Caused by: "))
    assert caused >= 2 and got[f"{every} | grep -c Caused"] == str(caused)
    assert any(
        "[ntainer#0-0-C-1] essageListenerContainer$ListenerConsumer : Consumer exception" in line
        for line in all_pods
    )


def test_a_client_of_an_expired_certificate_logs_the_tls_error(capsys, tmp_path: Path) -> None:
    """Checkout's calls to the inventory pod that still serves the expired certificate
    fail in the handshake, at once, with Go's x509 error (``current time ... is after
    NOTAFTER``, RFC 3339), the error the runbook sends the responder to read; not a 5 s
    upstream 503."""
    cmd = "kubectl logs -l app=checkout -n shop --tail=400 | grep upstream"
    got = outputs(capsys, tmp_path, "tls-cert-expired", "15m", [cmd])
    lines = got[cmd].splitlines()
    pattern = re.compile(
        r'time=\S+ level=ERROR msg="upstream request failed" upstream=inventory '
        r'error="tls: failed to verify certificate: x509: certificate has expired or is not '
        r"yet valid: current time (\S+Z) is after (\S+Z)\" duration_ms=(\d+)"
    )
    assert lines
    for line in lines:
        m = pattern.fullmatch(line)
        assert m, line
        now, not_after = m.group(1), m.group(2)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", not_after) and now > not_after
        assert int(m.group(3)) < 100


def test_a_release_of_last_night_is_hours_old(capsys, tmp_path: Path) -> None:
    """slow-query-regression's story: orders v1.15.0 went out the evening before
    (``released: 12h``), so its ReplicaSet and pods are 12 hours old (kubectl's
    HumanDuration ``12h``), not days, while checkout keeps a drawn age of days."""
    cmd = "kubectl get rs -n shop"
    got = outputs(capsys, tmp_path, "slow-query-regression", "7m", [cmd])
    ages = {row.split()[0]: row.split()[-1] for row in got[cmd].splitlines()[1:]}
    current = [name for name in ages if name.startswith("orders-")]
    live = [n for n in current if got[cmd].split(n)[1].split()[0] != "0"]
    assert [ages[n] for n in live] == ["12h"]
    assert all(ages[n].endswith("d") for n in set(current) - set(live))
    checkout = [a for n, a in ages.items() if n.startswith("checkout-")]
    assert all(re.fullmatch(r"\d+d(\d+h)?", a) for a in checkout)


def test_a_stale_dns_cache_logs_connection_refused_to_the_vendor(capsys, tmp_path: Path) -> None:
    """dns-stale-cache's runbook: "Connection refused ... before any HTTP status mean the
    calls never reached the vendor". fraud-check (a JVM: its DNS cache lives as long as
    the process) logs its calls to api.fraudscore.example refused at once, in Spring
    Boot's format; not 1.2 s 502s from a payments-gateway this world does not have."""
    cmd = "kubectl logs -l app=fraud-check -n shop --tail=200"
    got = outputs(capsys, tmp_path, "dns-stale-cache", "15m", [cmd])
    lines = got[cmd].splitlines()
    refused = [line for line in lines if "Connection refused" in line]
    assert refused and "payments-gateway" not in got[cmd]
    for line in refused:
        assert re.fullmatch(
            r"\S+Z ERROR 1 --- \[fraud-check\] \[.{15}\] c\.s\.client\.UpstreamClient +: "
            r"Call to api\.fraudscore\.example failed: I/O error on POST request for "
            r'"https://api\.fraudscore\.example/": Connection refused',
            line,
        ), line
    answered = [line for line in lines if "RequestLogFilter" in line and " 503 " in line]
    assert answered and all(
        int(line.rsplit(" ", 1)[1].removesuffix("ms")) < 100 for line in answered
    )


@pytest.mark.parametrize(
    ("scenario", "service", "host", "slowest"),
    [
        ("payment-provider-outage", "payments-gateway", "api.acquirer.example", 2000),
        ("email-provider-slow", "email-provider", "api.eu.mailprovider.example", 9000),
    ],
)
def test_a_failing_outside_api_is_named_in_the_logs(
    capsys, tmp_path: Path, scenario: str, service: str, host: str, slowest: int
) -> None:
    """A service whose outside API fails (``dependency_errors``) logs the API its fault
    names (``upstream:``) and the time the answer took (the fault's added latency), not a
    1.2 s call to a ``payments-gateway`` (payments-gateway logged calls to itself)."""
    cmd = f"kubectl logs -l app={service} -n shop --tail=300 | grep upstream"
    got = outputs(capsys, tmp_path, scenario, "15m", [cmd])
    lines = got[cmd].splitlines()
    assert lines and "payments-gateway" not in got[cmd]
    for line in lines:
        m = re.search(rf"upstream={re.escape(host)} status=502 duration_ms=(\d+)$", line)
        assert m, line
        assert slowest <= int(m.group(1)) < slowest + 1000


def test_a_parenthesised_select_is_a_select(capsys, tmp_path: Path) -> None:
    """PostgreSQL runs ``(SELECT ...)`` as the SELECT it holds (it said ``(SELECT is not
    simulated``); a set operation not simulated is named as such (was ``SELECT``)."""
    psql = "psql -h orders-db -U postgres -d orders -c '{}'"
    wrapped = psql.format("((select count(*) as n from pg_stat_activity where pid < 0))")
    union = psql.format("(select 1) union (select 2)")
    got = outputs(capsys, tmp_path, "slow-query-regression", "2m", [wrapped, union])
    assert got[wrapped] == " n \n---\n 0\n(1 row)"  # psql aligned, as for the bare SELECT
    assert got[union].startswith("ERROR:  UNION is not simulated. ")
