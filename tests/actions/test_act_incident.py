"""Incident verbs: each changes the incident state and publishes its event."""

from __future__ import annotations

from act_support import FakeContext, load

from gameday.tools import execute


def test_ack_acknowledges_pages(pool_ctx):
    """ack acknowledges the triggered page as the person holding it."""
    pool_ctx.run(60)
    r = execute(pool_ctx, "ack", actor="you")
    assert r.ok and r.kind == "ack" and r.output == "INC-1 acknowledged by amara"
    assert pool_ctx.pager.log == [("ack", "INC-1", "amara")]
    assert pool_ctx.incident.acknowledged_at == 60
    again = execute(pool_ctx, "ack")
    assert not again.ok and "Nothing to acknowledge" in again.output


def test_ack_without_pager(pool_ctx):
    """Without an on-call file, ack still marks the incident acknowledged."""
    pool_ctx.pager = None
    assert execute(pool_ctx, "ack").ok and pool_ctx.incident.acknowledged_at == 0


def test_sev_and_declare(pool_ctx):
    """sev SEV1 / declare sev2 set the severity and emit incident.severity."""
    assert execute(pool_ctx, "sev SEV1").output == "Severity SEV1 declared by you."
    assert execute(pool_ctx, "declare sev-2").output == "Severity SEV2 changed from SEV1 by you."
    assert pool_ctx.incident.severity == "SEV2"
    assert [d["severity"] for _, k, d in pool_ctx.events if k == "incident.severity"] == [
        "SEV1",
        "SEV2",
    ]
    r = execute(pool_ctx, "sev 7")
    assert not r.ok and r.kind == "sev" and "usage: sev" in r.output


def test_roles(pool_ctx):
    """assign ROLE PERSON and ic PERSON record roles and emit incident.role."""
    execute(pool_ctx, "assign comms jonas")
    execute(pool_ctx, "ic amara")
    assert pool_ctx.incident.roles == {"comms": "jonas", "ic": "amara"}
    assert pool_ctx.events[-1] == (
        0.0,
        "incident.role",
        {"role": "ic", "person": "amara", "by": "you"},
    )
    assert not execute(pool_ctx, "assign boss amara").ok


def test_status_updates(pool_ctx):
    """status STATE "TEXT" posts an update and says when the next is due."""
    execute(pool_ctx, "sev SEV1")
    r = execute(pool_ctx, 'status investigating "Checkout errors; we\'re on it."')
    assert r.ok and r.output.endswith("Next update due in 15m.")
    upd = pool_ctx.incident.status_updates[-1]
    assert (upd.state, upd.text) == ("investigating", "Checkout errors; we're on it.")
    r = execute(pool_ctx, "status the fix is rolling out")
    assert pool_ctx.incident.status_updates[-1].state == "investigating"
    assert "Severity: SEV1" in execute(pool_ctx, "status").output


def test_escalate_and_resolve(pool_ctx):
    """escalate pages the next level; resolve closes the incident and its pages."""
    r = execute(pool_ctx, "escalate")
    assert r.ok and r.output == "INC-1 escalated to level 2"
    assert pool_ctx.incident.escalations == [(0.0, "level 2")]
    assert execute(pool_ctx, "escalate priya").output == "INC-1 reassigned to priya"
    pool_ctx.alerts = [
        {
            "labels": {"alertname": "OrdersDBPoolExhausted"},
            "annotations": {},
            "state": "firing",
            "active_at": 420.0,
        }
    ]
    r = execute(pool_ctx, "resolve")
    assert r.ok and "1 alert(s) still firing" in r.output
    assert pool_ctx.pager.incidents["INC-1"].status == "resolved"
    assert ("incident.resolved" in pool_ctx.kinds()) and not execute(pool_ctx, "resolve").ok


def test_silence_note_alerts(pool_ctx):
    """silence calls the session, note records, alerts lists what fires."""
    r = execute(pool_ctx, 'silence alertname=OrdersDBPoolPending --duration 30m --comment "ok"')
    assert r.ok and r.output == "silence-1"
    assert pool_ctx.silences == [(["alertname=OrdersDBPoolPending"], 1800.0, "you", "ok")]
    assert not execute(pool_ctx, "silence alertname=X").ok  # no comment
    assert execute(pool_ctx, "note archiver can't be stopped").ok
    assert pool_ctx.incident.notes == [(0.0, "you", "archiver can't be stopped")]
    pool_ctx.alerts = [
        {
            "labels": {"alertname": "OrdersDBPoolExhausted"},
            "annotations": {"summary": "pool exhausted"},
            "state": "firing",
            "active_at": 420.0,
        }
    ]
    out = execute(pool_ctx, "alerts").output.splitlines()
    assert out[0].split() == ["Alertname", "Starts", "At", "Summary", "State"]
    assert out[1].split() == [
        "OrdersDBPoolExhausted",
        "2026-03-10",
        "22:57:00",
        "UTC",
        "pool",
        "exhausted",
        "active",
    ]


def test_real_pager_ack():
    """ack works against the real Pager API (person ids, PagerError)."""
    from gameday.oncall.incident import Incident

    class Pager:
        def __init__(self):
            self.incidents = {
                "INC-1": Incident(
                    "INC-1",
                    "shop-orders",
                    "k",
                    "s",
                    "critical",
                    "",
                    "high",
                    "shop-critical",
                    0.0,
                    assigned=["mei"],
                )
            }

        def ack(self, iid, person):
            self.incidents[iid].status = "acknowledged"
            self.incidents[iid].acknowledged_by = person

    ctx = FakeContext(load("db-pool-exhaustion"), pager=Pager())
    assert execute(ctx, "ack INC-1", actor="you").output == "INC-1 acknowledged by you"
