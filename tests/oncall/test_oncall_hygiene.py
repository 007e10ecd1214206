"""The on-call model stays engine-side: no UI, no Kubernetes, no CLI."""

from __future__ import annotations

import subprocess
import sys


def test_oncall_imports_no_ui_kubernetes_or_cli():
    """Importing gameday.oncall pulls in none of textual, kubernetes, click, gameday.cli."""
    code = (
        "import sys, gameday.oncall\n"
        "bad = [m for m in ('textual', 'kubernetes', 'click', 'gameday.cli') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
