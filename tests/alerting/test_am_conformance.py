"""Every label set of the public corpus routes to the receivers amtool 0.25 printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gameday.alerting import check_alertmanager_config, load_alertmanager_config

from .conftest import CORPUS, corpus_configs


def load_cases(path: Path) -> list[dict]:
    """Read a ``.cases.yml`` file line by line, as the corpus' verify.sh does."""
    cases, labels = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("- labels: "):
            labels = json.loads(line[len("- labels: ") :])
        elif line.startswith("  receivers: "):
            cases.append({"labels": labels, "receivers": json.loads(line[len("  receivers: ") :])})
    return cases


CONFIGS = corpus_configs()


@pytest.mark.skipif(not CONFIGS, reason=f"conformance corpus not found at {CORPUS}")
@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: str(p.relative_to(CORPUS)))
def test_corpus_routes_like_amtool(config: Path) -> None:
    """Each recorded label set gets amtool's receivers, in amtool's order."""
    assert check_alertmanager_config(config) == []
    cfg = load_alertmanager_config(config)
    cases = load_cases(config.with_name(config.name[: -len(".yml")] + ".cases.yml"))
    assert cases, "no cases recorded"
    wrong = [
        (c["labels"], c["receivers"], got)
        for c in cases
        if (got := cfg.route.receivers(c["labels"])) != c["receivers"]
    ]
    assert wrong == [], f"{len(wrong)}/{len(cases)} label sets routed differently"


@pytest.mark.skipif(not CONFIGS, reason=f"conformance corpus not found at {CORPUS}")
def test_corpus_figures() -> None:
    """The corpus holds 18 configs and 255 label sets, all of which agree."""
    total = agree = 0
    for config in CONFIGS:
        cfg = load_alertmanager_config(config)
        for case in load_cases(config.with_name(config.name[: -len(".yml")] + ".cases.yml")):
            total += 1
            agree += cfg.route.receivers(case["labels"]) == case["receivers"]
    assert (len(CONFIGS), total, agree) == (18, 255, 255)
