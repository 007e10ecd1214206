"""The engine stays free of UI and the CLI; of Kubernetes it uses only the model classes."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ENGINE = [
    "gameday.session.session",
    "gameday.world.world",
    "gameday.rules",
    "gameday.alerting",
    "gameday.oncall",
    "gameday.promql",
    "gameday.responders",
    "gameday.runtime",
]
ROOT = Path(__file__).resolve().parents[2] / "gameday"
ENGINE_DIRS = [
    "world",
    "tools",
    "session",
    "promql",
    "rules",
    "alerting",
    "oncall",
    "scoring",
    "runbooks",
]
ENGINE_DIRS += ["responders", "forecast", "shadow"]


def test_engine_imports_no_textual_or_click() -> None:
    """Importing every engine module loads neither textual nor click."""
    code = (
        "import importlib, sys\n"
        f"for m in {ENGINE!r}:\n"
        "    importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'click'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def kubernetes_imports() -> dict[str, set[str]]:
    """Every ``kubernetes`` module the engine's source imports, by file."""
    found: dict[str, set[str]] = {}
    for folder in ENGINE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names: list[str] = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [f"{node.module}.{a.name}" for a in node.names]
                for name in names:
                    if name.split(".")[0] == "kubernetes":
                        found.setdefault(str(path.relative_to(ROOT)), set()).add(name)
    return found


def test_engine_imports_only_the_kubernetes_models() -> None:
    """The engine's own imports of kubernetes name kubernetes.client.models and nothing
    else (no API client, config, stream or watch)."""
    found = kubernetes_imports()
    assert found, "the cluster is expected to use the kubernetes model classes"
    for path, names in found.items():
        assert names == {"kubernetes.client.models"}, (path, names)


def test_cli_caps_openblas_threads_before_numpy_loads() -> None:
    """The command's entry module loads no numpy and sets OPENBLAS_NUM_THREADS=1 for the
    numpy a subcommand loads later; a value the user set is kept."""
    code = (
        "import os, sys\n"
        "import gameday.cli.main\n"
        "print('numpy' in sys.modules, os.environ.get('OPENBLAS_NUM_THREADS'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.split() == ["False", "1"]
    env["OPENBLAS_NUM_THREADS"] = "3"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.split() == ["False", "3"]
    env["OPENBLAS_NUM_THREADS"] = ""  # empty: OpenBLAS reads it as unset
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.split() == ["False", "1"]
