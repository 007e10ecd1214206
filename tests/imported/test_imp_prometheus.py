"""``gameday import --prometheus`` against a real Prometheus (Debian's package) serving the
incident backfilled with promtool: the folder holds what the OpenMetrics import holds."""

from __future__ import annotations

import pytest

from tests.backtest.promserver import HAVE_BINARIES, serving
from tests.clirun import run_gameday
from tests.imported.incident import import_args, write_incident

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not HAVE_BINARIES, reason="Debian's prometheus package not installed"),
]


def test_live_import_equals_the_openmetrics_import(capsys, tmp_path) -> None:
    """Fetched 20 minutes at a time, the recorded samples are the file's, byte for byte
    but for the file's TYPE lines, and the imported incident plays the same alerts and pages."""
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
    # the server has no metric types to give (none is read yet): the samples are the same
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
