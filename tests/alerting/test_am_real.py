"""The simulated dispatcher sends what a real Alertmanager 0.25 sends, when it sends it.

Starts ``prometheus-alertmanager`` on 127.0.0.1 with second-scale timers and a webhook
receiver served by this test, posts the same alerts to it (API v2) and to the model at
the offsets at which the real one got them (a loaded machine delays both alike), and
compares the notifications: receiver, group key and labels, status, alerts with their
status and fingerprint, in order, each within one second of the model's time.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import simpy

from gameday.alerting import parse_alertmanager_config
from gameday.alerting.alerts import Alert, Notification
from gameday.alerting.dispatch import Dispatcher

BINARY = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")

CONFIG = """
global:
  resolve_timeout: 5s
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 2s
  group_interval: 5s
  repeat_interval: 7s
  routes:
    - matchers: [team="db"]
      receiver: db
      continue: true
    - matchers: [team=~"db|web"]
      receiver: hook
    - matchers: [team="muted"]
      receiver: hook
      mute_time_intervals: [always]
    - matchers: [team="inactive"]
      receiver: hook
      active_time_intervals: [never]
    - matchers: [team="all"]
      receiver: hook
      group_by: ['...']
      group_wait: 1s
time_intervals:
  - name: always
    time_intervals: [{{times: [{{start_time: '00:00', end_time: '24:00'}}]}}]
  - name: never
    time_intervals: [{{years: ['1999']}}]
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
receivers:
  - name: hook
    webhook_configs: [{{url: "http://127.0.0.1:{port}/hook"}}]
  - name: db
    webhook_configs: [{{url: "http://127.0.0.1:{port}/db", send_resolved: false}}]
