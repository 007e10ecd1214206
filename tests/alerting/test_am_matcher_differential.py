"""Random ``matchers:`` strings: accepted, parsed, sorted and printed as amtool 0.25 does.

Each generated string goes into a small config; ``amtool config routes show`` either
refuses the config or prints the parsed matchers, which must equal our ``--tree``.
"""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gameday.alerting import check_alertmanager_config, load_alertmanager_config

from .conftest import AMTOOL

PIECES = ["a", "b", "sev", "_x", "1", " ", '"', "\\", ",", "=", "!=", "=~", "!~", "{", "}",
          "n", "ä", "|", "(", ")", ".*", "^", "$", "[a-z]", "\\d"]  # fmt: skip


def config_for(matcher: str) -> str:
    """A config whose only child route has ``matcher``."""
    line = json.dumps(matcher, ensure_ascii=False)
    return (
        "route:\n  receiver: r\n  routes:\n"
        f"    - matchers: [{line}]\n      receiver: r\n"
        "receivers:\n  - name: r\n"
    )


def amtool_show(path: Path) -> str | None:
    """``amtool config routes show`` output, or None when amtool refuses the config."""
    assert AMTOOL is not None
    run = subprocess.run(
        [AMTOOL, "config", "routes", "show", f"--config.file={path}"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    return run.stdout if run.returncode == 0 else None


matcher_text = st.one_of(
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=10).map("".join),
    st.tuples(
        st.sampled_from(["a", "sev", "x_y"]),
        st.sampled_from(["=", "!=", "=~", "!~"]),
        st.lists(st.sampled_from(PIECES), max_size=6).map("".join),
    ).map(lambda t: f'{t[0]}{t[1]}"{t[2]}"'),
)


@pytest.mark.skipif(AMTOOL is None, reason="amtool (Alertmanager 0.25) not installed")
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(batch=st.lists(matcher_text, min_size=10, max_size=10))
def test_matcher_strings_agree_with_amtool(batch: list[str], tmp_path_factory) -> None:
    """Same verdict; for accepted ones, the same printed (parsed, sorted) matchers."""
    folder = tmp_path_factory.mktemp("m")
    paths = []
    for i, text in enumerate(batch):
        path = folder / f"c{i}.yml"
        path.write_text(config_for(text), encoding="utf-8")
        paths.append(path)
    with ThreadPoolExecutor(max_workers=8) as pool:
        theirs = list(pool.map(amtool_show, paths))
    for text, path, their in zip(batch, paths, theirs, strict=True):
        ours = None
        if not check_alertmanager_config(path):
            ours = load_alertmanager_config(path).route.tree() + "\n"
        assert (text, ours) == (text, their)


RE_PIECES = ["a", "b", "ä", ".", ".*", ".+", "?", "|", "(", ")", "[ab]", "[^a]", "\\d", "\\w",
             "\\s", "\\S", "\\b", "^", "$", "{2}", "{1,2}", "[[:digit:]]", "(?i)", "\\.", "x*?",
             "\\pL", "[\\d\\s]", "\\A", "\\z", " ", "1", "_"]  # fmt: skip
RE_VALUES = ["", "a", "b", "ab", "A", "ä", "Ä", "1", "12", "a\nb", "a b", "_", "a.b", "aa", "١"]


def routes_test(args: tuple[Path, str]) -> str | None:
    """``amtool config routes test a=VALUE``, or None when the config is refused."""
    assert AMTOOL is not None
    path, value = args
    quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    run = subprocess.run(
        [AMTOOL, "config", "routes", "test", f"--config.file={path}", f"a={quoted}"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    return run.stdout.strip() if run.returncode == 0 else None


@pytest.mark.skipif(AMTOOL is None, reason="amtool (Alertmanager 0.25) not installed")
@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    batch=st.lists(
        st.tuples(
            st.lists(st.sampled_from(RE_PIECES), min_size=1, max_size=5).map("".join),
            st.sampled_from(RE_VALUES),
        ),
        min_size=10,
        max_size=10,
    )
)
def test_regex_matching_agrees_with_amtool(batch: list[tuple[str, str]], tmp_path_factory) -> None:
    """Random RE2 patterns: same verdict on the config, same match on the value."""
    folder = tmp_path_factory.mktemp("re")
    jobs = []
    for i, (pattern, value) in enumerate(batch):
        path = folder / f"c{i}.yml"
        path.write_text(config_for("a=~" + json.dumps(pattern)), encoding="utf-8")
        jobs.append((path, value))
    with ThreadPoolExecutor(max_workers=8) as pool:
        theirs = list(pool.map(routes_test, jobs))
    for (pattern, value), (path, _), their in zip(batch, jobs, theirs, strict=True):
        ours = None
        if not check_alertmanager_config(path):
            ours = ",".join(load_alertmanager_config(path).route.receivers({"a": value}))
        assert (pattern, value, ours) == (pattern, value, their)
