"""Random regexes, Unicode classes included, decided as ``amtool config routes test`` does.

Hypothesis builds regexes from RE2's grammar (Unicode scripts and categories, POSIX and
Perl classes, flags, ``\\Q..\\E``, repetitions, assertions) with broken pieces mixed in.
Each batch becomes routes ``v=~"<re>"`` with ``continue: true``; amtool must refuse
exactly the regexes we refuse, and for every label value print the receivers we route to.
"""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gameday.alerting import check_alertmanager_config, load_alertmanager_config
from gameday.alerting.matchers import escape_value

from .conftest import AMTOOL

ATOMS = ["a", "b", "A", "α", "Ω", "σ", "д", "字", "1", " ", ".", "\\.", "\\d", "\\D", "\\w",
         "\\s", "\\S", "\\pL", "\\PL", "\\p{Lu}", "\\p{Ll}", "\\p{Greek}", "\\P{Greek}",
         "\\p{Cyrillic}", "\\p{Han}", "\\p{^Latin}", "\\pN", "[[:alpha:]]", "[[:^digit:]]",
         "[^a]", "[a-zα-ω]", "[\\p{Greek}\\d]", "\\b", "\\B", "^", "$", "\\A", "\\z",
         "(?i)", "(?s)", "(?U)", "\\QA.\\E", "\\x{3a9}", "\\n", "(?i:σ)", "(?P<n>a)"]  # fmt: skip
BROKEN = ["(", ")", "[", "*", "\\", "\\C", "(?<n>a)", "(?=a)", "a{2,1}", "\\p{Klingon}",
          "\\1", "(?P=n)", "[z-a]", "a**", "\\Z", "x{1001}"]  # fmt: skip
QUANTIFIERS = ["*", "+", "?", "{1,2}", "{2}", "*?", "+?", "{0,}"]
VALUE_CHARS = ["a", "b", "A", "α", "Ω", "σ", "Σ", "ς", "д", "字", "1", " ", "\n", ".", "_"]

regexes = st.recursive(
    st.sampled_from(ATOMS),
    lambda inner: st.one_of(
        st.lists(inner, min_size=2, max_size=3).map("".join),
        st.lists(inner, min_size=2, max_size=3).map("|".join),
        inner.map(lambda r: f"({r})"),
        inner.map(lambda r: f"(?:{r})"),
        st.tuples(inner, st.sampled_from(QUANTIFIERS)).map("".join),
    ),
    max_leaves=6,
)
maybe_broken = st.one_of(
    regexes,
    regexes,
    regexes,
    st.tuples(regexes, st.sampled_from(BROKEN), regexes).map("".join),
)
values = st.lists(st.sampled_from(VALUE_CHARS), max_size=4).map("".join)


def config_for(patterns: list[str]) -> str:
    """A config whose child route ``rI`` matches ``v=~patterns[I]``, all with ``continue``."""
    lines = ["route:", "  receiver: root", "  routes:"]
    for i, rx in enumerate(patterns):
        matcher = f'v=~"{escape_value(rx)}"'
        quoted = '"' + matcher.replace("\\", "\\\\").replace('"', '\\"') + '"'
        lines += [f"    - matchers: [{quoted}]", f"      receiver: r{i}", "      continue: true"]
    lines.append("receivers:")
    lines += ["  - name: root"] + [f"  - name: r{i}" for i in range(len(patterns))]
    return "\n".join(lines) + "\n"


def amtool(args: list[str]) -> tuple[int, str]:
    assert AMTOOL is not None
    run = subprocess.run([AMTOOL, *args], capture_output=True, text=True, timeout=60)
    return run.returncode, run.stdout


def amtool_accepts(path: Path) -> bool:
    return amtool(["check-config", str(path)])[0] == 0


def amtool_routes(path: Path, value: str) -> str:
    rc, out = amtool(
        ["config", "routes", "test", f"--config.file={path}", f'v="{escape_value(value)}"']
    )
    assert rc == 0
    return out.strip()


@pytest.mark.skipif(AMTOOL is None, reason="amtool (Alertmanager 0.25) not installed")
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    batch=st.lists(maybe_broken, min_size=8, max_size=8),
    texts=st.lists(values, min_size=6, max_size=6, unique=True),
)
def test_random_regexes_route_as_amtool(
    batch: list[str], texts: list[str], tmp_path_factory
) -> None:
    """Same refusals, and the same receivers for every value, as amtool 0.25."""
    folder = tmp_path_factory.mktemp("rx")
    single = []
    for i, rx in enumerate(batch):
        path = folder / f"one{i}.yml"
        path.write_text(config_for([rx]), encoding="utf-8")
        single.append(path)
    with ThreadPoolExecutor(max_workers=4) as pool:
        theirs = list(pool.map(amtool_accepts, single))
    ours = [not check_alertmanager_config(p) for p in single]
    assert list(zip(batch, ours, strict=True)) == list(zip(batch, theirs, strict=True))

    valid = [rx for rx, ok in zip(batch, theirs, strict=True) if ok]
    if not valid:
        return
    path = folder / "all.yml"
    path.write_text(config_for(valid), encoding="utf-8")
    route = load_alertmanager_config(path).route
    with ThreadPoolExecutor(max_workers=4) as pool:
        their_routes = list(pool.map(lambda v: amtool_routes(path, v), texts))
    our_routes = [",".join(route.receivers({"v": v})) for v in texts]
    names = {f"r{i}": rx for i, rx in enumerate(valid)}
    assert [(v, o) for v, o in zip(texts, our_routes, strict=True)] == [
        (v, t) for v, t in zip(texts, their_routes, strict=True)
    ], names
