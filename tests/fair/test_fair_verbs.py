"""Runbook steps that ask for incident verbs ("Acknowledge the page and declare the
incident") are done once the responders did them: in adherence and in the TUI pane."""

from __future__ import annotations

from pathlib import Path

import pytest

from gameday.runbooks import parse_runbook_text
from tests.clirun import drill_script
from tests.fair.test_fair_runbook_order import ROLLBACK_FIRST

REPO = Path(__file__).resolve().parents[2]
STEP_ONE = "Quick assessment step 1 of bad-deploy (`ack`, `sev`)"


def _adherence(capsys: pytest.CaptureFixture[str], tmp_path: Path, actions: list[dict]) -> dict:
    dims = drill_script(capsys, tmp_path, "bad-deploy", actions)["scorecard"]["dimensions"]
    dim: dict = next(d for d in dims if d["key"] == "adherence")
    return dim


def test_acknowledge_and_declare_counts_for_adherence(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """ack and sev do step 1; with both the step is done, with ack alone it is not."""
    both = _adherence(capsys, tmp_path, ROLLBACK_FIRST)
    assert both["happened"] == "6 of 6 runbook step(s) done (100%)"
    assert not any(STEP_ONE in e for e in both["evidence"])
    no_sev = [a for a in ROLLBACK_FIRST if not a["do"].startswith("sev")]
    ack_only = _adherence(capsys, tmp_path, no_sev)
    assert ack_only["happened"] == "5 of 6 runbook step(s) done (83%)"
    (evidence,) = ack_only["evidence"]
    assert evidence.startswith(f"{STEP_ONE} was never done; the runbook asks for it.")


def test_verbs_come_from_prose_and_code_not_from_reading_a_status_page() -> None:
    """Prose and code spans ask for verbs; checking a vendor's status page does not, and
    `sev SEV1` in a code block is no shell command."""
    rb = parse_runbook_text(
        "# R\n\n## Quick assessment\n\n"
        "1. Acknowledge the page.\n"
        "2. Set it to `sev SEV2` and post a status update.\n"
        "3. Check the vendor's status page.\n"
        "4. Declare it:\n   ```\n   sev SEV1\n   ```\n"
    )
    got = [(st.verbs, st.commands) for _s, st in rb.steps]
    assert got == [(("ack",), []), (("sev", "status"), []), ((), []), (("sev",), [])]
