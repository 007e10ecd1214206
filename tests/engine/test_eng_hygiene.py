"""The engine stays free of UI, Kubernetes and the CLI."""

from __future__ import annotations

import subprocess
import sys

ENGINE = [
    "gameday.engine.session",
    "gameday.engine.world",
    "gameday.rules",
    "gameday.alerting",
    "gameday.oncall",
    "gameday.promql",
    "gameday.responders",
    "gameday.runtime",
]


def test_engine_imports_no_textual_kubernetes_or_click() -> None:
    """Importing every engine module loads none of textual, kubernetes, click."""
    code = (
        "import importlib, sys\n"
        f"for m in {ENGINE!r}:\n"
        "    importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'kubernetes', 'click'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
