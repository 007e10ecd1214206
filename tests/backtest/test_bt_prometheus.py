"""A real Prometheus is the oracle: backfilled with ``promtool tsdb create-blocks-from
openmetrics`` from the same file the --openmetrics path reads, started on 127.0.0.1.

* gameday's values of each rule expression at every evaluation equal the server's
  ``query_range`` of the same expression (floats compared exactly), and the alerts'
  pending, firing and resolved times follow from the server's answers by Prometheus'
  state machine;
* ``--prometheus`` (chunked, several requests) gives the same JSON as ``--openmetrics``;
* basic auth, TLS verification and their failures, through the real server.
"""

from __future__ import annotations

import json
import math
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import requests

from gameday.backtest.evaluate import eval_steps
from gameday.openmetrics import load_openmetrics
from gameday.promql.evaluator import Evaluator, parse
from gameday.tsdb import TSDB
from tests.backtest.btsupport import T0, run, run_json, write_om
from tests.backtest.promserver import HAVE_BINARIES, serving

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not HAVE_BINARIES, reason="Debian's prometheus package not installed"),
]

START, END = T0, T0 + 3 * 3600
STEP = 15

RULES = """
groups:
  - name: slo
    interval: 30s
    rules:
      - alert: HighErrorRatio
        expr: sum by (service) (rate(http_requests_total{code=~"5.."}[5m])) / sum by (service) (rate(http_requests_total[5m])) > 0.05
        for: 2m
        labels: {severity: critical}
        annotations: {summary: "{{ $labels.service }} errors"}
      - alert: ErrorsIncreasing
        expr: increase(http_requests_total{code="500"}[10m]) > 2000
        keep_firing_for: 2m
      - alert: QueueDeep
        expr: max_over_time(queue_depth[3m]) > 80
        for: 1m
  - name: latency
    interval: 1m
    rules:
      - record: queue:depth:max5m
        expr: max_over_time(queue_depth[5m])
      - alert: QueueDeepLong
        expr: min_over_time(queue:depth:max5m[3m]) > 80
      - alert: SlowP99
        expr: histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 0.5
        for: 3m
"""

EXPRS = {
    "slo": [
        'sum by (service) (rate(http_requests_total{code=~"5.."}[5m])) / sum by (service) (rate(http_requests_total[5m]))',
        'increase(http_requests_total{code="500"}[10m])',
        "max_over_time(queue_depth[3m])",
    ],
    "latency": [
        "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))"
    ],
}


