"""Property: whatever a scenario file contains, loading it fails only with located problems.

Random mutations of the valid fixture (keys deleted or invented, values of the wrong type,
negative numbers and durations, broken references, duplicated items, truncated text,
random bytes) go through the loader, the semantic checks and ``validate`` in-process.
Only :class:`InputError`/:class:`UsageError` may escape, and every problem must name a
file and say what is wrong.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gameday.errors import InputError, Problem, UsageError
from gameday.scenario import checkers, load_scenario
from gameday.scenario.validation import validate_paths
from tests.scenario.conftest import VALID

BASE = yaml.safe_load((VALID / "scenario.yaml").read_text())
SOLUTION = yaml.safe_load((VALID / "solution.yaml").read_text())
# No '/' or '*': a mutated files: entry must never glob outside the test folder.
ALPHABET = st.characters(blacklist_characters="/*\\", blacklist_categories=("Cs",))
NAMES = ["web", "checkout-api", "orders", "leak", "webb", "checkout", "", "Web"]
# YAML that is hard on a loader: aliases, tags, merge keys, odd scalars, indentation.
TOKENS = [
    b"&a ",
    b"*a",
    b"*nope",
    b"<<: *a\n",
    b"!!python/object:os.system ",
    b"!!binary x",
    b"? [a]\n",
    b": ",
    b"- ",
    b"\t",
    b"\n  ",
    b"---\n",
    b"...\n",
    b"%YAML 1.1\n",
    b"2026-02-30T00:00:00Z",
    b"0x",
    b"1_000",
    b".inf",
    b".nan",
    b"~",
    b"{",
    b"]",
    b'"\\x',
    b"'",
    b"|",
    b">-",
    b"#",
    b"\xef\xbb\xbf",
    b"\x00",
]
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**9), 10**9),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(ALPHABET, max_size=12),
    st.sampled_from(["-5m", "-1", "0", "1h", "90m", "1h30m", "5x", "2026-03-10T14:00:00", "1e9"]),
    st.sampled_from(NAMES),
    st.lists(st.integers(-3, 3), max_size=3),
    st.dictionaries(st.text(ALPHABET, max_size=6), st.integers(-3, 3), max_size=2),
)


def _locations(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _locations(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _locations(value, (*prefix, i))
    return out


def _parent(root: Any, loc: tuple) -> Any:
    for part in loc[:-1]:
        root = root[part]
    return root


@st.composite
def mutated(draw: st.DrawFn, base: dict) -> bytes:
    """The text of ``base`` after a few random mutations."""
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        locs = [loc for loc in _locations(data) if loc]
        if not locs:
            break
        loc = draw(st.sampled_from(locs))
        parent, last = _parent(data, loc), loc[-1]
        action = draw(st.sampled_from(["delete", "replace", "unknown", "duplicate", "negate"]))
        if action == "delete":
            del parent[last]
        elif action == "replace":
            parent[last] = draw(VALUES)
        elif action == "unknown" and isinstance(parent[last], dict):
            parent[last][draw(st.sampled_from(["replicsa", "tittle", "x", "at_", "1"]))] = draw(
                VALUES
            )
        elif action == "duplicate" and isinstance(parent[last], list) and parent[last]:
            parent[last].append(copy.deepcopy(parent[last][0]))
        elif action == "negate" and isinstance(parent[last], int | float | str):
            parent[last] = f"-{parent[last]}" if isinstance(parent[last], str) else -parent[last]
    text = yaml.safe_dump(data, sort_keys=False).encode()
    tail = draw(st.sampled_from(["none", "none", "truncate", "bytes", "token"]))
    at = draw(st.integers(0, len(text)))
    if tail == "truncate":
        text = text[:at]
    elif tail == "bytes":
        text = text[:at] + draw(st.binary(min_size=1, max_size=8)) + text[at:]
    elif tail == "token":
        text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
    return text


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the valid fixture, overwritten by each example."""
    dest = tmp_path_factory.mktemp("fuzz") / "scenario"
    shutil.copytree(VALID, dest)
    return dest


def _assert_located(problems: list[Problem]) -> None:
    assert problems, "an error must carry at least one problem"
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.path and problem.message
        assert str(problem).startswith(problem.path)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=st.sampled_from(["scenario", "scenario", "scenario", "solution"]), data=st.data())
def test_mutated_scenarios_fail_only_with_located_problems(folder: Path, target: str, data) -> None:
    """No traceback for any mutation: a LoadedScenario or an InputError with problems."""
    base = BASE if target == "scenario" else SOLUTION
    (folder / "scenario.yaml").write_text((VALID / "scenario.yaml").read_text())
    (folder / "solution.yaml").write_text((VALID / "solution.yaml").read_text())
    (folder / f"{target}.yaml").write_bytes(data.draw(mutated(base)))
    try:
        load_scenario(folder)
    except InputError as exc:
        _assert_located(exc.problems)
    except UsageError as exc:
        assert str(exc)
    with pytest.MonkeyPatch.context() as mp:  # other packages' checkers are theirs to fuzz
        mp.setattr(checkers, "load_checker", lambda c: (None, "skipped"))
        report = validate_paths([folder])
    for problem in report.problems:
        assert problem.path and problem.message
