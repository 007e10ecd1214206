"""``gameday import --prometheus`` against a real Prometheus (Debian's package) serving the
incident backfilled with promtool: the folder holds what the OpenMetrics import holds."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from tests.backtest.promserver import HAVE_BINARIES, serving
from tests.clirun import run_gameday
from tests.imported.incident import T0, TYPED_MATCH, add_typed_families, import_args, write_incident

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not HAVE_BINARIES, reason="Debian's prometheus package not installed"),
]


def test_live_import_equals_the_openmetrics_import(capsys, tmp_path) -> None:
    """Fetched 20 minutes at a time, the recorded samples are the file's, byte for byte
    but for the file's TYPE lines (the server has no metadata, and says so), and the imported incident plays the same alerts and pages."""
    files = write_incident(tmp_path)
    from_file = tmp_path / "from-file"
    assert run_gameday(capsys, *import_args(files, from_file))[0] == 0
    with serving(files["om"], tmp_path / "prom") as url:
        live = tmp_path / "live"
        args = import_args(files, live)
        i = args.index("--openmetrics")
        args[i : i + 2] = ["--prometheus", url, "--chunk", "20m"]
        code, out, err = run_gameday(capsys, *args)
        assert code == 0, err
    assert "imported 5 series, 2405 samples" in out
    # metadata come from scrapes: a server holding backfilled data only has none to give
    assert err.startswith(f"note: no metric types from {url}: its /api/v1/metadata lists none")
    untyped = [
        line
        for line in (from_file / "recorded.om").read_text().splitlines(keepends=True)
        if not line.startswith("# TYPE ")
    ]
    assert (live / "recorded.om").read_text() == "".join(untyped)
    runs = []
    for folder in (from_file, live):
        code, out, err = run_gameday(
            capsys,
            "drill",
            str(folder),
            "--responder",
            "idle",
            "--out",
            str(tmp_path / f"runs-{folder.name}"),
        )
        runs.append([line for line in out.splitlines() if "ALERT" in line or "PAGE" in line])
    assert runs[0] == runs[1] and runs[0]


@contextlib.contextmanager
def _exporter(body: str) -> Iterator[str]:
    """A target exposing ``body`` as OpenMetrics at /metrics; yields host:port."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            data = body.encode()
            self.send_response(200)
            self.send_header(
                "Content-Type", "application/openmetrics-text; version=1.0.0; charset=utf-8"
            )
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _exposition(om: Path, first: str) -> str:
    """What the recording's exporter exposed at one scrape: the file's metadata and its
    samples of time ``first``, without timestamps (``up`` is Prometheus' own)."""
    out = []
    for line in om.read_text().splitlines():
        if line.startswith("#"):
            out += [] if line.startswith("# TYPE up ") else [line]
        elif line.endswith(" " + first) and not line.startswith("up{"):
            out.append(line.rsplit(" ", 1)[0])
    return "\n".join(out) + "\n"


def test_live_import_takes_the_types_from_the_metadata_api(capsys, tmp_path) -> None:
    """A Prometheus scraping the exporter the recording came from knows its families'
    types (/api/v1/metadata): the live import writes the file's TYPE lines, byte for byte
    the OpenMetrics import but for ``up``'s (Prometheus' own series, with no metadata)."""
    files = write_incident(tmp_path)
    add_typed_families(files["om"])
    from_file = tmp_path / "from-file"
    assert run_gameday(capsys, *import_args(files, from_file, *TYPED_MATCH))[0] == 0
    with _exporter(_exposition(files["om"], repr(float(T0)))) as target:
        scrape = (
            "scrape_configs:\n  - job_name: orders\n    scrape_interval: 1s\n"
            f"    static_configs:\n      - targets: ['{target}']\n"
        )
        with serving(files["om"], tmp_path / "prom", config=scrape) as url:
            deadline = time.monotonic() + 60
            while not requests.get(url + "/api/v1/metadata", timeout=10).json()["data"]:
                assert time.monotonic() < deadline, "Prometheus never scraped the exporter"
                time.sleep(0.5)
            live = tmp_path / "live"
            args = import_args(files, live, *TYPED_MATCH)
            i = args.index("--openmetrics")
            args[i : i + 2] = ["--prometheus", url]
            code, _, err = run_gameday(capsys, *args)
            assert code == 0, err
    assert err == ""
    recorded = (from_file / "recorded.om").read_text()
    assert "# TYPE up gauge\n" in recorded and "# TYPE orders_pending_total gauge\n" in recorded
    assert (live / "recorded.om").read_text() == recorded.replace("# TYPE up gauge\n", "")
