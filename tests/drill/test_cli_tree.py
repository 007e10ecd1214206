"""Every command and option of the CLI, through the real entry point.

The click command tree is walked; every command must have ``--help`` (exit 0), at least
one successful run and at least one bad input answered with exit 2, a message on stderr
and no traceback, and every one of its options must appear in one of its cases. A new
command or option without a case here fails :func:`test_every_command_and_option_has_cases`.
The tabletop commands (``play``, ``resume``, ``shadow`` without ``--answers``) run in a
subprocess under Textual's headless driver, quitting with Ctrl-Q: exit 130 and a
resumable journal is their success path.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import click
import pytest

from gameday.cli.main import cli, main

SCENARIO = "db-pool-exhaustion"
RULES = """groups:
  - name: g
    rules:
      - alert: Down
        expr: up{job=~"api|\\\\p{Greek}+"} == 0
        for: 2m
        labels: {severity: page}
"""
RULE_TEST = """rule_files: [rules.yml]
tests:
  - interval: 1m
    input_series:
      - series: 'up{job="api"}'
        values: '1 0x5'
    alert_rule_test:
      - eval_time: 4m
        alertname: Down
        exp_alerts: [{exp_labels: {severity: page, job: api}}]
"""
AM = """route:
  receiver: team
  routes:
    - matchers: ['severity=~"page|crit.*"']
      receiver: pager
receivers: [{name: team}, {name: pager}]
"""
ONCALL = """timezone: UTC
people:
  - {id: ana, name: Ana}
schedules:
  - id: primary
    layers:
      - users: [ana]
        rotation_virtual_start: "2026-01-05T00:00:00Z"
        rotation_turn_length: 1w
escalation_policies:
  - id: p
    rules:
      - escalation_delay_in_minutes: 5
        targets: [{type: schedule, id: primary}]
services:
  - name: api
    escalation_policy: p
    integration_keys: [k]
"""
RUNBOOK = """# API down

## Mitigation

1. Restart the API:

   ```
   kubectl rollout restart deployment/api -n shop
   ```
