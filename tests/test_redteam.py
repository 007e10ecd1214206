"""The red-team set of issue 20 (and the numeric part of issue 16), through the real CLI.

Every hostile input runs in a subprocess with a deadline; each must end with its clear
refusal and exit code, never a traceback, a hang or a native crash (exit 139).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, SCENARIOS

POOL = SCENARIOS / "db-pool-exhaustion"


def gameday(
    *args: str, cwd: Path, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``gameday ARGS``; asserts it ended by itself, without a traceback or a crash."""
    proc = subprocess.run(
        [sys.executable, "-m", "gameday", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
    )
    assert proc.returncode in (0, 1, 2), (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    return proc


def scenario_copy(tmp_path: Path, name: str = "s", **changes: object) -> Path:
    """db-pool-exhaustion copied to ``tmp_path/name`` with top-level keys changed."""
    folder = tmp_path / name
    shutil.copytree(POOL, folder)
    if not changes:
        return folder
    data = yaml.safe_load((folder / "scenario.yaml").read_text())
    data.update(changes)
    (folder / "scenario.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return folder


def edit_yaml(path: Path, text_before: str, text_after: str) -> None:
    text = path.read_text()
    assert text_before in text
    path.write_text(text.replace(text_before, text_after, 1))


# -- item 1: chaos -------------------------------------------------------------------------


def test_chaos_rollback_crafted_journal(tmp_path: Path) -> None:
    """Inverses that create in kube-system are refused before any connection, exit 2."""
    journal = tmp_path / "chaos.jsonl"
    records = [
        {"seq": 0, "event": "start", "context": "kind-x", "namespace": "kube-system"},
        {
            "seq": 1,
            "event": "applying",
            "op": {"type": "delete_network_policy", "namespace": "kube-system", "name": "p"},
            "inverse": {"type": "deny_all_network", "namespace": "kube-system", "name": "p"},
        },
    ]
    journal.write_text("".join(json.dumps(r) + "\n" for r in records))
    proc = gameday(
        "chaos", "rollback", str(journal), "--context", "kind-x", "--apply", cwd=tmp_path
    )
    assert proc.returncode == 2 and f"{journal}:2:1: change 1:" in proc.stderr


# -- item 2: journals ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def drilled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished drill's report folder (journal, result.json)."""
    tmp = tmp_path_factory.mktemp("drilled")
    proc = gameday("drill", "db-pool-exhaustion", "--out", str(tmp), "-q", cwd=tmp, timeout=300)
    assert proc.returncode == 0
    return next(p for p in tmp.iterdir() if p.is_dir())


def test_replay_onto_its_own_journal(drilled: Path, tmp_path: Path) -> None:
    """`replay J --out J` is refused and J keeps every line."""
    journal = tmp_path / "j.jsonl"
    shutil.copy(drilled / "journal.jsonl", journal)
    before = journal.read_bytes()
    proc = gameday("replay", str(journal), "--out", str(journal), cwd=tmp_path)
    assert proc.returncode == 2 and journal.read_bytes() == before


def test_result_json_is_strict_json(drilled: Path) -> None:
    """result.json parses with a parser that refuses NaN and infinities."""

    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    json.loads((drilled / "result.json").read_text(), parse_constant=refuse)


# -- item 4: limits before native code and recursion ---------------------------------------


def test_huge_promql_is_refused_not_crashed(tmp_path: Path) -> None:
    """validate, rules test and drill refuse 20000 unary minus signs (it segfaulted the
    parser); a 5000-term chain is accepted, as promtool accepts it
    (tests/promql/test_promql_depth.py compares it with promtool)."""
    expr = "-" * 20000 + "up"
    rules = tmp_path / "rules.yml"
    rules.write_text(
        yaml.safe_dump({"groups": [{"name": "g", "rules": [{"alert": "A", "expr": expr}]}]})
    )
    proc = gameday("validate", str(rules), cwd=tmp_path)
    assert proc.returncode == 2 and "gameday parses at most 256" in proc.stderr
    tests = tmp_path / "tests.yml"
    tests.write_text(
        yaml.safe_dump(
            {
                "rule_files": ["rules.yml"],
                "tests": [{"input_series": [], "alert_rule_test": []}],
            }
        )
    )
    proc = gameday("rules", "test", str(tests), cwd=tmp_path)
    assert proc.returncode == 1 and "gameday parses at most 256" in proc.stdout + proc.stderr
    folder = scenario_copy(tmp_path)
    (folder / "rules" / "extra.yml").write_text(rules.read_text())
    data = yaml.safe_load((folder / "scenario.yaml").read_text())
    data.setdefault("files", {}).setdefault("rules", [])
    data["files"]["rules"] = [*(data["files"]["rules"] or []), "rules/extra.yml"]
    (folder / "scenario.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    proc = gameday("drill", str(folder), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 2 and "gameday parses at most 256" in proc.stderr
    chain = " + ".join(["up"] * 5000)
    rules.write_text(
        yaml.safe_dump(
            {"groups": [{"name": "g", "rules": [{"record": "r", "expr": chain}]}]}, width=1 << 20
        )
    )
    proc = gameday("validate", str(rules), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_alias_bomb_in_runbook_front_matter(tmp_path: Path) -> None:
    """A runbook whose front matter is a billion laughs: refused at once."""
    bomb = "a0: &a0 [x]\n" + "".join(
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 25)
    )
    runbook = tmp_path / "rb.md"
    runbook.write_text(f"---\n{bomb}---\n# Orders\n")
    proc = gameday("validate", str(runbook), cwd=tmp_path, timeout=60)
    assert proc.returncode == 2 and "excessive aliasing" in proc.stderr


def chain_scenario(tmp_path: Path, n: int = 2000) -> Path:
    """db-pool-exhaustion with ``n`` more services, each calling the next."""
    folder = scenario_copy(tmp_path, "chain", id="chain")
    data = yaml.safe_load((folder / "scenario.yaml").read_text())
    services = data["world"]["services"]
    services[-1]["calls"] = ["s0"]
    for i in range(n):
        svc = {"name": f"s{i}", "replicas": 1, "latency": "1ms", "rps_per_replica": 100000}
        if i < n - 1:
            svc["calls"] = [f"s{i + 1}"]
        services.append(svc)
    (folder / "scenario.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return folder


@pytest.mark.slow  # validate plays the world five times: about 80 s of CPU at this size
def test_chain_of_2000_services_validates(tmp_path: Path) -> None:
    """A 2000-service call chain validates: the solution and the red herrings play in it."""
    chain = chain_scenario(tmp_path / "scenarios")
    proc = gameday("validate", str(chain), cwd=tmp_path, timeout=900)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.startswith("ok: ")  # the summary goes to stderr, as problems do


def test_chain_of_2000_services_lists_beside_a_broken_folder(tmp_path: Path) -> None:
    """A 2000-service call chain in ./scenarios lists beside a broken folder."""
    chain_scenario(tmp_path / "scenarios")
    broken = tmp_path / "scenarios" / "broken"
    broken.mkdir()
    (broken / "scenario.yaml").write_text("id: [unclosed\n")
    proc = gameday("list", cwd=tmp_path, timeout=300)
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert any(line.startswith("chain ") for line in lines)
    assert any(line.startswith("broken ") for line in lines)
    assert any(line.startswith("bad-deploy ") for line in lines)


def test_chain_of_2000_services_drills(tmp_path: Path) -> None:
    """The same chain plays to the end (12 sim minutes, idle: the point is no RecursionError)."""
    chain = chain_scenario(tmp_path)
    edit_yaml(chain / "scenario.yaml", "duration: 60m", "duration: 12m")
    edit_yaml(chain / "scenario.yaml", "solution: solution.yaml", "solution: null")
    out = str(tmp_path / "out")
    proc = gameday(
        "drill", str(chain), "--responder", "idle", "--out", out, "-q", cwd=tmp_path, timeout=600
    )
    assert proc.returncode in (0, 1) and proc.stdout.startswith(("PASS", "FAIL"))


# -- item 8 and issue 16: numbers ------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "message"),
    [
        ("scrape_interval: 15s", "scrape_interval: 0", "scrape_interval 0s is out of range"),
        ("scrape_interval: 15s", "scrape_interval: 1ms", "at least 1s"),
        ("duration: 60m", "duration: 100y", "longer than a game day needs"),
        ("duration: 60m", "duration: 25h", "between 1m and 24h"),
        ("rps: 120,", "rps: .inf,", "finite number"),
        ("rps: 120,", "rps: .nan,", "finite number"),
        (
            'start_time: "2026-03-10T22:50:00+00:00"',
            'start_time: "9999-03-10T22:50:00+00:00"',
            "out of range (1970 to 2200)",
        ),
        ("targets:", "targets:\n  weights: {ack: .nan}", "finite number"),
        ("targets:", "targets:\n  weights: {ack: -5}", "greater than or equal to 0"),
        ("targets:", "targets:\n  weights: {speed: 5}", "unknown scorecard dimension 'speed'"),
    ],
    ids=[
        "scrape-0",
        "scrape-1ms",
        "duration-100y",
        "duration-25h",
        "rps-inf",
        "rps-nan",
        "year-9999",
        "weight-nan",
        "weight-negative",
        "weight-unknown",
    ],
)
def test_scenario_numbers_are_ranged(tmp_path: Path, before: str, after: str, message: str) -> None:
    """A value that would hang or overflow at drill time fails `validate`, located."""
    folder = scenario_copy(tmp_path)
    edit_yaml(folder / "scenario.yaml", before, after)
    proc = gameday("validate", str(folder), cwd=tmp_path, timeout=60)
    assert proc.returncode == 2 and message in proc.stderr
    assert f"{folder / 'scenario.yaml'}:" in proc.stderr
    drill = gameday("drill", str(folder), "--out", str(tmp_path / "o"), cwd=tmp_path, timeout=60)
    assert drill.returncode == 2


@pytest.mark.parametrize("delay", [".nan", ".inf", "100000"])
def test_escalation_delay_is_finite_and_ranged(tmp_path: Path, delay: str) -> None:
    """escalation_delay_in_minutes NaN, infinite or absurd fails validation, located."""
    folder = scenario_copy(tmp_path)
    oncall = folder / "oncall.yaml"
    text = oncall.read_text()
    key = "escalation_delay_in_minutes:"
    start = text.index(key) + len(key)
    end = text.index("\n", start)
    oncall.write_text(text[:start] + f" {delay}" + text[end:])
    proc = gameday("validate", str(oncall), cwd=tmp_path, timeout=60)
    assert proc.returncode == 2 and f"{oncall}:" in proc.stderr


@pytest.mark.parametrize("value", ["inf", "nan", "-1"])
def test_oncall_flags_are_finite(tmp_path: Path, value: str) -> None:
    """`oncall --incidents-per-week inf` is a usage error, not 50 s to an out-of-memory."""
    proc = gameday(
        "oncall", "db-pool-exhaustion", "--incidents-per-week", value, cwd=tmp_path, timeout=60
    )
    assert proc.returncode == 2 and "--incidents-per-week" in proc.stderr


def test_corrupt_progress_row_is_a_clear_message(tmp_path: Path) -> None:
    """A progress database with a non-numeric agreement: a message naming the row, exit 2."""
    data = tmp_path / "data"
    data.mkdir()
    env = {"GAMEDAY_DATA_DIR": str(data)}
    assert gameday("progress", cwd=tmp_path, env=env).returncode == 0  # creates the table
    with sqlite3.connect(data / "progress.sqlite") as conn:
        conn.execute(
            "INSERT INTO sessions (finished_at, scenario, seed, mode, source, agreement, "
            "decision_points, hints, decide_mean, result) "
            "VALUES ('x', 's', 1, 'm', 'src', 'lots', 1, 0, 1.0, '{}')"
        )
    conn.close()
    proc = gameday("progress", cwd=tmp_path, env=env)
    assert proc.returncode == 2 and "session 1: agreement is not a number" in proc.stderr


def test_data_dir_that_is_a_file(tmp_path: Path) -> None:
    """GAMEDAY_DATA_DIR naming a file: a clear message, exit 2."""
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    proc = gameday("progress", cwd=tmp_path, env={"GAMEDAY_DATA_DIR": str(not_a_dir)})
    assert proc.returncode == 2 and "GAMEDAY_DATA_DIR must name a folder" in proc.stderr
