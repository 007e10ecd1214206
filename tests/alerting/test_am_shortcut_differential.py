"""Routes whose regexes take a shortcut (sets, prefixes, suffixes, ``(?i)``) route as amtool does.

The shortcuts decide matchers without RE2, and :meth:`Route.match` tries a route's
children in one loop; this config uses every shape under ``=~`` and ``!~``, nested
routes and ``continue``, and values chosen to sit on each shape's edges (newlines,
the Kelvin sign, escaped dots, empty values).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gameday.alerting import load_alertmanager_config

from .conftest import AMTOOL
from .test_am_differential import amtool_receivers

CONFIG = r"""route:
  receiver: root
  routes:
    - receiver: set
      matchers: ['svc=~"api|web|"', 'env!~"prod-.*"']
      continue: true
    - receiver: prefix
      matchers: ['host=~"10\\.0\\..+"']
      routes:
        - receiver: prefix-suffix
          matchers: ['svc=~".*-canary"']
        - receiver: prefix-contains
          matchers: ['svc!~".*eu.*"', 'env=~".+"']
          continue: true
        - receiver: prefix-fold
          matchers: ['sev=~"(?i)kelvin|page"']
    - receiver: fold
      matchers: ['sev=~"(?i)crit|warn.*"', 'svc!~""']
      continue: true
    - receiver: dots
      matchers: ['env=~".*"', 'host!~".+"']
"""
VALUES = ["", "api", "web", "api-canary", "eu", "api-eu-1", "prod-eu", "prod-", "prod-\nx",
          "10.0.1.2", "10.0.", "10x0.1", "10.0.1\n", "crit", "CRIT", "warning", "warn\n",
          "\u212aelvin", "KELVIN", "page", "Page", "x\ny", "ä", "\u017f"]  # fmt: skip
NAMES = ["svc", "env", "host", "sev"]


@pytest.mark.skipif(AMTOOL is None, reason="amtool (Alertmanager 0.25) not installed")
@settings(
    max_examples=6, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(batch=st.lists(st.dictionaries(st.sampled_from(NAMES), st.sampled_from(VALUES)),
                      min_size=10, max_size=10))  # fmt: skip
def test_shortcut_routes_agree_with_amtool(tmp_path_factory: pytest.TempPathFactory,
                                           batch: list[dict[str, str]]) -> None:  # fmt: skip
    """Same receivers, in the same order, as ``amtool config routes test``."""
    path = Path(tmp_path_factory.mktemp("am")) / "alertmanager.yml"
    path.write_text(CONFIG + "receivers:\n" + "".join(
        f"  - name: {r}\n" for r in ["root", "set", "prefix", "prefix-suffix", "prefix-contains",
                                     "prefix-fold", "fold", "dots"]))  # fmt: skip
    route = load_alertmanager_config(path).route
    with ThreadPoolExecutor(max_workers=4) as pool:
        theirs = list(pool.map(lambda labels: amtool_receivers(path, labels), batch))
    ours = [route.receivers(labels) for labels in batch]
    assert list(zip(batch, ours, strict=True)) == list(zip(batch, theirs, strict=True))
