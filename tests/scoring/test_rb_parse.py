"""Runbooks as teams write them parse into sections, steps and clean commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from gameday.errors import InputError
from gameday.runbooks import parse_runbook, parse_runbook_text
from gameday.runbooks.parse import section_kind
from gameday.runbooks.shell import commands_from_code

FIXTURE = Path(__file__).parent / "fixtures" / "orders-pool.md"

SEED_STYLE = """\
# Payments API — PaymentsApiHighErrorRate

## Overview
The payments API serves card payments.

## First Response (< 5 minutes)
1. Confirm alert is real: `kubectl get pods -n production -l app=payments-api`
2. Check error rate on the dashboard.

## Diagnosis

### Is it a deployment issue?
- Recent rollout in the last two hours?
  ```bash
  kubectl rollout history deployment/payments-api -n production
  # If yes, consider a rollback
  ```

### Is it a dependency issue?
- Database connectivity:
  ```bash
  kubectl exec -n production -it deploy/payments-api -- \\
    pg_isready -h db.production.svc -U payments
  ```

## Recovery

Rollback deployment

```bash
kubectl rollout undo deployment/payments-api -n production
kubectl rollout status deployment/payments-api -n production --timeout=5m
```

## Escalation
- If not resolved in 30 min: page the team lead.
"""


def test_fixture_title_and_alerts_from_front_matter():
    """The title is the first H1; front matter lists the alerts the runbook covers."""
    rb = parse_runbook(FIXTURE)
    assert rb.title == "Orders service — OrdersDBPoolExhausted"
    assert rb.alerts == ["OrdersDBPoolExhausted", "CheckoutErrorBudgetBurn"]
    assert rb.slug == "orders-pool"


def test_fixture_sections_are_classified():
    """Headings map to kinds: overview, triage, diagnosis, mitigation, verification..."""
    rb = parse_runbook(FIXTURE)
    assert [(s.name, s.kind) for s in rb.sections] == [
        ("Overview", "overview"),
        ("Quick assessment", "triage"),
        ("Diagnosis", "diagnosis"),
        ("Mitigation", "mitigation"),
        ("Verification", "verification"),
        ("Escalation", "escalation"),
    ]


def test_fixture_steps_commands_and_lines():
    """Prompts, comments and continuations are cleaned; lines count the front matter."""
    rb = parse_runbook(FIXTURE)
    quick = rb.sections[1]
    assert [s.number for s in quick.steps] == [1, 2]
    assert quick.steps[0].commands == ["kubectl get pods -n shop -l app=orders"]
    assert quick.steps[0].line == 11
    assert quick.steps[1].commands == [
        "kubectl logs -n shop deploy/orders --tail=100 | grep -i timeout"
    ]
    assert quick.steps[1].command_lines == [14]
    diag = rb.sections[2].steps[0]
    assert diag.commands[0].startswith('psql -h orders-db -U postgres -d orders -c "SELECT pid')
    assert "FROM pg_stat_activity ORDER BY age DESC LIMIT 10;" in diag.commands[0]
    assert diag.command_lines == [20]
    scale = rb.sections[3].steps[1]
    assert scale.commands == ["kubectl scale deployment orders -n shop --replicas=6"]


def test_sql_fence_becomes_a_psql_command():
    """An ``sql`` block is a statement to run through psql."""
    step = parse_runbook(FIXTURE).sections[2].steps[1]
    assert step.commands == [
        'psql -c "SELECT pid, pg_blocking_pids(pid) FROM pg_stat_activity '
        "WHERE wait_event_type = 'Lock'\""
    ]


def test_seed_style_runbook():
    """Sub-headings inherit their section's kind; paragraphs before a fence name its step."""
    rb = parse_runbook_text(SEED_STYLE, "runbooks/payments.md")
    assert rb.alerts == ["PaymentsApiHighErrorRate"]
    kinds = {s.name: s.kind for s in rb.sections}
    assert kinds["First Response (< 5 minutes)"] == "triage"
    assert kinds["Is it a deployment issue?"] == "diagnosis"
    assert kinds["Recovery"] == "mitigation"
    dep = next(s for s in rb.sections if s.name == "Is it a dependency issue?")
    assert dep.steps[0].commands == [
        "kubectl exec -n production -it deploy/payments-api -- "
        "pg_isready -h db.production.svc -U payments"
    ]
    recovery = next(s for s in rb.sections if s.kind == "mitigation")
    assert recovery.steps[0].text == "Rollback deployment"
    assert len(recovery.steps[0].commands) == 2
    first = rb.sections[1].steps
    assert first[1].commands == [] and first[1].text == "Check error rate on the dashboard."


def test_alert_line_and_bullets():
    """``Alert: A, B`` lines name the alerts; bullets are numbered in order."""
    rb = parse_runbook_text(
        "# Disk\n\nAlerts: `DiskFull`, NodeDiskPressure\n\n## Fix\n"
        "- one `kubectl get nodes`\n- two `kubectl top nodes`\n"
    )
    assert rb.alerts == ["DiskFull", "NodeDiskPressure"]
    assert [s.number for s in rb.sections[0].steps] == [1, 2]


def test_console_transcript_keeps_only_prompted_lines():
    """Output lines in a console block are not commands."""
    text = "$ kubectl get pods -n shop\nNAME READY\norders-1 1/1\n$ kubectl top pods  # cpu\n"
    assert commands_from_code(text) == [("kubectl get pods -n shop", 0), ("kubectl top pods", 3)]


def test_open_quote_joins_lines():
    """A quoted SQL string spanning lines is one command."""
    text = 'psql -c "SELECT 1\n  FROM t;"\nkubectl get pods\n'
    assert commands_from_code(text) == [('psql -c "SELECT 1 FROM t;"', 0), ("kubectl get pods", 2)]


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Quick assessment", "triage"),
        ("Triage", "triage"),
        ("Investigation", "diagnosis"),
        ("Resolution", "mitigation"),
        ("Verify resolution", "verification"),
        ("Post-Incident", "postincident"),
        ("Escalation", "escalation"),
        ("Notes", "other"),
    ],
)
def test_section_kinds(heading, kind):
    """Common heading names map to section kinds."""
    assert section_kind(heading) == kind


def test_unreadable_and_bad_front_matter(tmp_path):
    """A missing file and broken front matter are input errors naming the file."""
    with pytest.raises(InputError) as missing:
        parse_runbook(tmp_path / "nope.md")
    assert "nope.md" in str(missing.value)
    bad = tmp_path / "bad.md"
    bad.write_text("---\nalerts: [unclosed\n---\n# T\n")
    with pytest.raises(InputError) as broken:
        parse_runbook(bad)
    assert broken.value.problems[0].line == 1


def test_alert_list_continues_after_a_trailing_comma():
    """An ``Alerts:`` list wrapped over lines keeps going while lines end with a comma."""
    rb = parse_runbook_text(
        "# Orders\n\nAlerts: OrdersDBPoolExhausted, OrdersDBPoolPending,\n"
        "CheckoutErrorBudgetBurnPage\nSee below.\n\n## Fix\n"
    )
    assert rb.alerts == [
        "OrdersDBPoolExhausted",
        "OrdersDBPoolPending",
        "CheckoutErrorBudgetBurnPage",
    ]
