"""``gameday chaos up|down``: a kind cluster with a sample workload, when kind is installed."""

from __future__ import annotations

import re
import shutil
import subprocess

from gameday.errors import GamedayError, UsageError

INSTALL_HINT = (
    "the kind binary is not installed; install it from your package manager or with "
    "`go install sigs.k8s.io/kind@latest`, then run `gameday chaos up` again"
)

SAMPLE = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {gameday.io/target: "true"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: orders, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: orders}}
  template:
    metadata: {labels: {app: orders}}
    spec:
      containers:
        - name: orders
          image: nginx:1.27-alpine
          resources: {limits: {memory: 128Mi}}
          readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 5}
"""


def kind_binary() -> str:
    path = shutil.which("kind")
    if path is None:
        raise UsageError(INSTALL_HINT)
    return path


_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")  # a DNS label, as kind requires


def _run(argv: list[str], stdin: str | None = None) -> None:
    """Run a tool; its failure is one clear line (exit 1), not a traceback."""
    try:
        subprocess.run(argv, input=stdin, text=True, check=True)
    except subprocess.CalledProcessError as exc:
        raise GamedayError(f"{' '.join(argv[:3])} failed (exit {exc.returncode})") from None
    except OSError as exc:
        raise GamedayError(f"{argv[0]}: {exc.strerror}") from None


def _check_name(name: str) -> str:
    if len(name) > 50 or not _NAME.fullmatch(name):
        raise UsageError(
            f"--name {name!r}: a kind cluster name is lower-case letters, digits and '-' "
            "(at most 50)"
        )
    return name


def up(name: str) -> str:
    """Create cluster ``name`` and apply the sample workload; returns the context name."""
    _check_name(name)
    _run([kind_binary(), "create", "cluster", "--name", name])
    _run(["kubectl", "--context", f"kind-{name}", "apply", "-f", "-"], stdin=SAMPLE)
    return f"kind-{name}"


def down(name: str) -> None:
    """Delete cluster ``name``."""
    _check_name(name)
    _run([kind_binary(), "delete", "cluster", "--name", name])