"""
TIMELINE = """time,who,what
+1m,Ana,ack
+3m,Ana,status monitoring restarted
"""
OM = """# TYPE up gauge
up{job="api"} 1 1793491200
up{job="api"} 0 1793491260
up{job="api"} 0 1793491320
up{job="api"} 0 1793491380
up{job="api"} 0 1793491440
# EOF
"""
TUI_ENV = {"TEXTUAL_DRIVER": "textual.drivers.headless_driver:HeadlessDriver"}
QUIT = "wait:12000,ctrl+q,wait:1000,y"  # generous: the suite runs on a loaded machine


@dataclass
class Case:
    """``gameday ARGV`` with ``{name}`` filled from the work folder; its exit status."""

    argv: list[str]
    code: int
    says: str = ""  # a fragment of stdout (code 0) or stderr (otherwise)
    tui: str = ""  # keys for Textual's headless driver: run in a subprocess
    check: Callable[[Path], None] | None = field(default=None, repr=False)
    fake_kind: bool = False  # put stand-in kind and kubectl binaries first on PATH
    stdin: str | None = None
    served: bool = False  # the case is the ``served`` fixture's server process


def _journal_ended(name: str, reason: str) -> Callable[[Path], None]:
    def check(work: Path) -> None:
        last = json.loads((work / name).read_text().splitlines()[-1])
        assert (last["kind"], last["data"]["reason"]) == ("session.end", reason)

    return check


W = "{work}"
CASES: dict[str, list[Case]] = {
    "list": [
        Case(["list"], 0, SCENARIO),
        Case(["list", "--json"], 0, '"id"'),
        Case(["list", "--bogus"], 2, "No such option"),
    ],
    "validate": [
        Case(["validate", f"scenarios/{SCENARIO}", "-v"], 0),
        Case(["validate", f"{W}/rules.yml", f"{W}/am.yml", "--json"], 0),
        Case(["validate", f"{W}/missing.yml"], 2, "missing.yml"),
    ],
    "schema": [
        Case(["schema"], 0, '"$schema"'),
        Case(["schema", "-o", f"{W}/schema.json"], 0),
        Case(["schema", "--output", f"{W}/rules.yml/x.json"], 2, "x.json"),
    ],
    "play": [
        Case(
            [
                "play",
                SCENARIO,
                "--seed",
                "2",
                "--speed",
                "10",
                "--journal",
                f"{W}/play.jsonl",
                "--role",
                "ic",
                "--name",
                "ana",
                "--facilitator",
            ],
            130,
            "gameday resume",
            tui=QUIT,
            check=_journal_ended("play.jsonl", "interrupted"),
        ),  # fmt: skip
        Case(["play", "no-such-scenario"], 2, "no-such-scenario"),
        Case(["play", SCENARIO, "--speed", "7", "--no-pause"], 2, "--speed"),
    ],
    "resume": [
        Case(
            [
                "resume",
                f"{W}/paused.jsonl",
                "--speed",
                "0",
                "--role",
                "ops",
                "--name",
                "ana",
                "--out",
                f"{W}/resumed.jsonl",
                "--facilitator",
            ],
            130,
            "gameday resume",
            tui="wait:15000,ctrl+q,wait:1000,y",
            check=_journal_ended("resumed.jsonl", "interrupted"),
        ),  # fmt: skip
        Case(["resume", f"{W}/missing.jsonl"], 2, "missing.jsonl"),
    ],
    "shadow": [
        Case(
            [
                "shadow",
                SCENARIO,
                "--answers",
                f"{W}/answers.txt",
                "--json",
                "--no-record",
                "--seed",
                "1",
            ],
            0,
            '"verdicts"',
        ),  # fmt: skip
        Case(
            [
                "shadow",
                SCENARIO,
                "--answers",
                f"{W}/answers.txt",
                "--reverse",
                "--no-record",
                "--journal",
                f"{W}/drill/journal.jsonl",
            ],
            0,
        ),  # fmt: skip
        Case(["shadow", SCENARIO, "--no-record"], 0, tui="wait:2000,escape,wait:300,escape"),
        Case(["shadow", SCENARIO, "--json"], 2, "--json needs --answers"),
    ],
    "drill": [
        Case(
            [
                "drill",
                SCENARIO,
                "--responder",
                "expert",
                "--seed",
                "1",
                "--out",
                f"{W}/out",
                "--junit",
                f"{W}/j.xml",
                "--json",
                f"{W}/r.json",
                "--min-score",
                "50",
                "-q",
            ],
            0,
            "PASS",
        ),  # fmt: skip
        Case(["drill", SCENARIO, "--responder", "idle", "--quiet", "--out", f"{W}/out"], 1, ""),
        Case(["drill", SCENARIO, "--responder", "bogus", "--out", f"{W}/out"], 2, "bogus"),
    ],
    "replay": [
        Case(
            ["replay", f"{W}/drill/journal.jsonl", "--out", f"{W}/replayed.jsonl", "--no-timeline"],
            0,
            "identical",
        ),  # fmt: skip
        Case(["replay", f"{W}/drill/journal.jsonl", "--timeline"], 0, "identical"),
        Case(["replay", f"{W}/rules.yml"], 2, "rules.yml"),
    ],
    "report": [
        Case(["report", f"{W}/drill/result.json", "--format", "html", "-o", f"{W}/r.html"], 0),
        Case(["report", f"{W}/drill/result.json", "--output", f"{W}/pm.md"], 0),
        Case(["report", f"{W}/rules.yml"], 2, "rules.yml"),
    ],
    "rules test": [
        Case(["rules", "test", f"{W}/tests.yml"], 0, "SUCCESS"),
        Case(["rules", "test", f"{W}/missing.yml"], 2, "missing.yml"),
    ],
    "route": [
        Case(["route", "--config", f"{W}/am.yml", "severity=page"], 0, "pager"),
        Case(["route", "--config.file", f"{W}/am.yml", "--tree"], 0, "pager"),
        Case(
            ["route", "--config", f"{W}/am.yml", "--matching-tree", "--json", "severity=critical"],
            0,
            "pager",
        ),  # fmt: skip
        Case(["route", "--config", f"{W}/am.yml", "--verify-receivers", "team", "x=y"], 0),
        Case(
            ["route", "--config", f"{W}/am.yml", "--verify.receivers", "team", "severity=page"], 1
        ),  # fmt: skip
        Case(["route", "--config", f"{W}/rules.yml", "a=b"], 2, "rules.yml"),
    ],
    "sweep": [
        Case(
            [
                "sweep",
                SCENARIO,
                "--runs",
                "2",
                "--responder",
                "expert",
                "--seed",
                "3",
                "--vary",
                "seed",
                "--backend",
                "local",
                "--workers",
                "1",
                "--out",
                f"{W}/sweep",
                "--json",
            ],
            0,
            '"runs"',
        ),  # fmt: skip
        Case(
            [
                "sweep",
                SCENARIO,
                "--runs",
                "1",
                "--workers",
                "1",
                "--out",
                f"{W}/sweep",
                "--compare",
                f"{W}/am.yml",
                f"{W}/am.yml",
            ],
            0,
        ),  # fmt: skip
        Case(
            [
                "sweep",
                SCENARIO,
                "--runs",
                "1",
                "--backend",
                "dask",
                "--scheduler",
                "tcp://127.0.0.1:9",
                "--out",
                f"{W}/sweep",
            ],
            2,
            "127.0.0.1:9",
        ),  # fmt: skip
        Case(["sweep", SCENARIO, "--runs", "0"], 2, "--runs"),
    ],
    "oncall": [
        Case(
            [
                "oncall",
                SCENARIO,
                "--days",
                "2",
                "--services",
                "2",
                "--incidents-per-week",
                "1",
                "--noise-per-day",
                "2",
                "--flapping",
                "0.1",
                "--seed",
                "4",
                "--json",
            ],
            0,
            '"pages"',
        ),  # fmt: skip
        Case(
            ["oncall", SCENARIO, "--days", "1", "--incidents-per-week", "inf"],
            2,
            "--incidents-per-week",
        ),  # fmt: skip
    ],
    "backtest": [
        Case(
            [
                "backtest",
                "--rules",
                f"{W}/rules.yml",
                "--openmetrics",
                f"{W}/data.om",
                "--alertmanager",
                f"{W}/am.yml",
                "--oncall",
                f"{W}/oncall.yml",
                "--json",
                "--evaluation-interval",
                "1m",
                "--ack-after",
                "never",
                "--flapping",
                "2",
                "--max-range",
                "1d",
                "--compare",
                f"{W}/am.yml",
                "--no-progress",
            ],
            0,
        ),  # fmt: skip
        Case(
            [
                "backtest",
                "--rules",
                f"{W}/rules.yml",
                "--openmetrics",
                f"{W}/data.om",
                "--from",
                "1793491200",
                "--to",
                "1793491440",
                "--progress",
                "--stagger",
            ],
            0,
        ),  # fmt: skip
        Case(
            [
                "backtest",
                "--rules",
                f"{W}/rules.yml",
                "--prometheus",
                "http://127.0.0.1:9",
                "--from",
                "1793491200",
                "--to",
                "1793491440",
                "--chunk",
                "1h",
                "--user",
                "u",
                "--password",
                "p",
                "--timeout",
                "2s",
            ],
            2,
            "cannot connect",
        ),  # fmt: skip
        Case(
            [
                "backtest",
                "--rules",
                f"{W}/rules.yml",
                "--prometheus",
                "https://127.0.0.1:9",
                "--from",
                "1793491200",
                "--to",
                "1793491440",
                "--bearer-token",
                "t",
                "--ca-file",
                f"{W}/missing.pem",
                "--insecure-skip-verify",
            ],
            2,
        ),  # fmt: skip
        Case(["backtest", "--rules", f"{W}/rules.yml"], 2),
    ],
    "import": [
        Case(
            [
                "import",
                "--out",
                f"{W}/imported",
                "--openmetrics",
                f"{W}/data.om",
                "--from",
                "1793491200",
                "--to",
                "1793491440",
                "--rules",
                f"{W}/rules.yml",
                "--alertmanager",
                f"{W}/am.yml",
                "--oncall",
                f"{W}/oncall.yml",
                "--runbook",
                f"{W}/runbook.md",
                "--timeline",
                f"{W}/timeline.csv",
                "--match",
                "up",
                "--history",
                "1m",
                "--id",
                "api-down",
                "--title",
                "API down",
                "--severity",
                "SEV1",
                "--root-cause",
                "a bad config",
                "--no-progress",
            ],
            0,
            "imported 1 series",
        ),  # fmt: skip
        Case(
            [
                "import",
                "--out",
                f"{W}/nowhere",
                "--prometheus",
                "http://127.0.0.1:9",
                "--from",
                "1793491200",
                "--to",
                "1793491440",
                "--rules",
                f"{W}/rules.yml",
                "--chunk",
                "1h",
                "--user",
                "u",
                "--password",
                "p",
                "--timeout",
                "2s",
                "--progress",
            ],
            2,
            "cannot connect",
        ),  # fmt: skip
        Case(
            [
                "import",
                "--out",
                f"{W}/nowhere",
                "--prometheus",
                "https://127.0.0.1:9",
                "--from",
                "1793491200",
                "--to",
                "1793491440",
                "--rules",
                f"{W}/rules.yml",
                "--bearer-token",
                "t",
                "--ca-file",
                f"{W}/missing.pem",
                "--insecure-skip-verify",
            ],
            2,
        ),  # fmt: skip
        Case(
            [
                "import",
                "--out",
                f"{W}",
                "--openmetrics",
                f"{W}/data.om",
                "--from",
                "1793491200",
                "--to",
                "1793491440",
                "--rules",
                f"{W}/rules.yml",
            ],
            2,
            "already exists",
        ),  # fmt: skip
    ],
    "chaos run": [
        Case(
            [
                "chaos",
                SCENARIO,
                "--context",
                "kind-x",
                "--namespace",
                "shop",
                "--hold",
                "1m",
                "--journal",
                f"{W}/chaos.jsonl",
                "--kubeconfig",
                f"{W}/kubeconfig",
                "--responder",
                "expert",
            ],
            0,
            "DRY RUN",
        ),  # fmt: skip
        Case(["chaos", "run", SCENARIO, "--context", "prod", "--apply"], 2, "kind-"),
        Case(["chaos", SCENARIO, "--context", "kind-x", "--responder", "bogus"], 2, "bogus"),
        Case(
            ["chaos", SCENARIO, "--context", "prod", "--i-know-this-is-not-kind"],
            2,
            stdin="not-prod\n",
        ),  # fmt: skip
    ],
    "chaos rollback": [
        Case(
            [
                "chaos",
                "rollback",
                f"{W}/chaos-journal.jsonl",
                "--context",
                "kind-x",
                "--apply",
                "--kubeconfig",
                f"{W}/kubeconfig",
            ],
            0,
        ),  # fmt: skip
        Case(["chaos", "rollback", f"{W}/missing.jsonl", "--context", "kind-x"], 2),
    ],
    "chaos up": [
        Case(["chaos", "up", "--name", "gd"], 0, "kind-gd is ready", fake_kind=True),
        Case(["chaos", "up", "--name", "bad name!"], 2),
    ],
    "chaos down": [
        Case(["chaos", "down", "--name", "gd"], 0, fake_kind=True),
        Case(["chaos", "down", "--name", ""], 2),
    ],
    "serve": [
        # the served session itself is started by the ``served`` fixture (below) with
        # --host --port --speed --seed --journal --token; stopped with Ctrl-C
        Case(
            [
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--speed",
                "60",
                "--seed",
                "2",
                "--journal",
                f"{W}/served.jsonl",
                "--token",
                "tok",
                SCENARIO,
            ],
            130,
            "journal:",
            served=True,
        ),  # fmt: skip
        Case(["serve", SCENARIO, "--resume", f"{W}/missing.jsonl"], 2, "missing.jsonl"),
        Case(["serve", SCENARIO, "--port", "70000"], 2, "--port"),
    ],
    "join": [
        Case(
            [
                "join",
                "{addr}",
                "--token",
                "tok",
                "--role",
                "ops",
                "--name",
                "ana",
                "--script",
                f"{W}/script.txt",
                "--linger",
                "0.5",
                "--json",
            ],
            0,
            '"kind":"action"',
        ),  # fmt: skip
        Case(["join", "{addr}", "--token", "wrong", "--script", f"{W}/script.txt"], 2),
        Case(["join", "nowhere", "--token", "t", "--script", f"{W}/script.txt"], 2),
    ],
    "progress": [
        Case(["progress", "--json", "--window", "2"], 0),
        Case(["progress"], 0),
        Case(["progress", "--window", "0"], 2, "--window"),
    ],
}


KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: kind-x, cluster: {server: "https://127.0.0.1:9"}}]
users: [{name: kind-x, user: {token: t}}]
contexts: [{name: kind-x, context: {cluster: kind-x, user: kind-x}}]
current-context: kind-x
"""


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with every input the cases name: rules, routing, data, a drill's reports."""
    work = tmp_path_factory.mktemp("cli")
    for name, text in [("rules.yml", RULES), ("tests.yml", RULE_TEST), ("am.yml", AM),
                       ("oncall.yml", ONCALL), ("data.om", OM), ("kubeconfig", KUBECONFIG),
                       ("answers.txt", "skip\n" * 30), ("runbook.md", RUNBOOK),
                       ("timeline.csv", TIMELINE)]:  # fmt: skip
        (work / name).write_text(text, encoding="utf-8")
    (work / "chaos-journal.jsonl").write_text(
        json.dumps({"seq": 0, "event": "start", "context": "kind-x", "namespace": "shop"}) + "\n"
    )
    (work / "script.txt").write_text("kubectl get pods -n shop\nack\n")
    drill = work / "drill"
    code, _, err = _invoke(["drill", SCENARIO, "-q", "--out", str(work / "runs"),
                            "--json", str(work / "r0.json")], work)  # fmt: skip
    assert code == 0, err
    (folder,) = (work / "runs").iterdir()
    folder.rename(drill)
    lines = (drill / "journal.jsonl").read_text().splitlines()
    cut = next(i for i, line in enumerate(lines) if '"kind":"action"' in line)
    (work / "paused.jsonl").write_text("\n".join(lines[: cut + 1]) + "\n")  # as a crash leaves it
    fake = work / "bin"
    fake.mkdir()
    for tool in ("kind", "kubectl"):
        (fake / tool).write_text("#!/bin/sh\ncat >/dev/null 2>&1 </dev/null\nexit 0\n")
        (fake / tool).chmod(0o755)
    return work


