"""Hypothesis-generated label sets route the same with us as with ``amtool`` 0.25.

Label names and values are drawn from the corpus configs' own matchers (so routes
actually match) mixed with random names and awkward values (quotes, backslashes,
commas, newlines, UTF-8). Each example is a batch of 10 label sets for one config whose
``amtool config routes test`` runs go in parallel; 20 examples make 200 label sets.
"""

from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gameday.alerting import AlertmanagerConfig, load_alertmanager_config

from .conftest import AMTOOL, corpus_configs

CONFIGS = corpus_configs()
TRICKY = ["", " ", " 2", "2 ", "ä→ü", "a,b", 'x"y', "back\\slash", "multi\nline", "{}", "=~"]


@cache
def loaded(path: Path) -> AlertmanagerConfig:
    """Each corpus config, parsed once."""
    return load_alertmanager_config(path)


@cache
def vocabulary() -> tuple[list[str], list[str]]:
    """Label names and values that the corpus routes mention."""
    names, values = set(), set(TRICKY)
    for path in CONFIGS:
        for route in loaded(path).route.walk():
            for m in route.matchers:
                names.add(m.name)
                if m.op in ("=", "!="):
                    values.add(m.value)
                else:
                    values.update(p for p in re.split(r"[|^$()?*+\[\]\\.]+", m.value) if p)
    return sorted(names), sorted(values)


def quote(value: str) -> str:
    """Quote a value for amtool's matcher parser, as the corpus' verify.sh does."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped + '"'


def amtool_receivers(path: Path, labels: dict[str, str]) -> list[str]:
    """``amtool config routes test`` for ``labels``, split on commas."""
    assert AMTOOL is not None
    argv = [AMTOOL, "config", "routes", "test", f"--config.file={path}"]
    argv += [f"{k}={quote(v)}" for k, v in labels.items()]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    line = run.stdout.rstrip("\n")
    return line.split(",") if line else []


def label_sets() -> st.SearchStrategy[dict[str, str]]:
    """Mostly corpus names and values, sometimes random ones."""
    names, values = vocabulary()
    name = st.sampled_from(names) | st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True)
    text = st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
    )
    value = st.sampled_from(values) | text
    return st.dictionaries(name, value, max_size=5)


@pytest.mark.skipif(AMTOOL is None, reason="amtool (Alertmanager 0.25) not installed")
@pytest.mark.skipif(not CONFIGS, reason="conformance corpus not found")
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_label_sets_route_like_amtool(data: st.DataObject) -> None:
    """Same receivers, same order, for any label set on any corpus config."""
    path = data.draw(st.sampled_from(CONFIGS), label="config")
    batch = data.draw(st.lists(label_sets(), min_size=10, max_size=10), label="labels")
    with ThreadPoolExecutor(max_workers=8) as pool:
        theirs = list(pool.map(lambda labels: amtool_receivers(path, labels), batch))
    ours = [loaded(path).route.receivers(labels) for labels in batch]
    assert list(zip(batch, ours, strict=True)) == list(zip(batch, theirs, strict=True))
