"""Whole runs: an expert passes, a novice and an idle responder fail, for the right reasons."""

from __future__ import annotations

import re

import pytest
import scoring_synth as synth

from gameday.errors import InputError
from gameday.scoring import DIMENSIONS, score


def _card(events, end, fixed_at, verdicts=None, **targets):
    return score(
        events,
        synth.scenario(**targets),
        synth.runbooks(),
        synth.metrics(end, fixed_at),
        verdicts,
    )


def test_expert_passes_with_full_marks():
    """An expert run meets every target: 100 points, passed."""
    card = _card(synth.expert(), 1080, 800)
    assert card.passed and card.score >= 80
    assert card.score == 100.0
    assert all(not d.evidence for d in card.dimensions)
    assert card.key_times["mitigated"] == 800


def test_idle_fails():
    """Nobody answering scores under 40; detection (the alerting's work) is no dimension."""
    card = _card(synth.idle(), 3600, None)
    assert not card.passed and card.score < 40
    assert "detection" not in [d.key for d in card.dimensions]
    for key in ("acknowledgement", "triage", "mitigation", "resolution", "escalation"):
        assert card.dimension(key).points == 0, key
    assert (
        "though the page escalated to level 3 and reached Alice, Bob, Carol"
        in card.dimension("acknowledgement").evidence[0]
    )


def test_novice_fails_with_lessons():
    """The novice loses points for a slow ack, a wrong severity, changes that did nothing
    (the red herring explained), an early resolve and the hint taken."""
    run = synth.Run()
    run.events = synth.novice()
    verdicts = [synth.verdict(run, t, "no effect") for t in (1250, 1500)]
    card = _card(synth.novice(), 2400, 2100, verdicts=verdicts)
    assert not card.passed and 20 < card.score < 70
    assert card.hint_penalty == 5
    ack = card.dimension("acknowledgement")
    assert ack.measured == pytest.approx(664)
    assert (
        "MTTA was 11m04s: paged at T+7m16s, acknowledged at T+18m20s; the SEV1 target "
        "is 5m." in ack.evidence[0]
    )
    triage = " ".join(card.dimension("triage").evidence)
    assert "declared SEV2 at T+19m10s, but this is a SEV1" in triage
    assert "No incident commander was assigned" in triage
    mitigation = card.dimension("mitigation").evidence
    assert any(
        e.startswith(
            "`kubectl rollout restart deployment/orders -n shop` at T+20m50s had no effect"
        )
        and "A red herring: it does not touch the cause." in e
        for e in mitigation
    )
    resolution = card.dimension("resolution").evidence[0]
    assert "resolved at T+35m05s while the 5xx ratio was 35.00%" in resolution


def test_chat_only_routing_names_the_receiver():
    """A critical alert routed to Slack only: the ack evidence says where it went and that
    no page was sent."""
    card = _card(synth.idle("slack-critical", "slack"), 3600, None)
    ack = card.dimension("acknowledgement")
    assert ack.points == 0
    assert "went only to slack-critical (slack), so no page was sent" in ack.evidence[0]


@pytest.mark.parametrize("run", ["expert", "novice", "idle"])
def test_every_lost_point_has_evidence(run):
    """Each dimension's lost points are explained by sentences that name a sim time and a
    target, and the explained points add up to the points lost."""
    events, end, fixed = {
        "expert": (synth.expert(), 1080, 800),
        "novice": (synth.novice(), 2400, 2100),
        "idle": (synth.idle(), 3600, None),
    }[run]
    card = _card(events, end, fixed)
    for d in card.dimensions:
        lost = d.max_points - d.points
        explained = sum(float(re.search(r"\(-([\d.]+) points\)$", e)[1]) for e in d.evidence)
        assert explained == pytest.approx(lost, abs=0.05 * len(d.evidence) + 0.01), d.key
        for e in d.evidence:
            assert e.endswith("points)") and (e[0].isupper() or e[0] == "`")
            assert "T+" in e or "%" in e or "runbook" in e, e


def test_weights_scale_to_100_and_overrides_apply():
    """Overriding a weight re-scales every dimension; the maximum stays 100."""
    card = _card(synth.idle(), 3600, None, weights={"detection": 50})
    assert sum(d.max_points for d in card.dimensions) == pytest.approx(100, abs=0.05)
    assert card.dimension("detection").max_points == pytest.approx(100 * 50 / 140, abs=0.01)
    assert card.score > _card(synth.idle(), 3600, None).score


def test_unknown_weight_is_refused():
    """A weight for a dimension that does not exist is an input error with a suggestion."""
    with pytest.raises(InputError) as err:
        _card(synth.expert(), 1080, 800, weights={"detect": 5})
    assert "did you mean 'detection'?" in str(err.value)


def test_scenario_targets_override_the_table():
    """A tighter ack target in the scenario turns the expert's 84 s ack into lost points."""
    card = _card(synth.expert(), 1080, 800, ack="1m")
    ack = card.dimension("acknowledgement")
    assert ack.points < ack.max_points
    assert "the SEV1 target is 1m." in ack.evidence[0]
    assert card.targets["sources"]["ack"] == "scenario's targets"


def test_pass_score_from_scenario():
    """The pass mark comes from the scenario."""
    assert _card(synth.expert(), 1080, 800, pass_score=100.0).passed
    card = _card(synth.novice(), 2400, 2100, pass_score=10)
    assert card.passed


def test_scoring_is_deterministic_and_order_independent():
    """Shuffled events with the same seqs give the same scorecard."""
    events = synth.novice()
    a = _card(events, 2400, 2100).to_dict()
    b = _card(list(reversed(events)), 2400, 2100).to_dict()
    assert a == b


def test_all_dimensions_present_in_order():
    """The scorecard lists the dimensions in the documented order (detection only when a
    scenario weights it: by default it is a finding about the configuration; injects
    answered only when an inject expects something, or the scenario weights it)."""
    card = _card(synth.expert(), 1080, 800)
    default = [k for k in DIMENSIONS if k not in ("detection", "injects")]
    assert [d.key for d in card.dimensions] == default
    assert sum(d.max_points for d in card.dimensions) == pytest.approx(100.0)
    weighted = _card(synth.expert(), 1080, 800, weights={"detection": 10, "injects": 5})
    assert [d.key for d in weighted.dimensions] == list(DIMENSIONS)
    injects = weighted.dimension("injects")
    assert (injects.points, injects.happened) == (injects.max_points, "no inject asks for anything")


def test_text_scorecard_for_the_terminal():
    """The terminal scorecard marks missed dimensions, lists hints and ends with the verdict."""
    from gameday.scoring import format_scorecard

    run = synth.Run()
    run.events = synth.novice()
    verdicts = [synth.verdict(run, t, "no effect") for t in (1250, 1500)]
    text = format_scorecard(_card(synth.novice(), 2400, 2100, verdicts=verdicts))
    assert "  MISS Acknowledgement (MTTA)" in text
    assert "hint T+28m20s: Which resource are the failing requests waiting for? (-5)" in text
    # the novice's broad `kubectl get pods -n shop` counts for the runbook's pods step
    assert text.rstrip().endswith("Total 20.9 / 100 (pass at 70): FAIL")
    assert "         - MTTA was 11m04s" in text
