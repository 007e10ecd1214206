"""`kubectl rollout status` watches the rollout on the session's clock, as kubectl does.

kubectl lists the Deployment, prints its status viewer's line, then watches and prints a
line per change until the rollout is done, the progress deadline is exceeded or
``--timeout`` passes (``pkg/cmd/rollout/rollout_status.go``); the lines are the viewer's
(``pkg/polymorphichelpers/rollout_status.go``), matched here against its format strings.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from gameday.runtime import prepare
from gameday.session.session import Session
from tests.clirun import drill_script

SET_IMAGE = "kubectl set image deployment/orders orders=registry.internal/shop/orders:v2 -n shop"
STATUS = "kubectl rollout status deployment/orders -n shop"
# DeploymentStatusViewer.Status's format strings, with %q and %d as patterns
VIEWER = [
    r'Waiting for deployment "(?P<n>[^"]+)" rollout to finish: (?P<u>\d+) out of (?P<d>\d+) '
    r"new replicas have been updated\.\.\.",
    r'Waiting for deployment "(?P<n>[^"]+)" rollout to finish: (?P<o>\d+) old replicas are '
    r"pending termination\.\.\.",
    r'Waiting for deployment "(?P<n>[^"]+)" rollout to finish: (?P<a>\d+) of (?P<u>\d+) '
    r"updated replicas are available\.\.\.",
    r'deployment "(?P<n>[^"]+)" successfully rolled out',
    r"Waiting for deployment spec update to be observed\.\.\.",
]


def viewer_line(line: str) -> re.Match[str]:
    """The viewer format ``line`` is, or a failed assertion."""
    found = [m for p in VIEWER if (m := re.fullmatch(p, line))]
    assert found, f"not a line kubectl prints: {line!r}"
    return found[0]


def outputs(session: Session, after: float = 0.0) -> list[Any]:
    return [e for e in session.events if e.kind == "command.output" and e.t >= after]


@pytest.fixture
def shop() -> Session:
    """db-pool-exhaustion two minutes in, orders' image just changed."""
    session = prepare("db-pool-exhaustion").session(seed=1)
    session.advance(120)
    assert session.perform(SET_IMAGE).ok
    return session


def test_status_watches_until_the_rollout_is_done(shop: Session) -> None:
    """The first line is the command's output; each later line is printed when the
    world's controllers change what the viewer says, until 'successfully rolled out',
    when the Deployment is in fact rolled out; nothing is printed after that."""
    started = shop.now
    first = shop.perform(STATUS)
    assert first.ok and viewer_line(first.output)["n"] == "orders"
    assert not first.output.startswith('deployment "orders" successfully')
    shop.advance(600)
    lines = outputs(shop)
    assert lines and all(e.t > started for e in lines)
    texts = [first.output] + [e.data["output"] for e in lines]
    assert all(a != b for a, b in zip(texts, texts[1:], strict=False))  # changes only
    for e in lines:
        assert viewer_line(e.data["output"])["n"] == "orders"
        assert (e.data["actor"], e.data["role"], e.data["command"]) == ("you", "ops", STATUS)
    *waiting, last = lines
    assert last.data == {**last.data, "ok": True, "done": True}
    assert last.data["output"] == 'deployment "orders" successfully rolled out'
    assert not any(e.data["done"] for e in waiting)
    dep = shop.world.cluster.deployments["orders"]
    st = dep.status
    assert st.updated_replicas == st.available_replicas == st.replicas == dep.spec.replicas
    again = shop.perform(STATUS)  # done: kubectl prints it and returns at once
    assert again.output == last.data["output"]
    shop.advance(300)
    assert outputs(shop) == lines


def test_timeout_ends_the_watch_with_kubectls_error(shop: Session) -> None:
    """--timeout=20s: at exactly 20 s of sim time the watch fails with kubectl's
    'timed out waiting for the condition', and prints nothing more."""
    started = shop.now
    assert shop.perform(f"{STATUS} --timeout=20s").ok
    shop.advance(600)
    lines = outputs(shop)
    assert lines[-1].t == started + 20
    assert lines[-1].data["output"] == "error: timed out waiting for the condition"
    assert (lines[-1].data["ok"], lines[-1].data["done"]) == (False, True)
    assert all(e.t < started + 20 and e.data["ok"] for e in lines[:-1])


def test_watch_false_prints_one_line_and_returns(shop: Session) -> None:
    """--watch=false (-w=false): the current line, exit 0, no watch; --timeout=0s means
    no timeout, as kubectl's ContextWithOptionalTimeout has it."""
    for flags in ("--watch=false", "-w=false --timeout=10s"):
        out = shop.perform(f"{STATUS} {flags}")
        assert out.ok and viewer_line(out.output)
    assert shop.perform(f"{STATUS} --timeout=0s").ok
    shop.advance(600)
    assert outputs(shop)[-1].data["output"] == 'deployment "orders" successfully rolled out'
    assert len([e for e in outputs(shop) if e.data["done"]]) == 1  # the --timeout=0s one