def _invoke(argv: list[str], cwd: Path, stdin: str | None = None) -> tuple[int, str, str]:
    """``gameday ARGV`` in process through the console entry point."""
    from click.testing import CliRunner

    runner = CliRunner()
    old = Path.cwd()
    with runner.isolation(input=stdin) as streams:
        os.chdir(cwd)
        try:
            main(argv)
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        finally:
            os.chdir(old)
        out, err = streams[0].getvalue(), streams[1].getvalue()
    return code, out.decode(errors="replace"), err.decode(errors="replace")


def _subprocess(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str, str]:
    """``gameday ARGV`` as its own process (Textual reads its driver when imported)."""
    gameday = str(Path(sys.executable).with_name("gameday"))
    proc = subprocess.run(
        [gameday, *argv], cwd=cwd, capture_output=True, text=True, timeout=120,
        env={**os.environ, **env},
    )  # fmt: skip
    return proc.returncode, proc.stdout, proc.stderr


def _fill(argv: list[str], work: Path, addr: str = "") -> list[str]:
    return [a.replace(W, str(work)).replace("{addr}", addr) for a in argv]


def _run(case: Case, work: Path, addr: str = "") -> tuple[int, str, str]:
    argv = _fill(case.argv, work, addr)
    repo = Path(__file__).resolve().parents[2]
    env = {"GAMEDAY_DATA_DIR": str(work / "data")}
    if case.fake_kind:
        env["PATH"] = f"{work / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
    if case.tui:
        return _subprocess(argv, repo, {**env, **TUI_ENV, "TEXTUAL_PRESS": case.tui})
    if case.fake_kind:
        return _subprocess(argv, repo, env)
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return _invoke(argv, repo, case.stdin)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _commands() -> dict[str, click.Command]:
    """Every leaf command of the tree, by its path (``rules test``, ``chaos run``)."""
    found: dict[str, click.Command] = {}

    def walk(cmd: click.Command, path: list[str], ctx: click.Context) -> None:
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                assert sub is not None, name
                walk(sub, [*path, name], click.Context(sub, parent=ctx, info_name=name))
        else:
            found[" ".join(path)] = cmd

    walk(cli, [], click.Context(cli, info_name="gameday"))
    return found


