"""Pager specs: notification, escalation timing, acks, loops, urgency, dedup."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import simpy
import yaml
from oncall_support import TEAM, TUESDAY_2PM, clock_from

from gameday.oncall import Pager, PagerError, loads_oncall

SATURDAY_NIGHT = datetime(2025, 1, 11, 23, 0, tzinfo=UTC)
MIN = 60


def test_unacked_page_escalates_through_the_policy_and_loops(env, log, make_pager):
    """No ack: primary at 0, secondary at +10m, manager at +25m, again once, then stop."""
    pager = make_pager()
    pager.trigger("checkout", "k1", "High error rate", "critical")
    env.run(until=3 * 3600)
    assert log == [
        (0, "page.triggered", None),
        (0, "page.notified", "alice"),
        (10 * MIN, "page.escalated", 2),
        (10 * MIN, "page.notified", "bob"),
        (25 * MIN, "page.escalated", 3),
        (25 * MIN, "page.notified", "mgr"),
        (30 * MIN, "page.escalated", 1),
        (30 * MIN, "page.notified", "alice"),
        (40 * MIN, "page.escalated", 2),
        (40 * MIN, "page.notified", "bob"),
        (55 * MIN, "page.escalated", 3),
        (55 * MIN, "page.notified", "mgr"),
        (60 * MIN, "page.escalated", None),
    ]
    inc = pager.incidents["INC-1"]
    assert (inc.status, inc.exhausted, inc.loop, inc.level) == ("triggered", True, 2, 3)
    assert inc.notified == ["alice", "bob", "mgr"]
    assert inc.escalations == 5


def test_num_loops_zero_stops_after_the_last_rule(env, log, make_pager):
    """A policy without loops pages each rule once and then gives up."""
    pager = make_pager()
    pager.trigger("batch", "b1", "Batch job failed", "error")
    env.run(until=3600)
    assert log == [
        (0, "page.triggered", None),
        (0, "page.notified", "alice"),
        (5 * MIN, "page.escalated", 2),
        (5 * MIN, "page.notified", "bob"),
        (10 * MIN, "page.escalated", None),
    ]


def test_ack_stops_escalation(env, log, make_pager):
    """The primary acks after 7 minutes: nobody else is paged."""
    pager = make_pager()

    def responder(env):
        yield env.timeout(7 * MIN)
        pager.ack("INC-1", "alice")

    pager.trigger("checkout", "k1", "High error rate", "critical")
    env.process(responder(env))
    env.run(until=3 * 3600)
    assert log == [
        (0, "page.triggered", None),
        (0, "page.notified", "alice"),
        (7 * MIN, "page.acknowledged", "alice"),
    ]
    inc = pager.incidents["INC-1"]
    assert (inc.status, inc.acknowledged_by, inc.time_to_ack) == ("acknowledged", "alice", 420)


def test_secondary_acks_after_escalation(env, log, make_pager, events):
    """The secondary, paged at +10m, acks at +12m; the ack event says how long it took."""
    pager = make_pager()

    def secondary(env):
        yield env.timeout(12 * MIN)
        pager.ack("INC-1", "bob")

    pager.trigger("checkout", "k1", "High error rate", "critical")
    env.process(secondary(env))
    env.run(until=3600)
    assert log[-1] == (12 * MIN, "page.acknowledged", "bob")
    assert [e for e in log if e[1] == "page.notified"] == [
        (0, "page.notified", "alice"),
        (10 * MIN, "page.notified", "bob"),
    ]
    ack = events[-1][1]
    assert ack["after"] == 720 and ack["level"] == 2 and ack["name"] == "Bob Brown"


def test_notified_event_carries_who_what_and_urgency(env, events, make_pager):
    """A high-urgency notification names the incident, service, person, level and loop."""
    make_pager().trigger("checkout", "k1", "High error rate", "critical", source="HighErrorRate")
    env.run(until=1)
    kind, data = events[1]
    assert kind == "page.notified"
    assert data == {
        "incident_id": "INC-1",
        "service": "checkout",
        "urgency": "high",
        "level": 1,
        "loop": 1,
        "t": 0,
        "person": "alice",
        "name": "Alice Adams",
        "wakes": True,
        "summary": "High error rate",
        "severity": "critical",
    }


def test_low_urgency_outside_support_hours_notifies_without_waking(env, log, events, make_pager):
    """Saturday night on a support-hours service: one quiet notification, no escalation."""
    pager = make_pager(SATURDAY_NIGHT)
    pager.trigger("reports", "r1", "Report generation slow", "warning")
    env.run(until=6 * 3600)
    assert log == [(0, "page.triggered", None), (0, "page.notified", "alice")]
    assert events[1][1]["urgency"] == "low" and events[1][1]["wakes"] is False


def test_support_hours_service_is_high_urgency_during_hours(env, log, make_pager):
    """Tuesday afternoon on the same service: a normal page that escalates."""
    make_pager().trigger("reports", "r1", "Report generation slow", "warning")
    env.run(until=11 * MIN)
    assert (10 * MIN, "page.notified", "bob") in log


def test_duplicate_trigger_adds_to_the_open_incident(env, log, make_pager):
    """Same dedup key while open: same incident, no new page; after resolve, a new one."""
    pager = make_pager()

    def alerts(env):
        first = pager.trigger("checkout", "k1", "High error rate", "critical")
        yield env.timeout(2 * MIN)
        again = pager.trigger("checkout", "k1", "High error rate", "critical")
        assert again == first
        pager.resolve(first, "alice")
        yield env.timeout(1 * MIN)
        assert pager.trigger("checkout", "k1", "High error rate", "critical") == "INC-2"

    env.process(alerts(env))
    env.run(until=4 * MIN)
    assert pager.incidents["INC-1"].alert_count == 2
    assert log == [
        (0, "page.triggered", None),
        (0, "page.notified", "alice"),
        (2 * MIN, "page.resolved", "alice"),
        (3 * MIN, "page.triggered", None),
        (3 * MIN, "page.notified", "alice"),
    ]


def test_manual_escalation_pages_the_next_level_and_restarts_its_timer(env, log, make_pager):
    """Alice escalates at +2m: Bob is paged now, the manager 15 minutes later."""
    pager = make_pager()

    def alice(env):
        yield env.timeout(2 * MIN)
        pager.escalate("INC-1", "alice")

    pager.trigger("checkout", "k1", "High error rate", "critical")
    env.process(alice(env))
    env.run(until=18 * MIN)
    assert log == [
        (0, "page.triggered", None),
        (0, "page.notified", "alice"),
        (2 * MIN, "page.escalated", 2),
        (2 * MIN, "page.notified", "bob"),
        (17 * MIN, "page.escalated", 3),
        (17 * MIN, "page.notified", "mgr"),
    ]


def test_escalating_an_acknowledged_incident_retriggers_it(env, make_pager):
    """Ack then escalate: the incident is triggered again at the next level."""
    pager = make_pager()
    inc_id = pager.trigger("checkout", "k1", "High error rate", "critical")
    env.run(until=60)
    pager.ack(inc_id, "alice")
    pager.escalate(inc_id, "alice")
    env.run(until=120)
    inc = pager.incidents[inc_id]
    assert (inc.status, inc.level, inc.assigned) == ("triggered", 2, ["bob"])


def test_reassign_pages_the_new_person_and_restarts_the_ack_timer(env, log, make_pager):
    """Reassigned to the manager at +3m: the level-1 timer restarts, Bob is paged at +13m."""
    pager = make_pager()

    def alice(env):
        yield env.timeout(3 * MIN)
        pager.reassign("INC-1", "mgr", by="alice")

    pager.trigger("checkout", "k1", "High error rate", "critical")
    env.process(alice(env))
    env.run(until=14 * MIN)
    assert log == [
        (0, "page.triggered", None),
        (0, "page.notified", "alice"),
        (3 * MIN, "page.notified", "mgr"),
        (13 * MIN, "page.escalated", 2),
        (13 * MIN, "page.notified", "bob"),
    ]


def test_rule_with_nobody_on_call_escalates_at_once(env, log, make_pager):
    """At 14:00 the nights-only schedule is empty, so the manager is paged immediately."""
    make_pager().trigger("nightly", "n1", "Backup missing", "critical")
    env.run(until=1)
    assert log == [
        (0, "page.triggered", None),
        (0, "page.escalated", 2),
        (0, "page.notified", "mgr"),
    ]


def test_resolve_by_integration_stops_escalation(env, log, make_pager):
    """The alert clears at +4m (no person): resolved, nobody else paged."""
    pager = make_pager()
    inc_id = pager.trigger("checkout", "k1", "High error rate", "critical")
    env.run(until=4 * MIN)
    pager.resolve(inc_id)
    env.run(until=3600)
    assert log[-1] == (4 * MIN, "page.resolved", None)
    assert pager.open_incident("checkout", "k1") is None
    assert pager.incidents[inc_id].to_dict()["resolved_at"] == 240


def test_integration_keys_and_receiver_names_map_to_services(make_pager):
    """Routing keys, API keys, receiver names and plain service names all find the service."""
    pager = make_pager()
    assert pager.lookup_service("pd-routing-checkout") == "checkout"
    assert pager.lookup_service("team-checkout-pager") == "checkout"
    assert pager.lookup_service("opsgenie-reports") == "reports"
    assert pager.lookup_service("batch") == "batch"
    assert pager.lookup_service("slack-only") is None
    inc_id = pager.trigger("pd-routing-checkout", "k", "x", "critical")
    assert pager.incidents[inc_id].service == "checkout"


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda p: p.ack("INC-9", "alice"), "no incident 'INC-9'; did you mean 'INC-1'?"),
        (lambda p: p.ack("INC-1", "alcie"), "no person 'alcie'; did you mean 'alice'?"),
        (lambda p: p.trigger("chekout", "k", "s", "critical"), "did you mean 'checkout'?"),
        (lambda p: p.resolve("INC-1") or p.resolve("INC-1"), "INC-1 is already resolved"),
        (lambda p: p.ack("INC-1", "alice") or p.ack("INC-1", "bob"), "already acknowledged"),
        (lambda p: p.resolve("INC-1") or p.escalate("INC-1", "bob"), "INC-1 is resolved"),
        (lambda p: p.resolve("INC-1") or p.reassign("INC-1", "bob"), "INC-1 is resolved"),
    ],
)
def test_impossible_actions_are_refused_with_a_reason(env, make_pager, action, message):
    """Unknown ids and actions on finished incidents raise PagerError, not a traceback."""
    pager = make_pager()
    pager.trigger("checkout", "k1", "High error rate", "critical")
    with pytest.raises(PagerError, match=message.replace("?", r"\?")):
        action(pager)


def test_manual_escalation_past_the_last_level_is_refused(env, make_pager):
    """There is no level after the last one."""
    pager = make_pager()
    inc_id = pager.trigger("batch", "b", "s", "error")
    pager.escalate(inc_id, "alice")
    env.run(until=1)
    with pytest.raises(PagerError, match="last level"):
        pager.escalate(inc_id, "bob")


def test_same_inputs_give_identical_event_streams(team):
    """Determinism: two runs of the same triggers and acks publish the same events."""

    def run() -> list[tuple[float, str, dict]]:
        env = simpy.Environment()
        out: list[tuple[float, str, dict]] = []
        pager = Pager(env, team, lambda k, d: out.append((env.now, k, d)), clock_from(TUESDAY_2PM))

        def script(env):
            pager.trigger("checkout", "a", "A", "critical")
            yield env.timeout(90)
            pager.trigger("batch", "b", "B", "error")
            yield env.timeout(15 * MIN)
            pager.ack("INC-2", "bob")

        env.process(script(env))
        env.run(until=7200)
        return out

    assert run() == run()


def test_policy_with_nobody_on_call_anywhere_stops_after_one_pass(env, log):
    """Every level empty: one pass of immediate escalations, then the pager gives up."""
    data = yaml.safe_load(TEAM)
    data["escalation_policies"].append(
        {
            "id": "empty",
            "num_loops": 3,
            "rules": [
                {"escalation_delay_in_minutes": 5, "targets": [{"type": "schedule", "id": s}]}
                for s in ("nights-only", "nights-only")
            ],
        }
    )
    data["services"].append({"name": "ghost", "escalation_policy": "empty"})
    oncall = loads_oncall(yaml.safe_dump(data))
    pager = Pager(
        env,
        oncall,
        lambda k, d: log.append((env.now, k, d.get("to_level"))),
        clock_from(TUESDAY_2PM),
    )
    inc_id = pager.trigger("ghost", "g", "s", "critical")
    env.run(until=3600)
    assert log == [
        (0, "page.triggered", None),
        (0, "page.escalated", 2),
        (0, "page.escalated", None),
    ]
    assert pager.incidents[inc_id].exhausted


def test_an_ack_from_inside_a_notification_stops_the_rest(env, team):
    """A bot that acks synchronously as it is notified: nobody else is paged."""
    team = loads_oncall(
        TEAM.replace(
            "targets: [{type: user, id: alice}]",
            "targets: [{type: user, id: alice}, {type: user, id: mgr}]",
        )
    )
    seen: list[tuple[str, object]] = []

    def emit(kind, data):
        seen.append((kind, data.get("person")))
        if kind == "page.notified" and data["person"] == "alice":
            pager.ack(data["incident_id"], "alice")

    pager = Pager(env, team, emit, clock_from(TUESDAY_2PM))
    pager.trigger("batch", "b", "s", "error")
    env.run(until=3600)
    assert seen == [
        ("page.triggered", None),
        ("page.notified", "alice"),
        ("page.acknowledged", "alice"),
    ]


def test_next_escalation_time_is_kept_until_an_ack_or_the_end(env, make_pager):
    """``escalates_at`` says when the next level is paged; an ack, or running out of
    levels, clears it."""
    pager = make_pager()
    pager.trigger("checkout", "k1", "High error rate", "critical")
    pager.trigger("checkout", "k2", "Checkout slow", "critical")
    inc, other = pager.incidents["INC-1"], pager.incidents["INC-2"]
    env.run(until=1)
    assert inc.escalates_at == 10 * MIN
    env.run(until=12 * MIN)
    assert inc.escalates_at == 25 * MIN  # level 2 waits 15 minutes
    pager.ack("INC-1", "bob")
    assert inc.escalates_at is None
    env.run(until=3 * 3600)
    assert other.exhausted and other.escalates_at is None