"""

FAR = 600.0
END = 25.0
# (offset, "alert", labels, starts_at, ends_at | None)  -- None: no endsAt (resolve_timeout)
# (offset, "silence", alertname, starts_at, ends_at)
TIMELINE: list[tuple] = [
    (0.0, "alert", {"alertname": "A", "i": "1", "team": "db"}, 0.0, FAR),
    (0.2, "silence", "E", 0.2, 9.5),
    (0.5, "alert", {"alertname": "B", "severity": "warning"}, 0.5, FAR),
    (1.0, "alert", {"alertname": "A", "i": "2", "team": "db"}, 1.0, FAR),
    (1.5, "alert", {"alertname": "E"}, 1.5, FAR),
    (2.0, "alert", {"alertname": "G", "i": "1", "team": "all"}, 2.0, FAR),
    (2.0, "alert", {"alertname": "G", "i": "2", "team": "all"}, 2.0, FAR),
    (2.5, "alert", {"alertname": "M", "team": "muted"}, 2.5, FAR),
    (2.5, "alert", {"alertname": "I", "team": "inactive"}, 2.5, FAR),
    (3.0, "alert", {"alertname": "D"}, 3.0, None),
    (4.0, "alert", {"alertname": "C", "severity": "critical"}, 4.0, FAR),
    (8.0, "alert", {"alertname": "A", "i": "1", "team": "db"}, 0.0, 8.0),
    (9.0, "alert", {"alertname": "F", "team": "web"}, -20.0, FAR),
    (14.0, "alert", {"alertname": "C", "severity": "critical"}, 4.0, 14.0),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def simulate(config_text: str, offsets: list[float] | None = None) -> list[tuple[float, tuple]]:
    """The model's notifications for TIMELINE, as comparable tuples.

    ``offsets`` are the moments the real Alertmanager got each event (default: as planned),
    so that a slow machine delays both runs alike.
    """
    offsets = offsets or [event[0] for event in TIMELINE]
    cfg = parse_alertmanager_config(config_text, "alertmanager.yml")
    env = simpy.Environment()
    out: list[tuple[float, tuple]] = []

    def record(n: Notification) -> None:
        alerts = tuple((tuple(sorted(a.labels.items())), a.status, a.fingerprint) for a in n.alerts)
        key = (n.receiver, n.group_key, tuple(sorted(n.group_labels.items())), n.status, alerts)
        out.append((n.t, key))

    d = Dispatcher(env, cfg, record)

    def feed(env):  # type: ignore[no-untyped-def]
        for offset, (_, kind, what, starts, ends) in zip(offsets, TIMELINE, strict=True):
            yield env.timeout(max(0.0, offset - env.now))
            if kind == "silence":
                d.silences.add({"alertname": what}, starts, ends, "test", "quiet")
            else:
                d.put(Alert(dict(what), starts_at=starts, ends_at=ends))

    env.process(feed(env))
    env.run(until=END)
    return out


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@pytest.mark.slow
@pytest.mark.skipif(BINARY is None, reason="prometheus-alertmanager binary not installed")
def test_model_matches_real_alertmanager(tmp_path) -> None:
    """Same notifications, same order, same offsets (within 1 s) as the real binary."""
    hook_port, am_port = _free_port(), _free_port()
    config_text = CONFIG.format(port=hook_port)
    (tmp_path / "am.yml").write_text(config_text)
    received: list[tuple[float, tuple]] = []
    t0_box: list[float] = []
    offsets: list[float] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            t = time.monotonic() - t0_box[0]
            alerts = tuple(
                (tuple(sorted(a["labels"].items())), a["status"], a["fingerprint"])
                for a in body["alerts"]
            )
            key = (
                body["receiver"],
                body["groupKey"],
                tuple(sorted(body["groupLabels"].items())),
                body["status"],
                alerts,
            )
            received.append((t, key))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = HTTPServer(("127.0.0.1", hook_port), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    am_log = (tmp_path / "am.log").open("w")
    proc = subprocess.Popen(
        [
            BINARY,
            f"--config.file={tmp_path / 'am.yml'}",
            f"--storage.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{am_port}",
            "--cluster.listen-address=",
        ],
        stdout=subprocess.DEVNULL,
        stderr=am_log,
    )
    base = f"http://127.0.0.1:{am_port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(base + "/-/ready", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("alertmanager did not start: " + (tmp_path / "am.log").read_text())
                time.sleep(0.1)
        wall0 = datetime.now(UTC)
        t0_box.append(time.monotonic())
        for offset, kind, what, starts, ends in TIMELINE:
            delay = t0_box[0] + offset - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            body: dict = {"startsAt": _iso(wall0 + timedelta(seconds=starts))}
            if ends is not None:
                body["endsAt"] = _iso(wall0 + timedelta(seconds=ends))
            if kind == "silence":
                matcher = {"name": "alertname", "value": what, "isRegex": False, "isEqual": True}
                body.update(matchers=[matcher], createdBy="test", comment="quiet")
                url, payload = base + "/api/v2/silences", body
            else:
                url, payload = base + "/api/v2/alerts", [{"labels": what, **body}]
            req = urllib.request.Request(
                url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
            )
            sent = time.monotonic()
            urllib.request.urlopen(req, timeout=5).read()
            offsets.append((sent + time.monotonic()) / 2 - t0_box[0])
        time.sleep(max(0.0, t0_box[0] + END - time.monotonic()))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        am_log.close()
        server.shutdown()
        server.server_close()
    expected = simulate(config_text, offsets)
    table = "\n".join(f"real {t:6.2f} {k}" for t, k in received)
    table += "\n" + "\n".join(f"sim  {t:6.2f} {k}" for t, k in expected)
    sim_time_of = []
    unmatched = list(expected)
    for t, key in received:
        hit = next((e for e in unmatched if e[1] == key and abs(e[0] - t) <= 1.0), None)
        assert hit is not None, f"real notification not in the model (±1 s):\n{table}"
        unmatched.remove(hit)
        sim_time_of.append(hit[0])
    assert unmatched == [], f"the model sent more than Alertmanager:\n{table}"
    # Same order, except that deliveries less than the 1 s tolerance apart may arrive in either order on a busy
    # machine (each goes out on its own goroutine); farther apart, the order must agree.
    inverted = [(a, b) for a, b in zip(sim_time_of, sim_time_of[1:], strict=False) if b < a - 1.0]
    assert inverted == [], table