def _option_names(cmd: click.Command) -> list[list[str]]:
    """Each option's spellings (``--config`` / ``--config.file``), help excluded."""
    return [
        [*p.opts, *p.secondary_opts]
        for p in cmd.params
        if isinstance(p, click.Option) and p.name != "help"
    ]


def test_every_command_and_option_has_cases() -> None:
    """The tree has no command without a success and a bad input, no option without a case."""
    commands = _commands()
    assert sorted(commands) == sorted(CASES), "add cases here for new commands"
    for path, cmd in commands.items():
        cases = CASES[path]
        ok = [c for c in cases if c.code == 0 or ((c.tui or c.served) and c.code == 130)]
        assert ok, f"{path}: no successful case"
        assert any(c.code == 2 for c in cases), f"{path}: no bad-input case"
        used = {a.split("=")[0] for c in cases for a in c.argv}
        missing = [names[0] for names in _option_names(cmd) if not used & set(names)]
        assert not missing, f"gameday {path}: options without a case in {__file__}: {missing}"


@pytest.mark.parametrize("path", sorted(CASES))
def test_help(path: str, work: Path) -> None:
    """``--help`` on every command: usage on stdout, exit 0."""
    code, out, err = _invoke([*path.split(), "--help"], work)
    assert (code, err) == (0, "")
    assert out.startswith("Usage: gameday " + path)


