"""Hostile YAML and odd values: located problems, never a traceback, no noise."""

from __future__ import annotations

from pathlib import Path

import pytest

from gameday.errors import InputError
from gameday.scenario import load_scenario


def _problems(valid_copy: Path, old: str, new: str) -> list[str]:
    path = valid_copy / "scenario.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(InputError) as info:
        load_scenario(valid_copy)
    return [str(p).removeprefix(f"{path}:").strip() for p in info.value.problems]


def test_impossible_timestamp(valid_copy: Path) -> None:
    """A date that does not exist is a located YAML error, not a ValueError."""
    got = _problems(valid_copy, "2026-03-10T14:00:00+00:00", "2026-13-45T14:00:00Z")
    assert got == [
        "8:13: YAML syntax error: invalid timestamp '2026-13-45T14:00:00Z': month must be in 1..12"
    ]


def test_recursive_alias(valid_copy: Path) -> None:
    """An alias that contains itself is refused instead of recursing forever."""
    got = _problems(valid_copy, "tags: [postgres, pool, deploy]", "tags: &t [*t]")
    assert got == ["6:7: YAML syntax error: recursive alias: a node contains itself"]


def test_deep_nesting(valid_copy: Path) -> None:
    """Nesting beyond what the parser can hold is a plain problem."""
    deep = "[" * 250 + "]" * 250
    got = _problems(valid_copy, "tags: [postgres, pool, deploy]", f"tags: {deep}")
    assert got == ["6:206: YAML syntax error: nested deeper than 200 levels"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("duration: 1h", "duration: .inf", "7:1: duration: duration must be a finite number"),
        ("    at: 10m", "    at: .nan", "34:5: faults[0].at: duration must be a finite number"),
        ("duration: 1h", "duration: 1y2y", "7:1: duration: units out of order or repeated"),
    ],
)
def test_odd_durations(valid_copy: Path, old: str, new: str, expected: str) -> None:
    """Infinite, NaN and malformed durations are refused with the parser's reason."""
    got = _problems(valid_copy, old, new)
    assert len(got) == 1 and got[0].startswith(expected)


def test_no_reference_noise_when_the_list_is_malformed(valid_copy: Path) -> None:
    """A broken services list is reported once, not again as every unknown reference."""
    got = _problems(valid_copy, "    - name: web\n", "    - name: 7\n")
    assert got == ["14:7: world.services[0].name: Input should be a valid string"]


def test_merge_keys_are_fine(valid_copy: Path) -> None:
    """YAML merge keys (<<) work as in any YAML file."""
    path = valid_copy / "scenario.yaml"
    text = path.read_text().replace("targets:\n  ack: 10m\n", "targets:\n  <<: {ack: 10m}\n")
    path.write_text(text)
    assert load_scenario(valid_copy).scenario.targets.ack == 600.0
