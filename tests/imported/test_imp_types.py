"""Metric types through ``gameday import``: the source's ``# TYPE`` lines reach recorded.om,
in OpenMetrics' shape (the TYPE line first, a counter's family without ``_total``, a
histogram's MetricPoints whole), promtool backfills it, and the same import gives the same
bytes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from prometheus_client.openmetrics.parser import text_string_to_metric_families

from tests.clirun import run_gameday
from tests.imported.incident import (
    INCIDENT,
    TYPED_MATCH,
    add_typed_families,
    import_args,
    write_incident,
)
from tests.promtool import PROMTOOL


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    found = write_incident(tmp_path)
    add_typed_families(found["om"])
    return found


def _import(capsys, files: dict[str, Path], out: Path, *extra: str) -> str:
    code, _, err = run_gameday(capsys, *import_args(files, out, *TYPED_MATCH, *extra))
    assert code == 0, err
    return (out / "recorded.om").read_text()


def _types(text: str) -> list[tuple[str, str]]:
    return [tuple(line.split()[2:4]) for line in text.splitlines() if line.startswith("# TYPE")]


def test_recorded_file_keeps_the_declared_types(capsys, files, tmp_path) -> None:
    """Each kept family has its TYPE line right before its first sample; families the
    import drops (node_load1) leave none behind."""
    text = _import(capsys, files, tmp_path / "inc")
    assert _types(text) == [
        ("http_requests", "counter"),
        ("orders_build", "info"),
        ("orders_latency_seconds", "histogram"),
        ("orders_pending_total", "gauge"),
        ("payments_processed", "counter"),
        ("up", "gauge"),
    ]
    lines = text.splitlines()
    for family, first in (
        ("http_requests", 'http_requests_total{code="200",service="orders"} '),
        ("orders_latency_seconds", 'orders_latency_seconds_bucket{le="0.1"} '),
        ("orders_pending_total", "orders_pending_total "),
        ("payments_processed", "payments_processed "),
        ("orders_build", 'orders_build_info{version="1.5.0"} '),
    ):
        at = next(i for i, line in enumerate(lines) if line.startswith("# TYPE " + family + " "))
        assert lines[at + 1].startswith(first), (family, lines[at + 1])
    # a histogram's MetricPoint is whole: buckets by le, then count and sum, time by time
    at = lines.index("# TYPE orders_latency_seconds histogram")
    heads = [line.rsplit(" ", 2)[0] for line in lines[at + 1 : at + 11]]
    point = [
        'orders_latency_seconds_bucket{le="0.1"}',
        'orders_latency_seconds_bucket{le="1"}',
        'orders_latency_seconds_bucket{le="+Inf"}',
        "orders_latency_seconds_count",
        "orders_latency_seconds_sum",
    ]
    assert heads == point + point
    assert lines[at + 1].split()[-1] == lines[at + 5].split()[-1] != lines[at + 6].split()[-1]


def test_one_moment_of_the_recording_is_strict_openmetrics(capsys, files, tmp_path) -> None:
    """The samples of one timestamp, with the metadata lines, pass prometheus_client's
    strict family parser (TYPE before samples, no interleaving, buckets in order, count
    equal to the +Inf bucket), which reads each family with its declared type. Left out:
    the counter without ``_total``, which OpenMetrics 1.0 forbids (1.1 lets ingestors
    accept it, promtool does) and the import cannot rename (the rules select the name)."""
    text = _import(capsys, files, tmp_path / "inc")
    at = f"{INCIDENT + 600}.000"
    moment = [
        line
        for line in text.splitlines()
        if (line.startswith("#") or line.endswith(at)) and "payments_processed" not in line
    ]
    families = {f.name: f.type for f in text_string_to_metric_families("\n".join(moment) + "\n")}
    assert families == {
        "http_requests": "counter",
        "orders_build": "info",
        "orders_latency_seconds": "histogram",
        "orders_pending_total": "gauge",
        "up": "gauge",
    }


def test_the_same_import_gives_the_same_bytes(capsys, files, tmp_path) -> None:
    """Two imports of one source are byte-identical, file by file; and importing the
    folder's own recording again writes it unchanged (the types survive the round trip)."""
    first, second = tmp_path / "a" / "inc", tmp_path / "b" / "inc"
    _import(capsys, files, first)
    _import(capsys, files, second)
    names = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    again = dict(files, om=first / "recorded.om")
    third = tmp_path / "c" / "inc"
    _import(capsys, again, third, "--history", "1h")
    assert (third / "recorded.om").read_bytes() == (first / "recorded.om").read_bytes()


def test_without_types_nothing_changes(capsys, tmp_path) -> None:
    """A source with no TYPE lines gives a recording with none, series as before."""
    files = write_incident(tmp_path)
    om = files["om"]
    lines = om.read_text().splitlines(keepends=True)
    om.write_text("".join(line for line in lines if not line.startswith("# TYPE")))
    out = tmp_path / "inc"
    code, _, err = run_gameday(capsys, *import_args(files, out))
    assert code == 0, err
    text = (out / "recorded.om").read_text()
    assert not _types(text) and "#" not in text.removesuffix("# EOF\n")


@pytest.mark.skipif(PROMTOOL is None, reason="promtool not installed")
def test_promtool_backfills_every_typed_sample(capsys, files, tmp_path) -> None:
    """promtool tsdb create-blocks-from openmetrics reads the typed recording; its dump
    holds every sample the recording holds."""
    text = _import(capsys, files, tmp_path / "inc")
    db = tmp_path / "tsdb"
    om = str(tmp_path / "inc" / "recorded.om")
    done = subprocess.run(
        [PROMTOOL, "tsdb", "create-blocks-from", "openmetrics", om, str(db)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    (db / "wal").mkdir(exist_ok=True)  # promtool 2.42's dump opens a WAL; backfill writes none
    dump = subprocess.run(
        [PROMTOOL, "tsdb", "dump", str(db)], capture_output=True, text=True, timeout=120
    )
    assert dump.returncode == 0, dump.stderr
    rows = dump.stdout.splitlines()
    assert len(rows) == len([line for line in text.splitlines() if not line.startswith("#")])
    assert f'{{__name__="orders_pending_total"}} 40 {(INCIDENT + 900) * 1000}' in rows
    shutil.rmtree(db)
