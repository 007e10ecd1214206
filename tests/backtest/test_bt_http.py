"""--prometheus failures that need no Prometheus, and options of the OpenMetrics path.

Every failure to read from a server exits 2: the exit-code table keeps 1 for a run that
worked and missed its targets, and a backtest that could not read its data did not run.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.backtest.btsupport import T0, gauge_points, run, run_json, write_om
from tests.backtest.promserver import free_port

RULES = """
groups:
  - name: default-interval
    rules:
      - alert: Hot
        expr: temperature > 30
        for: 1m
"""


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yml"
    path.write_text(RULES)
    return path


def _window() -> list[str]:
    return ["--from", str(T0), "--to", str(T0 + 3600)]


def test_unreachable_server(capsys, rules) -> None:
    """Nothing listening: 'cannot connect', exit 2, no traceback."""
    url = f"http://127.0.0.1:{free_port()}"
    code, _, err = run(capsys, "backtest", "--rules", str(rules), "--prometheus", url, *_window())
    assert code == 2
    assert err.startswith(f"{url}: cannot connect: ") and "is Prometheus running there?" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (["--prometheus", "ftp://127.0.0.1/"], "not an http:// or https:// URL"),
        (
            ["--prometheus", "http://127.0.0.1:1", "--user", "a", "--bearer-token", "t"],
            "or a bearer token",
        ),
        (["--prometheus", "http://127.0.0.1:1", "--password", "p"], "--password without --user"),
        (["--prometheus", "http://127.0.0.1:1", "--chunk", "nope"], "--chunk"),
    ],
)
def test_bad_connection_options(capsys, rules, args, what) -> None:
    """Refused before any request, exit 2."""
    code, _, err = run(capsys, "backtest", "--rules", str(rules), *args, *_window())
    assert code == 2 and what in err


def test_prometheus_needs_a_window(capsys, rules) -> None:
    """--prometheus without --from/--to is a usage error (no data extent to default to)."""
    code, _, err = run(
        capsys, "backtest", "--rules", str(rules), "--prometheus", "http://127.0.0.1:1"
    )
    assert code == 2 and "--prometheus needs --from and --to" in err


class _Fake(BaseHTTPRequestHandler):
    """Answers like a Prometheus that is slow, broken or refusing (by path)."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        # the client may have given up (the --timeout case)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer(self.server.mode)  # type: ignore[attr-defined]

    def _answer(self, mode: str) -> None:
        if mode == "slow":
            time.sleep(2)
        if mode == "error":
            body = {
                "status": "error",
                "errorType": "execution",
                "error": "query processing would load too many samples into memory in query execution",
            }
            self._send(422, body)
        elif mode == "html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html>Grafana</html>")
        else:
            self._send(200, {"status": "success", "data": {"resultType": "matrix", "result": []}})

    def _send(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Fake)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("mode", "extra", "what"),
    [
        (
            "slow",
            ["--timeout", "500ms"],
            "no answer within 0.5s (raise --timeout or lower --chunk)",
        ),
        (
            "error",
            [],
            "HTTP 422: query processing would load too many samples into memory in query execution (lower --chunk)",
        ),
        ("html", [], "is not a Prometheus API answer"),
    ],
)
def test_server_failures_are_explained(capsys, rules, fake, mode, extra, what) -> None:
    """A slow server (--timeout), a query the server refuses, a URL that is not an API."""
    fake.mode = mode
    url = f"http://127.0.0.1:{fake.server_address[1]}"
    code, _, err = run(
        capsys, "backtest", "--rules", str(rules), "--prometheus", url, *_window(), *extra
    )
    assert code == 2 and what in err, err


def _temperature(tmp_path: Path) -> Path:
    return write_om(
        tmp_path / "t.om",
        {
            "temperature": (
                "gauge",
                [
                    (
                        {"__name__": "temperature"},
                        gauge_points(
                            T0, T0 + 3600, 15, lambda t: 35.0 if 600 <= t < 1200 else 20.0
                        ),
                    )
                ],
            )
        },
    )


def test_evaluation_interval_applies_to_groups_without_one(capsys, rules, tmp_path) -> None:
    """A group with no interval is evaluated every --evaluation-interval (default 1m):
    a condition starting at 10m15s is first seen at 11m with 1m, at 10m30s with 15s."""
    om = write_om(
        tmp_path / "t.om",
        {
            "temperature": (
                "gauge",
                [
                    (
                        {"__name__": "temperature"},
                        gauge_points(
                            T0, T0 + 3600, 15, lambda t: 35.0 if 615 <= t < 1200 else 20.0
                        ),
                    )
                ],
            )
        },
    )
    base = ["backtest", "--rules", str(rules), "--openmetrics", str(om)]
    default = run_json(capsys, *base)["alerts"][0]
    fast = run_json(capsys, *base, "--evaluation-interval", "15s")["alerts"][0]
    assert (default["active_at"], default["firing_at"]) == (
        "2026-11-01T00:11:00Z",
        "2026-11-01T00:12:00Z",
    )
    assert (fast["active_at"], fast["firing_at"]) == (
        "2026-11-01T00:10:15Z",
        "2026-11-01T00:11:15Z",
    )


def test_progress_bar_on_request(capsys, rules, tmp_path) -> None:
    """--progress reports on stderr (off a terminal, a line per tenth; stdout stays the
    report); --no-progress and the default off a terminal report nothing."""
    om = _temperature(tmp_path)
    base = ["backtest", "--rules", str(rules), "--openmetrics", str(om)]
    code, out, err = run(
        capsys, *base, "--progress", "--from", str(T0), "--to", str(T0 + 3 * 86400)
    )
    assert code == 0 and "evaluating" not in out
    # a day per chunk; the window holds both ends, so its last millisecond is a fourth chunk
    assert err.splitlines() == [
        "evaluating 30%",
        "evaluating 60%",
        "evaluating 90%",
        "evaluating 100%",
    ]
    for args in (["--no-progress"], []):
        code, _, err = run(capsys, *base, *args)
        assert code == 0 and err == ""
