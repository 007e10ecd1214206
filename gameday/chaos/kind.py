"""``gameday chaos up|down``: a kind cluster with a sample workload, when kind is installed."""

from __future__ import annotations

import shutil
import subprocess

from gameday.errors import UsageError

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


def up(name: str) -> str:
    """Create cluster ``name`` and apply the sample workload; returns the context name."""
    kind = kind_binary()
    subprocess.run([kind, "create", "cluster", "--name", name], check=True)
    subprocess.run(
        ["kubectl", "--context", f"kind-{name}", "apply", "-f", "-"],
        input=SAMPLE,
        text=True,
        check=True,
    )
    return f"kind-{name}"


def down(name: str) -> None:
    """Delete cluster ``name``."""
    subprocess.run([kind_binary(), "delete", "cluster", "--name", name], check=True)
