"""Mutated corpus configs: check_alertmanager_config and amtool agree on pass/fail.

Each mutant changes one value of a corpus config (or deletes one key) to something
plausible-but-often-wrong (durations, URLs, matchers, ranges, nulls, lists, ...).
The mutants come from a fixed seed, so the run is reproducible.
"""

from __future__ import annotations

import random
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

from gameday.alerting import check_alertmanager_config

from .conftest import AMTOOL, corpus_configs

CONFIGS = corpus_configs()
MUTANTS = 120
VALUES: list[Any] = [
    "", "x", 0, 1, True, None, [], {}, ["a"], {"a": "b"}, "5 minutes", "0s", "30", "1d",
    "1h30m", "http://h/", "ftp://h", "https://h:1/p", "h:25", "[::1]:25", "a:1", "-1",
    "a=b", "a=~(", '{a="b"}', "x-y", "...", ["..."], ["...", "a"], "Europe/Berlin",
    "Mars/Base", "monday:friday", "-1:-3", "1:31", "january:march", "24:00", "25:00",
]  # fmt: skip


def _paths(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, (*path, i))
    if path:
        yield path


def mutants(folder: Path) -> list[tuple[Path, str]]:
    """Write the mutated configs; return (path, what was changed)."""
    rng = random.Random(20250)
    out = []
    for n in range(MUTANTS):
        source = rng.choice(CONFIGS)
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        target = rng.choice(list(_paths(data)))
        parent = data
        for k in target[:-1]:
            parent = parent[k]
        if rng.random() < 0.2 and isinstance(parent, dict):
            del parent[target[-1]]
            what = f"{source.name}: delete {target}"
        else:
            value = rng.choice(VALUES)
            parent[target[-1]] = value
            what = f"{source.name}: set {target} = {value!r}"
        path = folder / f"mutant{n}.yml"
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
        out.append((path, what))
    return out


def amtool_accepts(path: Path) -> bool:
    """Whether ``amtool check-config`` succeeds."""
    assert AMTOOL is not None
    return subprocess.run([AMTOOL, "check-config", str(path)], capture_output=True).returncode == 0


@pytest.mark.skipif(AMTOOL is None, reason="amtool (Alertmanager 0.25) not installed")
@pytest.mark.skipif(not CONFIGS, reason="conformance corpus not found")
def test_mutated_configs_get_amtools_verdict(tmp_path: Path) -> None:
    """Every mutant is accepted by both or refused by both."""
    cases = mutants(tmp_path)
    with ThreadPoolExecutor(max_workers=8) as pool:
        theirs = list(pool.map(amtool_accepts, [p for p, _ in cases]))
    wrong = [
        (what, their, [str(p) for p in ours])
        for (path, what), their in zip(cases, theirs, strict=True)
        if (not (ours := check_alertmanager_config(path))) != their
    ]
    assert wrong == []
    assert 0 < sum(theirs) < len(theirs)  # the mutants do include both kinds