def test_bad_flags_are_refused_as_kubectl_refuses_them(shop: Session) -> None:
    """Flag values kubectl's parser and Validate refuse, in kubectl's words."""
    for flags, message in (
        ("--timeout=5", 'error: invalid argument "5" for "--timeout" flag: '
         'time: missing unit in duration "5"'),
        ("--revision=-1", "error: revision must be a positive integer: -1"),
        ("--revision=x", 'error: invalid argument "x" for "--revision" flag: '
         'strconv.ParseInt: parsing "x": invalid syntax'),
    ):  # fmt: skip
        out = shop.perform(f"{STATUS} {flags}")
        assert (out.ok, out.output) == (False, message)
    out = shop.perform(f"{STATUS} --revision=1")
    assert not out.ok
    assert re.fullmatch(
        r"error: desired revision \(1\) is different from the running revision \(\d+\)",
        out.output,
    )
    shop.advance(600)
    assert outputs(shop) == []


def test_a_piped_watch_filters_its_lines(shop: Session) -> None:
    """`| grep rolled`: the waiting lines are filtered out, the last one passes."""
    out = shop.perform(f"{STATUS} | grep rolled")
    assert out.ok and out.output == ""
    shop.advance(600)
    assert [e.data["output"] for e in outputs(shop)] == [
        'deployment "orders" successfully rolled out'
    ]


def test_a_release_that_never_gets_ready_fails_at_its_progress_deadline() -> None:
    """crash-loop-config's release never becomes available: the watch ends with kubectl's
    'exceeded its progress deadline' error once progressDeadlineSeconds (600 s) have
    passed since the rollout began, before its own 20m timeout."""
    session = prepare("crash-loop-config").session(seed=1)
    fault = session.advance_to_next_event(("fault.start",))
    assert fault is not None
    session.advance(15)
    first = session.perform("kubectl rollout status deployment/pricing -n shop --timeout=20m")
    assert first.ok and viewer_line(first.output)["n"] == "pricing"
    session.advance(1800)
    last = outputs(session)[-1]
    assert last.data["output"] == 'error: deployment "pricing" exceeded its progress deadline'
    assert (last.data["ok"], last.data["done"]) == (False, True)
    assert fault.t + 600 <= last.t < fault.t + 600 + 2 * session.scenario.scrape_interval


def test_a_journal_with_a_watch_replays_byte_for_byte(tmp_path: Path) -> None:
    """The watch is started by the action, so rebuilding the journal makes the same
    lines at the same times."""
    from gameday.replay import read_recorded, rebuild

    journal = tmp_path / "journal.jsonl"
    session = prepare("db-pool-exhaustion").session(seed=1, journal=journal)
    session.advance(120)
    session.perform(SET_IMAGE)
    session.perform(STATUS, actor="amara", role="ops")
    session.advance(300)
    session.close("completed")
    assert outputs(session)
    rebuilt = rebuild(read_recorded(journal))
    rebuilt.close("completed")
    assert [e.to_json() for e in rebuilt.events] == journal.read_text().splitlines()


def test_a_drill_journals_the_watch(capsys, tmp_path: Path) -> None:
    """`gameday drill` with a script: the watch's lines are in the journal as
    command.output events after the action, the last one the viewer's success line."""
    drill_script(
        capsys, tmp_path, "db-pool-exhaustion",
        [{"at": "1m", "do": SET_IMAGE, "role": "ops"}, {"at": "1m", "do": STATUS, "role": "ops"}],
    )  # fmt: skip
    (journal,) = (tmp_path / "reports").glob("*/journal.jsonl")
    events = [json.loads(line) for line in journal.read_text().splitlines()]
    action = next(e for e in events if e["kind"] == "action" and e["data"]["command"] == STATUS)
    watched = [e for e in events if e["kind"] == "command.output"]
    assert watched and all(e["t"] > action["t"] for e in watched)
    assert watched[-1]["data"]["output"] == 'deployment "orders" successfully rolled out'


def test_a_new_rollout_mid_watch(shop: Session) -> None:
    """A second rollout while watching: an unpinned watch goes on to the latest revision
    (kubectl's help: 'rollout status' will continue watching the latest revision), one
    pinned with --revision=N fails as soon as the Deployment runs another."""
    dep = shop.world.cluster.deployments["orders"]
    rev = int(dep.metadata.annotations["deployment.kubernetes.io/revision"])
    shop.perform(STATUS)
    shop.perform(f"{STATUS} --revision={rev}")
    shop.advance(15)
    assert shop.perform(SET_IMAGE.replace(":v2", ":v3")).ok
    shop.advance(600)
    pinned = [e for e in outputs(shop) if "--revision" in e.data["command"]]
    assert [e.data["output"] for e in pinned][-1] == (
        f"error: desired revision ({rev}) is different from the running revision ({rev + 1})"
    )
    latest = [e for e in outputs(shop) if e.data["command"] == STATUS]
    assert latest[-1].data["output"] == 'deployment "orders" successfully rolled out'
    assert latest[-1].t > pinned[-1].t
    dep = shop.world.cluster.deployments["orders"]
    image = dep.spec.template.spec.containers[0].image
    assert image.endswith(":v3")
    assert {p.image for p in shop.world.pods("orders")} == {image}