CASE_IDS = [(path, i) for path in sorted(CASES) for i in range(len(CASES[path]))]


@pytest.mark.parametrize(("path", "index"), CASE_IDS, ids=[f"{p}-{i}" for p, i in CASE_IDS])
def test_case(path: str, index: int, work: Path) -> None:
    """The case's exit status; output on stdout when it succeeds, a message on stderr when
    it does not; never a traceback."""
    case = CASES[path][index]
    if case.served or path == "join":
        pytest.skip("run by test_serve_and_join, against one served session")
    code, out, err = _run(case, work)
    _expect(case, code, out, err, work)


def _expect(case: Case, code: int, out: str, err: str, work: Path) -> None:
    assert "Traceback" not in out + err, err
    assert code == case.code, (out, err)
    if case.code == 2:
        assert err.strip(), "a bad input says what is wrong on stderr"
    if case.says:
        assert case.says in (out if case.code == 0 else err), (out, err)
    if case.check is not None:
        case.check(work)


def test_serve_and_join(work: Path) -> None:
    """``gameday serve`` in its own process: the join cases run against it, then Ctrl-C
    stops it (exit 130) with its journal named."""
    (case,) = [c for c in CASES["serve"] if c.served]
    gameday = str(Path(sys.executable).with_name("gameday"))
    proc = subprocess.Popen(
        [gameday, *_fill(case.argv, work)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, cwd=work,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # gameday join HOST:PORT --token tok
        assert line.startswith("gameday join "), line
        for join in CASES["join"]:
            code, out, err = _run(join, work, addr=line.split()[2])
            _expect(join, code, out, err, work)
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    _expect(case, proc.returncode, line + out, err, work)
