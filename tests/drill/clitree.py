"""The CLI tree tests' shared part: the cases' type, the work folder and the runners.

Each command group's cases live in its own test module (``test_cli_files``,
``test_cli_runs``, ``test_cli_tabletop``); ``test_cli_tree`` walks the click tree and
holds them all to one rule: every command has ``--help``, a success and a bad input
(exit 2, a message on stderr, no traceback), and every option appears in a case.
"""

from __future__ import annotations

import json
import os
import shlex
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


def journal_ended(name: str, reason: str) -> Callable[[Path], None]:
    def check(work: Path) -> None:
        last = json.loads((work / name).read_text().splitlines()[-1])
        assert (last["kind"], last["data"]["reason"]) == ("session.end", reason)

    return check


W = "{work}"


def argv(line: str) -> list[str]:
    """A case's arguments written as one shell line (quotes group words)."""
    return shlex.split(line)


KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: kind-x, cluster: {server: "https://127.0.0.1:9"}}]
users: [{name: kind-x, user: {token: t}}]
contexts: [{name: kind-x, context: {cluster: kind-x, user: kind-x}}]
current-context: kind-x
"""


def make_work(tmp_path_factory: pytest.TempPathFactory) -> Path:
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
    code, _, err = invoke(["drill", SCENARIO, "-q", "--out", str(work / "runs"),
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


def invoke(argv: list[str], cwd: Path, stdin: str | None = None) -> tuple[int, str, str]:
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


def run_subprocess(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str, str]:
    """``gameday ARGV`` as its own process (Textual reads its driver when imported)."""
    gameday = str(Path(sys.executable).with_name("gameday"))
    proc = subprocess.run(
        [gameday, *argv], cwd=cwd, capture_output=True, text=True, timeout=120,
        env={**os.environ, **env},
    )  # fmt: skip
    return proc.returncode, proc.stdout, proc.stderr


def fill(argv: list[str], work: Path, addr: str = "") -> list[str]:
    return [a.replace(W, str(work)).replace("{addr}", addr) for a in argv]


def run_case(case: Case, work: Path, addr: str = "") -> tuple[int, str, str]:
    argv = fill(case.argv, work, addr)
    repo = Path(__file__).resolve().parents[2]
    env = {"GAMEDAY_DATA_DIR": str(work / "data")}
    if case.fake_kind:
        env["PATH"] = f"{work / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
    if case.tui:
        return run_subprocess(argv, repo, {**env, **TUI_ENV, "TEXTUAL_PRESS": case.tui})
    if case.fake_kind:
        return run_subprocess(argv, repo, env)
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return invoke(argv, repo, case.stdin)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def commands() -> dict[str, click.Command]:
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


def option_names(cmd: click.Command) -> list[list[str]]:
    """Each option's spellings (``--config`` / ``--config.file``), help excluded."""
    return [
        [*p.opts, *p.secondary_opts]
        for p in cmd.params
        if isinstance(p, click.Option) and p.name != "help"
    ]


def expect(case: Case, code: int, out: str, err: str, work: Path) -> None:
    assert "Traceback" not in out + err, err
    assert code == case.code, (out, err)
    if case.code == 2:
        assert err.strip(), "a bad input says what is wrong on stderr"
    if case.says:
        assert case.says in (out if case.code == 0 else err), (out, err)
    if case.check is not None:
        case.check(work)


def case_test(cases: dict[str, list[Case]]) -> Callable[..., None]:
    """The parametrised test that runs every case of ``cases`` on its own (served cases
    and ``join`` are run by ``test_serve_and_join``, against one served session)."""
    ids = [(path, i) for path in sorted(cases) for i in range(len(cases[path]))]

    @pytest.mark.parametrize(("path", "index"), ids, ids=[f"{p}-{i}" for p, i in ids])
    def test_case(path: str, index: int, work: Path) -> None:
        """The case's exit status; output on stdout when it succeeds, a message on stderr
        when it does not; never a traceback."""
        case = cases[path][index]
        if case.served or path == "join":
            pytest.skip("run by test_serve_and_join, against one served session")
        code, out, err = run_case(case, work)
        expect(case, code, out, err, work)

    return test_case
