"""Each dimension grades what its target says, with synthetic streams built step by step."""

from __future__ import annotations

import pytest
import scoring_synth as synth
from scoring_synth import TERMINATE, Run

from gameday.scoring import MetricsSummary, fmt_dur, fmt_t, score
from gameday.scoring.metrics import MetricPoint
from gameday.scoring.targets import SEVERITY_TABLE, normalise_severity


def _grade(
    run: Run,
    key: str,
    end: float = 3600,
    fixed: float | None = None,
    verdicts: list | None = None,
    **targets,
):
    card = score(
        run.events,
        synth.scenario(**targets),
        synth.runbooks(),
        synth.metrics(end, fixed),
        verdicts,
    )
    return card.dimension(key)


def _fixed(run: Run, t: float) -> Run:
    run.act(t, TERMINATE, kind="psql.terminate", changed=True)
    return run.add(
        t,
        "fault.relieved",
        fault="lock-holder",
        type="blocking_query",
        service="orders",
        why="the blocking session is gone and its locks with it",
    )


def test_time_formats():
    """Sim times read as T+4m30s; whole minutes and hours drop the zeros."""
    assert fmt_t(270) == "T+4m30s"
    assert fmt_t(300) == "T+5m"
    assert fmt_t(45.4) == "T+45s"
    assert fmt_dur(3725) == "1h02m05s"
    assert fmt_dur(3600) == "1h"


def test_severity_table_matches_the_brief():
    """SEV1: ack 5m, IC 10m, status 15m, updates 15m, MTTR 30m, MTTD 2m; SEV2 looser."""
    s1, s2 = SEVERITY_TABLE["SEV1"], SEVERITY_TABLE["SEV2"]
    assert (
        s1.ack,
        s1.incident_commander,
        s1.status_page,
        s1.update_every,
        s1.resolve,
        s1.detect,
        s1.mitigate,
    ) == (300, 600, 900, 900, 1800, 120, 900)
    assert (s2.ack, s2.update_every, s2.resolve, s2.detect) == (900, 1800, 7200, 600)


@pytest.mark.parametrize(
    ("text", "sev"),
    [
        ("sev1", "SEV1"),
        ("SEV-2", "SEV2"),
        ("1", "SEV1"),
        ("P3", "SEV3"),
        ("critical", "SEV1"),
        ("x", None),
    ],
)
def test_normalise_severity(text, sev):
    """Severity spellings people type map to SEV1..SEV4."""
    assert normalise_severity(text) == sev


def test_detection_is_a_finding_about_the_configuration():
    """A late alert is the team's alert design: a finding, no dimension, no points lost."""
    late = Run()
    late.add(0, "session.start").add(300, "fault.start", fault="f")
    late.add(600, "alert.firing", alertname="Burn", labels={"severity": "critical"})
    card = score(late.events, synth.scenario(), synth.runbooks(), synth.metrics(3600, None))
    assert "detection" not in [d.key for d in card.dimensions]
    assert card.findings == [
        "Detection: Burn fired at T+10m, 5m after the fault began at T+5m; the SEV1 target "
        "is 2m. Its threshold or `for:` waits longer than the target allows."
    ]


def test_critical_alert_routed_to_chat_is_a_finding():
    """A page-worthy alert that reached only Slack is named, with its receiver."""
    run = Run().start().paged(receiver="slack-shop", kind="slack")
    card = score(run.events, synth.scenario(), synth.runbooks(), synth.metrics(3600, None))
    assert (
        "Routing: CheckoutErrorBudgetBurn is page-worthy but reached only slack-shop (slack); "
        "nobody is woken by it. Route critical alerts to the pager." in card.findings
    )
    paged = score(synth.expert(), synth.scenario(), synth.runbooks(), synth.metrics(1080, 800))
    assert not any(f.startswith("Routing:") for f in paged.findings)


def test_detection_late_and_warning_only_when_a_scenario_weights_it():
    """Weighted in by a scenario, a late critical alert loses part of detection; only a
    warning alert loses more."""
    late = Run()
    late.add(0, "session.start").add(300, "fault.start", fault="f")
    late.add(600, "alert.firing", alertname="Burn", labels={"severity": "critical"})
    d = _grade(late, "detection", weights={"detection": 10})
    assert d.measured == 300 and 0 < d.points < d.max_points
    assert (
        "MTTD was 5m: Burn fired at T+10m for a fault that began at T+5m; the SEV1 "
        "target is 2m." in d.evidence[0]
    )
    warn = Run()
    warn.add(0, "session.start").add(300, "fault.start", fault="f")
    warn.add(360, "alert.firing", alertname="PoolHigh", labels={"severity": "warning"})
    w = _grade(warn, "detection", weights={"detection": 10})
    assert "Only PoolHigh, a warning alert, fired (at T+6m)" in w.evidence[0]
    assert w.points == pytest.approx(0.4 * w.max_points, abs=0.01)


