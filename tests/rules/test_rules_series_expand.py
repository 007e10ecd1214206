"""Expanding series values notation: each item's run of values is Go's one-by-one
addition, with or without ``_`` gaps, a ``limit`` or ``first_only`` (a zero interval,
where only the first value counts); runs repeated
through a month (``0+100x359`` 120 times) are made once and reused, and reusing never
mixes up items whose numbers compare equal but differ in bits (``-0``/``0``, NaN/stale)."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from gameday.rules.series_notation import expand_values
from gameday.tsdb import STALE_NAN

_ITEM = re.compile(
    r"(?P<start>stale|-?[0-9.e]+|NaN)(?:(?P<op>[+-])(?P<inc>[0-9.e]+))?(?:x(?P<times>\d+))?"
)


def _one_by_one(text: str, limit: int | None, first_only: bool) -> list[tuple[int, bytes]]:
    """The reference: every value added one at a time, as Prometheus' lexer expands."""
    out: list[tuple[int, bytes]] = []
    pos = 0
    for tok in text.split():
        if tok.startswith("_"):
            pos += int(tok[2:]) if "x" in tok else 1
            continue
        m = _ITEM.fullmatch(tok)
        assert m is not None, tok
        n = int(m["times"]) + 1 if m["times"] else 1
        start = STALE_NAN if m["start"] == "stale" else float(m["start"])
        inc = 0.0 if m["op"] is None else float(m["inc"]) * (1 if m["op"] == "+" else -1)
        value = start
        for i in range(n):
            if limit is not None and pos >= limit:
                return out
            if i and m["op"]:
                value = value + inc
            out.append((pos, np.float64(value).tobytes()))
            pos += 1
            if first_only:
                return out
    return out


_ITEMS = st.sampled_from(
    ["0", "-0", "1.5", "NaN", "stale", "0+100", "-0+0", "5-0", "3+0.05", "9-2", "1e308+1e308"]
)


@given(
    st.lists(st.tuples(_ITEMS, st.integers(0, 40), st.booleans()), min_size=1, max_size=30),
    st.one_of(st.none(), st.integers(0, 400)),
    st.booleans(),
)
@example([("0", 3, False), ("-0", 3, False), ("-0+0", 2, False), ("0+100", 2, False)], None, False)
def test_expansion_equals_go_one_value_at_a_time(
    items: list[tuple[str, int, bool]], limit: int | None, first_only: bool
) -> None:
    words = []
    for item, times, gap in items:
        if gap:
            words.append(f"_x{times}" if times else "_")
        elif "+" in item or "-" in item[1:]:
            words.append(f"{item}x{times}")
        elif item in ("NaN", "stale"):  # a word glued to x is refused, as promtool does
            words.append(item)
        else:
            words.append(f"{item}x{times}" if times else item)
    if first_only:
        limit = None  # a zero interval has no limit (unittest.py never passes both)
    text = " ".join(words * 3)  # repeated items, as a month of daily restarts repeats them
    idx, vals = expand_values(text, limit, first_only)
    got = [(int(i), v.tobytes()) for i, v in zip(idx, vals, strict=True)]
    want = _one_by_one(text, limit, first_only)
    if first_only:  # a zero interval: every sample at time 0, only the value counts
        got, want = [v for _, v in got], [v for _, v in want]
    assert got == want, text
