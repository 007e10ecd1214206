"""``gameday import --prometheus`` and the server's metric metadata, against a local HTTP
server answering Prometheus' documented JSON (a real Prometheus has metadata only for what
its targets expose, see test_imp_prometheus.py): the types the targets agree on reach
recorded.om, and an older server, an error or no metadata never fail the import."""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.backtest.btsupport import T0
from tests.clirun import run_gameday

START = T0 + 600  # the window: 10 minutes of history (the rules' 5m, and more), then 1h
SERIES = {
    ("requests_total", "200"): lambda i: 30.0 * i,  # a counter, 0.0.4's name for it
    ("queue_total", ""): lambda i: float(i % 7),  # a gauge its exporter named _total
    ("temperature", ""): lambda i: 20.0 + i % 3,
    ("mixed", ""): lambda i: float(i),  # a counter on one target, a gauge on another
}
RULES = """
groups:
  - name: shop
    rules:
      - alert: Busy
        expr: sum(rate(requests_total[5m])) > 100 or queue_total > 5 or temperature > 30 or mixed < 0
"""
# /api/v1/metadata as the HTTP API documentation shows it: each metric's distinct
# metadata across the targets exposing it (two helps for one type are still one type)
DOCUMENTED = {
    "requests_total": [{"type": "counter", "help": "Requests served.", "unit": ""}],
    "queue_total": [{"type": "gauge", "help": "Orders waiting.", "unit": ""}],
    "temperature": [
        {"type": "gauge", "help": "Temperature.", "unit": ""},
        {"type": "gauge", "help": "Temperature in the rack.", "unit": ""},
    ],
    "mixed": [
        {"type": "counter", "help": "", "unit": ""},
        {"type": "gauge", "help": "", "unit": ""},
    ],
    "go_goroutines": [{"type": "gauge", "help": "Goroutines.", "unit": ""}],
}


class _Prometheus(BaseHTTPRequestHandler):
    """Raw samples for range-selector queries; /api/v1/metadata by the server's mode."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path, _, query = self.path.partition("?")
        params = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
        if path == "/api/v1/status/buildinfo":
            self._json(200, {"status": "success", "data": {"version": "2.42.0"}})
        elif path == "/api/v1/query":
            self._json(200, {"status": "success", "data": _matrix(params)})
        elif path == "/api/v1/metadata":
            self._metadata(self.server.mode)  # type: ignore[attr-defined]
        else:
            self._text(404, "404 page not found\n")

    def _metadata(self, mode: str) -> None:
        if mode == "documented":
            self._json(200, {"status": "success", "data": DOCUMENTED})
        elif mode == "empty":  # a server holding only backfilled data
            self._json(200, {"status": "success", "data": {}})
        elif mode == "error":
            self._json(503, {"status": "error", "errorType": "unavailable", "error": "busy"})
        else:  # "old": Prometheus before 2.15 has no such route
            self._text(404, "404 page not found\n")

    def _json(self, code: int, body: dict) -> None:
        self._send(code, "application/json", json.dumps(body))

    def _text(self, code: int, body: str) -> None:
        self._send(code, "text/plain; charset=utf-8", body)

    def _send(self, code: int, kind: str, body: str) -> None:
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def _matrix(params: dict[str, str]) -> dict:
    """Every series' samples in ``(time - range, time]`` (the client keeps what it asked)."""
    from urllib.parse import unquote

    span = int(re.search(r"\[(\d+)ms\]$", unquote(params["query"])).group(1))  # type: ignore[union-attr]
    end = float(params["time"])
    result = []
    for (name, code), value in SERIES.items():
        labels = {"__name__": name, **({"code": code} if code else {})}
        points = [
            [T0 + 15 * i, str(value(i))]
            for i in range(4 * 60 * 5 + 1)
            if end - span / 1000 < T0 + 15 * i <= end
        ]
        if points:
            result.append({"metric": labels, "values": points})
    return {"resultType": "matrix", "result": result}


@contextlib.contextmanager
def _server(mode: str) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Prometheus)
    server.daemon_threads = True
    server.mode = mode  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _import(capsys, tmp_path: Path, mode: str) -> tuple[str, str]:
    rules = tmp_path / "rules.yml"
    rules.write_text(RULES)
    out = tmp_path / mode
    with _server(mode) as url:
        code, _, err = run_gameday(
            capsys, "import", "--out", str(out), "--prometheus", url, "--rules", str(rules),
            "--from", str(START), "--to", str(START + 3600), "--history", "10m",
        )  # fmt: skip
    assert code == 0, err
    return (out / "recorded.om").read_text(), err


def _types(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("# TYPE ")]


def test_types_the_targets_agree_on_reach_the_recording(capsys, tmp_path) -> None:
    """A 0.0.4 counter ``requests_total`` is written as the family ``requests``; a gauge
    named ``_total`` stays a gauge; ``mixed`` (two types) and metrics not recorded get no
    TYPE line; nothing is said on stderr."""
    text, err = _import(capsys, tmp_path, "documented")
    assert _types(text) == [
        "# TYPE queue_total gauge",
        "# TYPE requests counter",
        "# TYPE temperature gauge",
    ]
    lines = text.splitlines()
    assert lines[lines.index("# TYPE requests counter") + 1].startswith("requests_total{")
    assert any(line.startswith("mixed ") for line in lines)
    assert err == ""


@pytest.mark.parametrize(
    ("mode", "why"),
    [
        ("old", "HTTP 404 from /api/v1/metadata is not a Prometheus API answer"),
        ("error", "HTTP 503: busy"),
        ("empty", "its /api/v1/metadata lists none"),
    ],
)
def test_no_metadata_never_fails_the_import(capsys, tmp_path, mode, why) -> None:
    """An older server (no such route), a refusal or no metadata: the import is written,
    with no TYPE line, and a note on stderr says why."""
    text, err = _import(capsys, tmp_path, mode)
    assert not _types(text) and "requests_total{" in text
    assert err.startswith("note: no metric types from http://127.0.0.1:"), err
    assert why in err and err.rstrip().endswith("families are told apart by their names")
    assert len(err.splitlines()) == 1