def test_severity_corrected_later_costs_half():
    """Declaring SEV2 then correcting to SEV1 loses half of the severity share."""
    run = Run().start().paged()
    run.add(500, "incident.severity", severity="SEV2")
    run.add(700, "incident.severity", severity="SEV1")
    run.add(520, "incident.role", role="ic", person="alice")
    d = _grade(run, "triage")
    assert d.points == pytest.approx(0.75 * d.max_points, abs=0.01)
    assert "first declared SEV2 at T+8m20s and only corrected to SEV1 at T+11m40s" in d.evidence[0]


def test_escalation_not_needed_when_mitigated_in_time():
    """Mitigated before the runbook's 15 minutes: no escalation needed, full points."""
    d = _grade(_fixed(Run().start().paged(), 900), "escalation", fixed=900)
    assert d.points == d.max_points and "no escalation needed" in d.happened


def test_escalation_on_time_and_late():
    """Escalating within 5 minutes of the escalation point is on time; later costs."""
    on_time = Run().start().paged().add(1400, "incident.escalated", to="dba-oncall")
    d = _grade(on_time, "escalation")
    assert d.points == d.max_points and d.happened == "escalated at T+23m20s to dba-oncall"
    late = Run().start().paged().add(405 + 900 + 900, "incident.escalated", to="dba")
    d2 = _grade(late, "escalation")
    assert 0 < d2.points < d2.max_points
    assert (
        "Escalation came at T+36m45s, 15m after the escalation point T+21m45s; the "
        "runbook says to escalate after 15m." in d2.evidence[0]
    )


def test_escalation_target_from_scenario_beats_runbook():
    """targets.escalate_after overrides the runbook's 15 minutes."""
    run = Run().start().paged().add(2000, "incident.escalated", to="dba")
    d = _grade(run, "escalation", escalate_after="30m")
    assert d.target.startswith("escalate if not mitigated 30m after detection")
    assert d.points == d.max_points


def test_communication_gap_is_named():
    """A 40-minute silence misses two 15-minute updates and says between when."""
    run = Run().start().paged()
    run.add(600, "incident.status_update", text="Investigating", state="investigating")
    run.add(3000, "incident.status_update", text="Still on it", state="identified")
    run.add(3300, "incident.resolved")
    run.add(3300, "incident.status_update", text="Resolved", state="resolved")
    d = _grade(run, "communication")
    assert any(
        "No update between T+10m and T+50m (40m); a SEV1 needs an update every 15m "
        "until resolved." in e
        for e in d.evidence
    )
    assert "2 scheduled update(s) missed" in d.happened


def test_communication_late_first_update_and_no_final():
    """A first update after 25 minutes loses part of the first-update share; resolving
    without a final update costs a little too."""
    run = Run().start().paged()
    run.add(405 + 1500, "incident.status_update", text="Investigating", state="investigating")
    run.add(2500, "incident.resolved")
    d = _grade(run, "communication")
    assert any(
        "The first status update came at T+31m45s, 25m after detection" in e for e in d.evidence
    )
    assert any("no final status update" in e for e in d.evidence)


def test_resolution_verified_after_two_clean_scrapes():
    """Resolving after two scrapes under the budget passes; one scrape is too early."""
    ok = _fixed(Run().start().paged(), 800).add(860, "incident.resolved")
    assert _grade(ok, "resolution", fixed=800).evidence == []
    early = _fixed(Run().start().paged(), 800).add(840, "incident.resolved")
    d = _grade(early, "resolution", fixed=800)
    assert d.points == pytest.approx(0.2 * d.max_points, abs=0.01)
    assert "before two scrapes under 0.10%" in d.evidence[0]


def test_impact_budget_numbers():
    """Budget = (1 - SLO) x 30 days x mean rate; consumed = failed / budget."""
    points = tuple(MetricPoint(float(t), 100.0, 0.0, 0.1) for t in range(0, 600, 15))
    m = MetricsSummary("checkout", points, total_requests=60_000, failed_requests=25_920)
    assert m.budget_requests(0.999) == pytest.approx(259_200)
    assert m.budget_consumed_pct(0.999) == pytest.approx(10.0)
    assert MetricsSummary.from_dict(m.to_dict()) == m


def test_mitigation_harmful_and_no_effect_costs_are_capped():
    """Bad actions cost at most 30% of mitigation; a harmful one is named as such."""
    run = Run().start().paged()
    run.act(500, "kubectl delete pod orders-1 -n shop", changed=True)
    for t in range(520, 700, 20):
        run.act(t, "kubectl rollout restart deploy/orders -n shop", changed=True)
    verdicts = [synth.verdict(run, 500, "harmful", failed_with=900.0, failed_without=400.0)]
    verdicts += [synth.verdict(run, t, "no effect") for t in range(520, 700, 20)]
    d = _grade(_fixed(run, 800), "mitigation", fixed=800, verdicts=verdicts)
    assert d.points == pytest.approx(0.7 * d.max_points, abs=0.01)
    assert d.evidence[0].startswith(
        "`kubectl delete pod orders-1 -n shop` at T+8m20s made things worse: from then to "
        "the end 900 of 10,000 requests failed with it and 400 would have failed without it"
    )
    assert "A red herring: it does not touch the cause." in d.evidence[1]


