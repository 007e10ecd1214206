"""The real promtool, the oracle of rule tests: where it is, and one ``test rules`` run."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

PROMTOOL = shutil.which("promtool")


def promtool_test_rules(
    cwd: Path, *files: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``promtool test rules FILES`` in ``cwd``, its output captured (callers skip the test
    when :data:`PROMTOOL` is None)."""
    assert PROMTOOL is not None
    return subprocess.run(
        [PROMTOOL, "test", "rules", *files],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
