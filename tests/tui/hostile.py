"""A hostile copy of db-pool-exhaustion: terminal escapes and bidi overrides in every
piece of text a scenario author or its team's files control (alert names, labels and
annotations, receiver names, people's names and ids, runbook Markdown, inject titles,
the truth)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import SCENARIOS

# OSC 0 (window title), OSC 52 (clipboard), CSI (clear screen), BEL, NUL, DEL, C1 CSI,
# right-to-left override and a bidi isolate, written as YAML double-quoted escapes.
YAML_HOSTILE = r"\e]0;pwned\a T \e]52;c;ZXZpbA==\a C \e[2J \a \0 \x7f \x9b N \u202eevil \u2066x"
SHOWN = (
    "\\x1b]0;pwned\\x07 T \\x1b]52;c;ZXZpbA==\\x07 C \\x1b[2J \\x07 \\x00 \\x7f \\x9b N "
    "\\u202eevil \\u2066x"
)
RAW = ("\x1b", "\x07", "\x00", "\x7f", "\x9b", "\u202e", "\u2066")
PERSON = "eve\x1b]0;x\x07"  # an on-call person's id, as the file gives it


def _edit(path: Path, before: str, after: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert before in text, (path, before)
    path.write_text(text.replace(before, after, count), encoding="utf-8")


def hostile_scenario(tmp_path: Path) -> Path:
    """db-pool-exhaustion copied under ``tmp_path`` with hostile text everywhere."""
    folder = tmp_path / "hostile"
    shutil.copytree(SCENARIOS / "db-pool-exhaustion", folder)
    rules = next((folder / "rules").glob("*.yml"))
    _edit(
        rules, "- alert: OrdersDBPoolExhausted", f'- alert: "OrdersDBPoolExhausted {YAML_HOSTILE}"'
    )
    _edit(rules, "severity: critical", f'severity: "critical {YAML_HOSTILE}"', count=1)
    _edit(
        rules,
        'summary: "{{ $labels.service }} connection pool',
        f'summary: "{YAML_HOSTILE} {{{{ $labels.service }}}} connection pool',
    )
    am = folder / "alertmanager.yml"
    _edit(am, "slack-incidents", f'"slack-incidents {YAML_HOSTILE}"', count=2)
    oncall = folder / "oncall.yaml"
    for name in ("Amara Okafor", "Jonas Richter", "Mei Tanaka", "Lucas Moreau"):
        _edit(oncall, f"name: {name}", f'name: "{name} {YAML_HOSTILE}"')
    _edit(oncall, "people:\n", 'people:\n  - {id: "eve\\e]0;x\\a", name: Eve}\n')
    runbook = next((folder / "runbooks").glob("*.md"))
    _edit(runbook, "## Overview\n", f"## Overview\n\nHostile {_raw(YAML_HOSTILE)} text.\n")
    scenario = folder / "scenario.yaml"
    _edit(scenario, "title: The VP of Commerce asks for an ETA", f'title: "VP {YAML_HOSTILE}"')
    return folder


def _raw(yaml_escaped: str) -> str:
    """The characters a YAML double-quoted ``yaml_escaped`` stands for."""
    import yaml

    return str(yaml.safe_load(f'"{yaml_escaped}"'))