def _data(path: Path) -> Path:
    """Three hours at 15s: two services' request counters (one resets twice), an error
    burst, a gauge with spikes, a latency histogram that slows down for 20 minutes."""
    rng = np.random.default_rng(7)
    times = np.arange(START, END, STEP)
    series = []
    for service in ("api", "web"):
        ok = err = 0.0
        ok_pts, err_pts = [], []
        for t in times:
            rel = t - START
            if service == "web" and rel in (2400, 7215):  # restarts: counters reset
                ok = err = 0.0
            ok += float(rng.integers(900, 1100))
            burst = 3600 <= rel < 4800 and service == "api"
            err += float(rng.integers(80, 120) if burst else rng.integers(0, 5))
            ok_pts.append((int(t), ok))
            err_pts.append((int(t), err))
        series.append(
            ({"__name__": "http_requests_total", "service": service, "code": "200"}, ok_pts)
        )
        series.append(
            ({"__name__": "http_requests_total", "service": service, "code": "500"}, err_pts)
        )
    depth = [
        (int(t), float(95 if (t - START) % 3000 < 200 else rng.integers(0, 60))) for t in times
    ]
    buckets = []
    counts = {"0.1": 0.0, "0.5": 0.0, "1.0": 0.0, "+Inf": 0.0}
    pts: dict[str, list] = {le: [] for le in counts}
    for t in times:
        slow = 6000 <= t - START < 7200
        fast, mid, tail = (20, 70, 10) if slow else (90, 9, 1)
        counts["0.1"] += fast
        counts["0.5"] += fast + mid
        counts["1.0"] += fast + mid + tail
        counts["+Inf"] += fast + mid + tail
        for le in counts:
            pts[le].append((int(t), counts[le]))
    for le, p in pts.items():
        buckets.append(({"__name__": "http_request_duration_seconds_bucket", "le": le}, p))
    return write_om(
        path,
        {
            "http_requests": ("counter", series),
            "queue_depth": ("gauge", [({"__name__": "queue_depth"}, depth)]),
            "http_request_duration_seconds": (
                "histogram",
                buckets
                + [
                    ({"__name__": "http_request_duration_seconds_count"}, pts["+Inf"]),
                    (
                        {"__name__": "http_request_duration_seconds_sum"},
                        [(t, v * 0.1) for t, v in pts["+Inf"]],
                    ),
                ],
            ),
        },
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("prom")
    om = _data(work / "data.om")
    (work / "rules.yml").write_text(RULES)
    with serving(om, work) as url:
        yield {"url": url, "om": om, "rules": work / "rules.yml", "work": work}


def _query_range(url: str, expr: str, start_ms: int, end_ms: int, step_s: int) -> dict:
    resp = requests.get(
        url + "/api/v1/query_range",
        params={"query": expr, "start": start_ms / 1000, "end": end_ms / 1000, "step": step_s},
        timeout=60,
    )
    body = resp.json()
    assert body["status"] == "success", body
    out = {}
    for item in body["data"]["result"]:
        key = tuple(sorted(item["metric"].items()))
        out[key] = {int(round(float(t) * 1000)): float(v) for t, v in item["values"]}
    return out


def test_expression_values_equal_prometheus_query_range(world) -> None:
    """Every rule expression, at every evaluation of its group, has the value the real
    server computes (exactly; NaN where it says NaN) for the same series."""
    db = TSDB()
    load_openmetrics(world["om"], db)
    for group, exprs in EXPRS.items():
        interval = 30 if group == "slo" else 60
        steps = eval_steps(START * 1000, END * 1000, interval * 1000)
        for expr in exprs:
            ours = Evaluator(db, steps).eval(parse(expr))
            theirs = _query_range(world["url"], expr, int(steps[0]), int(steps[-1]), interval)
            got = {}
            for row in ours:
                vals = {int(t): float(v) for t, v, m in zip(steps, row.v, row.m, strict=True) if m}
                if vals:
                    got[tuple(sorted((k, v) for k, v in row.labels))] = vals
            assert set(got) == set(theirs), expr
            for key in theirs:
                assert set(got[key]) == set(theirs[key]), (expr, key)
                for t, v in theirs[key].items():
                    g = got[key][t]
                    assert g == v or (math.isnan(g) and math.isnan(v)), (expr, key, t, g, v)


def _state_machine(present: dict[int, bool], steps: np.ndarray, for_ms: int, keep_ms: int) -> list:
    """Prometheus' pending/firing/resolved times from a condition's truth per evaluation."""
    out, active, firing, keep_since = [], None, None, None
    for t in (int(x) for x in steps):
        if present.get(t):
            keep_since = None
            if active is None:
                active = t
            if firing is None and t - active >= for_ms:
                firing = t
        elif active is not None:
            if firing is not None and keep_ms:
                keep_since = t if keep_since is None else keep_since
                if t - keep_since < keep_ms:
                    continue
            out.append((active, firing, t))
            active = firing = keep_since = None
    if active is not None:
        out.append((active, firing, None))
    return out


def _live_args(rules: Path, url: str) -> list[str]:
    """`backtest` of ``rules`` against the server at ``url`` over the middle of the data."""
    window = ["--from", str(START + 3000), "--to", str(START + 5400)]
    return ["backtest", "--rules", str(rules), "--prometheus", url, *window]


def test_alert_times_follow_from_prometheus_answers(capsys, world) -> None:
    """The backtest's pending/firing/resolved times equal those the alert state machine
    gives on the real server's query_range answers for each alert's expression."""
    from gameday.timeparse import rfc3339

    doc = run_json(
        capsys,
        "backtest",
        "--rules",
        str(world["rules"]),
        "--openmetrics",
        str(world["om"]),
        "--from",
        str(START),
        "--to",
        str(END),
    )
    ours = sorted(
        (a["labels"]["alertname"], a["active_at"], a["firing_at"], a["resolved_at"])
        for a in doc["alerts"]
        if a["labels"]["alertname"] != "QueueDeepLong"  # reads a recording rule: no server answer
    )
    expect = []
    rules = {
        "HighErrorRatio": (EXPRS["slo"][0] + " > 0.05", 30, 120_000, 0),
        "ErrorsIncreasing": (EXPRS["slo"][1] + " > 2000", 30, 0, 120_000),
        "QueueDeep": (EXPRS["slo"][2] + " > 80", 30, 60_000, 0),
        "SlowP99": (EXPRS["latency"][0] + " > 0.5", 60, 180_000, 0),
    }
    for name, (expr, interval, for_ms, keep_ms) in rules.items():
        steps = eval_steps(START * 1000, END * 1000, interval * 1000)
        answer = _query_range(world["url"], expr, int(steps[0]), int(steps[-1]), interval)
        for series in answer.values():
            for active, firing, resolved in _state_machine(
                {t: True for t in series}, steps, for_ms, keep_ms
            ):
                expect.append((name, rfc3339(active), rfc3339(firing), rfc3339(resolved)))
    assert ours == sorted(expect)
    assert {a[0] for a in ours} == set(rules)  # every rule fired at least once: a real test


def test_live_path_gives_the_openmetrics_answer(capsys, world) -> None:
    """--prometheus, fetched and evaluated 20 minutes at a time (each span keeping only the
    history the rules read, a recording rule's output included), prints the same JSON as
    --openmetrics."""
    common = [
        "backtest",
        "--rules",
        str(world["rules"]),
        "--from",
        str(START + 600),
        "--to",
        str(END),
    ]
    from_file = run_json(capsys, *common, "--openmetrics", str(world["om"]))
    live = run_json(capsys, *common, "--prometheus", world["url"], "--chunk", "20m")
    assert live == from_file
    assert {"QueueDeepLong", "HighErrorRatio"} <= {a["labels"]["alertname"] for a in live["alerts"]}


def test_unknown_path_prefix_is_not_an_api(capsys, world) -> None:
    """A URL that is not the API base says so, exit 2."""
    code, _, err = run(
        capsys,
        "backtest",
        "--rules",
        str(world["rules"]),
        "--from",
        str(START),
        "--to",
        str(END),
        "--prometheus",
        world["url"] + "/nothing-here",
    )
    assert code == 2 and "is not a Prometheus API answer" in err


def _web_config_basic(password: str) -> str:
    import bcrypt

    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()
    return f"basic_auth_users:\n  ops: {json.dumps(hashed)}\n"


def test_basic_auth_from_flags_and_environment(capsys, tmp_path, monkeypatch) -> None:
    """--user/--password (or $GAMEDAY_PROMETHEUS_PASSWORD) authenticate; without them, or
    with a wrong password, the 401 is explained, exit 2."""
    om = _data(tmp_path / "data.om")
    (tmp_path / "rules.yml").write_text(RULES)
    with serving(om, tmp_path, web_config=_web_config_basic("s3cret")) as url:
        base = _live_args(tmp_path / "rules.yml", url)
        code, _, err = run(capsys, *base)
        assert code == 2 and "401 Unauthorized" in err and "--user/--password" in err
        code, _, err = run(capsys, *base, "--user", "ops", "--password", "wrong")
        assert code == 2 and "401" in err
        flags = run_json(capsys, *base, "--user", "ops", "--password", "s3cret")
        monkeypatch.setenv("GAMEDAY_PROMETHEUS_USER", "ops")
        monkeypatch.setenv("GAMEDAY_PROMETHEUS_PASSWORD", "s3cret")
        env = run_json(capsys, *base)
        assert flags == env and flags["alerts"]


def test_tls_is_verified(capsys, tmp_path) -> None:
    """A self-signed server is refused (exit 2, the fix named) unless its CA is given
    with --ca-file or verification is turned off."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    om = _data(tmp_path / "data.om")
    (tmp_path / "rules.yml").write_text(RULES)
    web = f"tls_server_config:\n  cert_file: {cert}\n  key_file: {key}\n"
    with serving(om, tmp_path, web_config=web, scheme="https") as url:
        base = _live_args(tmp_path / "rules.yml", url)
        code, _, err = run(capsys, *base)
        assert code == 2 and "TLS verification failed" in err and "--ca-file" in err
        trusted = run_json(capsys, *base, "--ca-file", str(cert))
        assert trusted["alerts"]
        with pytest.warns(Warning):  # urllib3 warns about every unverified request
            skipped = run_json(capsys, *base, "--insecure-skip-verify")
        assert skipped == trusted


def _token_proxy(upstream: str, token: str):
    """A reverse proxy in front of the real server that wants ``Bearer TOKEN`` (the way
    Prometheus is usually put behind an auth proxy; it has no bearer auth of its own)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Proxy(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if self.headers.get("Authorization") != f"Bearer {token}":
                self.send_response(401, "Unauthorized")
                self.end_headers()
                return
            resp = requests.get(upstream + self.path, timeout=60)
            self.send_response(resp.status_code)
            self.send_header("Content-Type", resp.headers.get("Content-Type", "application/json"))
            self.send_header("Content-Length", str(len(resp.content)))
            self.end_headers()
            self.wfile.write(resp.content)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_bearer_token_from_flag_and_environment(capsys, world, monkeypatch) -> None:
    """--bearer-token (or $GAMEDAY_PROMETHEUS_TOKEN) is sent as Authorization: Bearer;
    a wrong one is a 401, explained, exit 2; progress reports fetching and evaluating."""
    proxy = _token_proxy(world["url"], "tok-123")
    try:
        url = f"http://127.0.0.1:{proxy.server_address[1]}"
        base = [
            "backtest",
            "--rules",
            str(world["rules"]),
            "--prometheus",
            url,
            "--from",
            str(START + 3000),
            "--to",
            str(START + 5400),
            "--chunk",
            "10m",
        ]
        code, _, err = run(capsys, *base, "--bearer-token", "wrong")
        assert code == 2 and "401 Unauthorized: the server refused the credentials" in err
        flag = run_json(capsys, *base, "--bearer-token", "tok-123")
        monkeypatch.setenv("GAMEDAY_PROMETHEUS_TOKEN", "tok-123")
        code, out, err = run(capsys, *base, "--json", "--progress")
        assert code == 0 and json.loads(out) == flag and flag["alerts"]
        assert err.splitlines()[-1] == "fetching and evaluating 100%"
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_stagger_offsets_are_the_servers(tmp_path) -> None:
    """A live server evaluating two groups (2s and 3s, rule file by absolute path) writes
    its recording rules' samples exactly at k * interval + the offset gameday computes
    from the group's name and file."""
    from gameday.backtest.evaluate import group_offset_ms

    rules = tmp_path / "stagger.rules.yml"
    rules.write_text(
        "groups:\n"
        "  - name: alpha\n    interval: 2s\n    rules:\n"
        "      - record: stagger:alpha\n        expr: vector(1)\n"
        "  - name: beta-group\n    interval: 3s\n    rules:\n"
        "      - record: stagger:beta\n        expr: vector(1)\n"
    )
    om = write_om(tmp_path / "one.om", {"x": ("gauge", [({"__name__": "x"}, [(T0, 1.0)])])})
    with serving(om, tmp_path, config=f"rule_files: [{json.dumps(str(rules))}]\n") as url:
        time.sleep(8)
        for metric, name, interval in (
            ("stagger:alpha", "alpha", 2000),
            ("stagger:beta", "beta-group", 3000),
        ):
            body = requests.get(
                url + "/api/v1/query", params={"query": f"{metric}[1m]"}, timeout=30
            ).json()
            values = body["data"]["result"][0]["values"]
            stamps = [int(round(float(t) * 1000)) for t, _ in values]
            assert len(stamps) >= 2, body
            offset = group_offset_ms(name, str(rules), interval)
            assert {t % interval for t in stamps} == {offset}, (name, stamps, offset)
