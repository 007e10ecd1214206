"""Every option that names an output is checked before the command runs (issue 16, item 4).

A missing folder, a folder where a file is expected (or a file where a folder is), a
device, a place gameday cannot write, or a file the command reads: one line on stderr
that names the option and the path, exit 2, and nothing run or written. An I/O error in
the middle of a run (a full disk) names the file it could not write, exit 2.
"""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.clirun import run_gameday

SCENARIO = "db-pool-exhaustion"
RULES = "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: sum(up)\n"
OM = '# TYPE up gauge\nup{job="api"} 1 1793491200\nup{job="api"} 1 1793491260\n# EOF\n'


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A drill's journal and result.json, a rule file and recorded data to read."""
    folder = tmp_path_factory.mktemp("inputs")
    proc = subprocess.run(
        [sys.executable, "-m", "gameday", "drill", SCENARIO, "-q", "--out", str(folder / "runs")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    (run,) = (folder / "runs").iterdir()
    run.rename(folder / "drill")
    (folder / "rules.yml").write_text(RULES)
    (folder / "data.om").write_text(OM)
    return folder


# command line before the output option (``{in}`` is the inputs folder), the option, its kind
COMMANDS: list[tuple[list[str], str, str]] = [
    (["drill", SCENARIO, "-q"], "--out", "folder"),
    (["drill", SCENARIO, "-q"], "--junit", "file"),
    (["drill", SCENARIO, "-q"], "--json", "file"),
    (["replay", "{in}/drill/journal.jsonl"], "--out", "file"),
    (["resume", "{in}/drill/journal.jsonl"], "--out", "file"),
    (["play", SCENARIO], "--journal", "file"),
    (["serve", SCENARIO], "--journal", "file"),
    (["report", "{in}/drill/result.json"], "--output", "file"),
    (["schema"], "--output", "file"),
    (["chaos", "run", SCENARIO, "--context", "kind-x"], "--journal", "file"),
    (["sweep", SCENARIO, "--runs", "2", "--workers", "1"], "--out", "folder"),
    (
        [
            "import",
            "--openmetrics",
            "{in}/data.om",
            "--from",
            "1793491200",
            "--to",
            "1793491260",
            "--rules",
            "{in}/rules.yml",
        ],
        "--out",
        "folder",
    ),  # fmt: skip
]


def _bad_paths(tmp: Path, kind: str) -> dict[str, tuple[Path, str]]:
    """Each bad target for an output of ``kind``, and what the refusal says."""
    (tmp / "a-folder").mkdir()
    (tmp / "a-file").write_text("x")
    cases = {
        "missing-parent": (tmp / "nowhere" / "out", f"no such directory: {tmp / 'nowhere'}"),
        "unwritable": (Path("/proc/gameday-out"), "cannot write in /proc: "),
        "parent-is-a-file": (tmp / "a-file" / "out", f"not a directory: {tmp / 'a-file'}"),
    }
    if kind == "file":
        cases["is-a-folder"] = (tmp / "a-folder", "is a directory (a file name is expected)")
        cases["device"] = (Path("/dev/null"), "is not a regular file")
    else:
        cases["is-a-file"] = (tmp / "a-file", "is not a directory (a folder is expected)")
    return cases


def _entries(folder: Path) -> set[Path]:
    return set(folder.rglob("*"))


FILE_BADS = ["missing-parent", "unwritable", "parent-is-a-file", "is-a-folder", "device"]
FOLDER_BADS = ["unwritable", "parent-is-a-file", "is-a-file"]  # missing parents are made
PARAMS = [
    pytest.param(argv, option, kind, bad, id=f"{argv[0]}{'-' + argv[1] if argv[0] == 'chaos' else ''}"
                 f"{option}-{bad}")
    for argv, option, kind in COMMANDS
    for bad in (FILE_BADS if kind == "file" else FOLDER_BADS)
]  # fmt: skip


@pytest.mark.parametrize(("argv", "option", "kind", "bad"), PARAMS)
def test_bad_output_is_refused_before_anything_runs(
    tmp_path: Path,
    inputs: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    option: str,
    kind: str,
    bad: str,
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("GAMEDAY_DATA_DIR", str(tmp_path / "data"))
    target, says = _bad_paths(tmp_path, kind)[bad]
    before = _entries(tmp_path) | _entries(inputs)
    args = [a.replace("{in}", str(inputs)) for a in argv] + [option, str(target)]
    code, out, err = run_gameday(capsys, *args)
    assert code == 2, (out, err)
    assert err.startswith(f"gameday: {option} {target}: ") and says in err, err
    assert err.count("\n") == 1, "one line"
    assert out == "", "nothing ran"
    assert _entries(tmp_path) | _entries(inputs) == before, "nothing was written"


SAME_AS_INPUT: list[tuple[list[str], str]] = [
    (["replay", "{in}/drill/journal.jsonl", "--out", "{in}/drill/journal.jsonl"], "--out"),
    (["resume", "{in}/drill/journal.jsonl", "--out", "{in}/drill/journal.jsonl"], "--out"),
    (["report", "{in}/drill/result.json", "--output", "{in}/drill/result.json"], "--output"),
    (["drill", "{scn}", "--json", "{scn}/scenario.yaml"], "--json"),
    (["drill", "{scn}", "--junit", "{scn}/rules/orders.rules.yml"], "--junit"),
    (["drill", SCENARIO, "--junit", "{in}/r.xml", "--json", "{in}/r.xml"], "--json"),
]


@pytest.mark.parametrize(("argv", "option"), SAME_AS_INPUT)
def test_output_onto_an_input_is_refused(
    tmp_path: Path,
    inputs: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    option: str,
) -> None:
    import shutil

    from tests.conftest import SCENARIOS

    scn = tmp_path / "scn"
    shutil.copytree(SCENARIOS / SCENARIO, scn)
    monkeypatch.chdir(tmp_path)
    snapshot = {p: p.read_bytes() for p in [*scn.rglob("*"), *inputs.rglob("*")] if p.is_file()}
    args = [a.replace("{in}", str(inputs)).replace("{scn}", str(scn)) for a in argv]
    code, out, err = run_gameday(capsys, *args)
    assert code == 2, (out, err)
    assert err.startswith(f"gameday: {option} ") and err.count("\n") == 1, err
    assert not (tmp_path / "reports").exists(), "nothing ran"
    assert {p: p.read_bytes() for p in snapshot} == snapshot, "no input was touched"


def _limited(fsize: int) -> Callable[[], None]:
    def limit() -> None:  # pragma: no cover - runs in the child
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return limit


def test_a_full_disk_mid_run_names_the_file(tmp_path: Path) -> None:
    """Files capped at 20 kB (as a full disk would stop them): the journal's write fails
    mid-drill; gameday names the journal and exits 2, without a traceback."""
    proc = subprocess.run(
        [sys.executable, "-m", "gameday", "drill", SCENARIO, "-q", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_limited(20_000),
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    (journal,) = tmp_path.glob("*/journal.jsonl")
    assert proc.stderr == f"gameday: {journal}: File too large\n"
    assert journal.stat().st_size == 20_000, "what fitted was saved"
