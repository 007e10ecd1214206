"""Every promtool 2.42 suite of the shared conformance corpus reaches promtool's verdict.

Runs in-process (one ``run_test_file`` per suite, from the suite's directory as promtool
was run). Deliberate deviations from 2.42 would be listed in ``KNOWN_DIFFERENCES.tsv``
next to this file (path, what differs, why); there are none today.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gameday.rules.unittest import run_test_file

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "conformance" / "promtool"
KNOWN = Path(__file__).with_name("KNOWN_DIFFERENCES.tsv")


def _expected() -> list[tuple[str, str]]:
    tsv = CORPUS / "EXPECTED.tsv"
    if not tsv.is_file():
        return []
    rows = []
    for line in tsv.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        path, verdict = line.split("\t")[:2]
        rows.append((path, verdict))
    return rows


def _known() -> dict[str, str]:
    if not KNOWN.is_file():
        return {}
    out = {}
    for line in KNOWN.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            parts = line.split("\t")
            out[parts[0]] = parts[1] if len(parts) > 1 else ""
    return out


CASES = _expected()


@pytest.mark.skipif(not CASES, reason=f"conformance corpus not found at {CORPUS}")
@pytest.mark.parametrize(
    ("path", "verdict"), CASES or [("none", "pass")], ids=[c[0] for c in CASES] or ["none"]
)
def test_promtool_verdict(path: str, verdict: str) -> None:
    full = CORPUS / path
    cwd = os.getcwd()
    os.chdir(full.parent)
    try:
        result = run_test_file(full.name)
    finally:
        os.chdir(cwd)
    got = "pass" if result.passed else "fail"
    expected = verdict
    if path in _known():
        expected = "fail" if verdict == "pass" else "pass"
    assert got == expected, "\n".join(result.errors[:10])
