"""No input, however odd, makes the loader fail with anything but located problems."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gameday.alerting import parse_alertmanager_config
from gameday.alerting.schema import CONFIG, INTEGRATIONS, ROUTE
from gameday.errors import InputError

KEYS = sorted({*CONFIG, *ROUTE, *INTEGRATIONS, "name", "url", "matchers", "x", "times"})
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.sampled_from(["", "a", "30s", "http://h/", "a=b", "...", "(", "monday", "09:00"]),
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(doc=documents)
def test_any_document_gives_a_config_or_located_problems(doc: object) -> None:
    """Either it loads, or every problem names the file (and a line when one exists)."""
    text = yaml.safe_dump(doc)
    try:
        parse_alertmanager_config(text, "am.yml")
    except InputError as exc:
        assert exc.problems
        assert all(p.path == "am.yml" for p in exc.problems)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(route=documents, receivers=documents)
def test_odd_routes_and_receivers(route: object, receivers: object) -> None:
    """The same inside a plausible skeleton, where the odd values go deeper."""
    text = yaml.safe_dump({"route": route, "receivers": receivers})
    try:
        parse_alertmanager_config(text, "am.yml")
    except InputError as exc:
        assert exc.problems