def test_changes_are_not_judged_without_counterfactuals():
    """Without verdicts no change costs anything, and the dimension says so."""
    run = Run().start().paged()
    run.act(520, "kubectl rollout restart deploy/orders -n shop", changed=True)
    d = _grade(_fixed(run, 800), "mitigation", fixed=800)
    assert "not judged" in d.happened and d.points == d.max_points


def test_mitigation_beyond_mttr_budget():
    """Mitigating after the 30-minute MTTR budget loses more than half the time share."""
    d = _grade(_fixed(Run().start().paged(), 300 + 2700), "mitigation", fixed=3000)
    assert d.points < 0.5 * d.max_points
    assert (
        "the world stopped carrying it at T+50m, 45m later; the SEV1 target is 15m (MTTR "
        "budget 30m)" in d.evidence[0]
    )


def test_diagnosis_counts_only_steps_before_the_fix():
    """Diagnosis steps run after the first mitigation do not count for diagnosis but do
    count for adherence."""
    run = Run().start().paged()
    run.act(650, "kubectl get pods -n shop -l app=orders")
    _fixed(run, 700)
    run.act(720, "kubectl logs deploy/orders -n shop")
    diag = _grade(run, "diagnosis", fixed=700)
    assert diag.points == pytest.approx(0.25 * diag.max_points, abs=0.01)
    assert "Quick assessment step 2 of orders-pool" in diag.evidence[0]
    assert "was not run before the first mitigation at T+11m40s" in diag.evidence[0]
    adherence = _grade(run, "adherence", fixed=700)
    assert adherence.measured == pytest.approx(3 / 6)


def test_diagnosis_in_the_same_paused_second_counts_by_order():
    """On a paused clock every command shares one sim second: what came first counts."""
    run = Run().start().paged()
    run.act(700, "kubectl get pods -n shop -l app=orders")
    _fixed(run, 700)
    run.act(700, "kubectl logs deploy/orders -n shop")
    diag = _grade(run, "diagnosis", fixed=700)
    assert diag.points == pytest.approx(0.25 * diag.max_points, abs=0.01)
    assert diag.evidence[0].startswith("Quick assessment step 2 of orders-pool (`kubectl logs")


def test_failed_actions_do_not_count_as_steps():
    """A command that failed did not do the step."""
    run = Run().start().paged()
    run.act(500, "kubectl get pods -n shop -l app=orders", ok=False)
    assert _grade(run, "adherence").measured == 0


def test_no_runbook_costs_adherence_half():
    """Without any runbook the adherence evidence says so."""
    card = score(synth.expert(), synth.scenario(), [], synth.metrics(1080, 800))
    d = card.dimension("adherence")
    assert d.points == pytest.approx(0.5 * d.max_points, abs=0.01)
    assert "No runbook covers the alerts that fired" in d.evidence[0]
    assert card.dimension("diagnosis").points == card.dimension("diagnosis").max_points


def test_hints_subtract_their_cost():
    """Each hint costs what the event says."""
    run = synth.expert()
    base = score(run, synth.scenario(), synth.runbooks(), synth.metrics(1080, 800)).score
    extra = Run()
    extra.events = list(run)
    extra.add(700, "hint", question="What holds the connections?", cost=10)
    card = score(extra.events, synth.scenario(), synth.runbooks(), synth.metrics(1080, 800))
    assert card.score == base - 10 and card.hints[0]["question"].startswith("What holds")


def test_low_urgency_page_is_called_out():
    """A page that woke nobody (low urgency) is named as such in the ack evidence."""
    run = Run().start()
    run.add(
        436,
        "page.notified",
        incident_id="P1",
        person="alice",
        name="Alice",
        level=1,
        loop=0,
        urgency="low",
        wakes=False,
    )
    d = _grade(run, "acknowledgement")
    assert d.points == 0
    assert d.evidence[0].startswith(
        "Alice (low urgency: the notification woke nobody) was "
        "paged at T+7m16s and nobody acknowledged"
    )


def test_recovery_is_after_the_last_bad_scrape():
    """Recovery shows two clean scrapes after the last bad one; never if the run ends bad."""
    assert synth.metrics(1080, 800).recovered_at(0.001) == 855
    assert synth.metrics(3600, None).recovered_at(0.001) is None
    healthy = MetricsSummary("c", (MetricPoint(0, 1, 0, 0), MetricPoint(15, 1, 0, 0)), 2, 0)
    assert healthy.recovered_at(0.001) is None
