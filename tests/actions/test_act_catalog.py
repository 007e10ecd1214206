"""Help, suggestions, completion, runbook-rot recognition, determinism and formatting."""

from __future__ import annotations

import pytest
from act_support import SCENARIOS, FakeContext, load

from gameday.runbooks import parse_runbook
from gameday.tools import COMMANDS_HELP, complete, execute, known_command
from gameday.tools.output import format_interval, kube_age, psql_table


def test_unknown_command_suggests_closest(pool_ctx):
    """An unknown command answers with the closest known commands."""
    r = execute(pool_ctx, "kubeclt get pods -n shop")
    assert (r.ok, r.kind) == (False, "unknown")
    assert "Did you mean: kubectl get pods -n shop" in r.output
    r = execute(pool_ctx, "kubectl gte pods")
    assert r.kind == "unknown" and "Did you mean this?\n\tget" in r.output
    r = execute(pool_ctx, "rm -rf /")
    assert not r.ok and "help" in r.output


def test_malformed_commands_never_raise(pool_ctx):
    """Bad quoting, bad flags and lists are messages, not tracebacks."""
    for text in [
        'kubectl logs "deploy/orders',
        "kubectl get pods --bogus",
        "",
        "kubectl get pods && rm x",
        "kubectl scale deploy/orders --replicas=x -n shop",
        "psql -h orders-db -c 'SELEC 1'",
        "kubectl logs | foo",
        "sev",
        "assign ic",
    ]:
        r = execute(pool_ctx, text)
        assert not r.ok and r.output, text


def test_help():
    """help lists every command; help TOPIC shows usage and an example."""
    assert "kubectl logs" in COMMANDS_HELP and "silence" in COMMANDS_HELP
    ctx = FakeContext(load("db-pool-exhaustion"))
    out = execute(ctx, "help kubectl rollout").output
    assert "usage:   kubectl rollout history|status|undo|restart" in out


@pytest.mark.parametrize(
    "cmd,known",
    [
        ("kubectl get pods -n shop -l app=orders", True),
        ('kubectl logs -l app=task-api -n production --tail=200 | grep -i "slow\\|timeout"', True),
        ("kubectl rollout undo deployment/<service> -n <namespace>", True),
        ('psql -h orders-db -U postgres -d orders -c "SELECT pg_terminate_backend(<pid>)"', True),
        ("SELECT pg_cancel_backend(<pid>);", True),
        ("kubectl exec -n production -it deploy/payments-api -- pg_isready -h db", False),
        ("kubectl frobnicate pods", False),
        ('psql -c "SELECT * FROM orders"', False),
        ("curl http://orders/health", False),
    ],
)
def test_known_command(cmd, known):
    """known_command tells runbook-rot checks which steps the simulation can run."""
    assert known_command(cmd) is known


def test_bundled_runbook_commands_are_known():
    """Every command in the bundled runbook is recognised."""
    book = parse_runbook(SCENARIOS / "db-pool-exhaustion" / "runbooks" / "db-pool-exhaustion.md")
    commands = [c for _, step in book.steps for c in step.commands]
    assert commands and all(known_command(c) for c in commands)


def test_completion(locked):
    """Completion offers commands, verbs, names, namespaces and pids."""
    assert "kubectl" in complete(locked, "kub")
    assert complete(locked, "kubectl ro") == ["kubectl rollout"]
    assert "kubectl rollout undo deployment/orders" in complete(locked, "kubectl rollout undo ")
    assert complete(locked, "kubectl get pods -n s") == ["kubectl get pods -n shop"]
    pid = str(next(f.blocker_pid for f in locked.world.faults.values()))
    sql = 'psql -h orders-db -c "SELECT pg_terminate_backend(' + pid[:3]
    assert any(c.endswith(pid) for c in complete(locked, sql))
    assert "assign ic amara" in complete(locked, "assign ic a")


def test_same_seed_same_output():
    """The same seed and the same commands give byte-identical outputs."""

    def play(seed: int) -> list[str]:
        ctx = FakeContext(load("db-pool-exhaustion"), seed=seed)
        ctx.run(720)
        return [
            execute(ctx, c).output
            for c in (
                "kubectl get pods -n shop -o wide",
                "kubectl logs deploy/orders -n shop --tail=40",
                'psql -h orders-db -c "SELECT pid, query_start, state FROM pg_stat_activity"',
                "kubectl describe deploy orders -n shop",
                "kubectl get events -n shop",
            )
        ]

    assert play(11) == play(11)
    assert play(11) != play(12)


def test_formatting_helpers():
    """kubectl ages, PostgreSQL intervals and psql tables are formatted like the tools."""
    assert [kube_age(s) for s in (45, 150, 725, 3 * 3600 + 300, 5 * 86400 + 3 * 3600)] == [
        "45s",
        "2m30s",
        "12m",
        "3h5m",
        "5d3h",
    ]
    assert format_interval(252.5) == "00:04:12.5"
    assert format_interval(90061) == "1 day 01:01:01"
    assert psql_table(["pid", "state"], [[12, "idle"]]) == (
        " pid | state \n-----+-------\n  12 | idle\n(1 row)"
    )
