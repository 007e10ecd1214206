"""A real Prometheus (Debian's package) serving a TSDB backfilled from OpenMetrics."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

PROMETHEUS = shutil.which("prometheus")
PROMTOOL = shutil.which("promtool")
HAVE_BINARIES = PROMETHEUS is not None and PROMTOOL is not None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def backfill(om: Path, tsdb: Path) -> None:
    """``promtool tsdb create-blocks-from openmetrics OM TSDB``."""
    assert PROMTOOL is not None
    out = subprocess.run(
        [PROMTOOL, "tsdb", "create-blocks-from", "openmetrics", str(om), str(tsdb)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr + out.stdout


@contextlib.contextmanager
def serving(
    om: Path, work: Path, web_config: str | None = None, scheme: str = "http", config: str = ""
) -> Iterator[str]:
    """Backfill ``om``, start Prometheus on 127.0.0.1 over it, yield its base URL
    (``config`` is appended to its prometheus.yml)."""
    assert PROMETHEUS is not None
    tsdb = work / "tsdb"
    backfill(om, tsdb)
    (work / "prometheus.yml").write_text("global:\n  scrape_interval: 1h\n" + config)
    port = free_port()
    args = [
        PROMETHEUS,
        f"--config.file={work / 'prometheus.yml'}",
        f"--storage.tsdb.path={tsdb}",
        "--storage.tsdb.retention.time=100y",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    if web_config is not None:
        (work / "web.yml").write_text(web_config)
        args.append(f"--web.config.file={work / 'web.yml'}")
    log = (work / "prometheus.log").open("w")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    url = f"{scheme}://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        text = ""
        while "Server is ready to receive web requests" not in text:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(text)
            time.sleep(0.2)
            text = (work / "prometheus.log").read_text()
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
