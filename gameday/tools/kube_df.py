"""``df`` inside a pod (``kubectl exec POD -- df -h``), as GNU coreutils 9.1 prints it.

The container's root (``overlay``) and its log volume (an ``emptyDir`` at
``/var/log/app``) both live on the node's root filesystem, so both show the node disk's
size, use and free space; the rest are the usual tmpfs mounts of a container.
"""

from __future__ import annotations

import math
from typing import Any

from gameday.tools.effects import Outcome
from gameday.tools.parse import ActionError

KIB = 1024
TMPFS_64M = 64 * 2**20


def human(n: float) -> str:
    """``df -h`` sizes: powers of 1024, rounded up, one decimal under 10 (``4.1G``)."""
    if n < KIB:
        return "0" if n <= 0 else f"{int(n)}"
    value, unit = float(n), "K"
    for step in ("K", "M", "G", "T", "P"):
        value, unit = value / KIB, step
        if value < KIB:
            break
    if value < 10:
        shown = math.ceil(value * 10) / 10
        if shown < 10:
            return f"{shown:.1f}{unit}"
        value = shown
    return f"{math.ceil(value)}{unit}"


def df(ctx: Any, pod: Any, args: list[str]) -> Outcome:
    """The mounts of ``pod`` with the node disk's figures; ``-h`` for human sizes."""
    flags = [a for a in args if a.startswith("-")]
    unknown = [f for f in flags if f not in ("-h", "--human-readable", "-k", "-P")]
    if unknown:
        raise ActionError(
            f"df: invalid option -- '{unknown[0].lstrip('-')[:1]}'\n"
            "Try 'df --help' for more information."
        )
    world = ctx.world
    if pod.node is None or not pod.running:
        raise ActionError(
            f'error: unable to upgrade connection: container not found ("{pod.container}")'
        )
    disks = world.disks
    node = world.cluster.nodes[pod.node]
    size = disks.nodes[pod.node].size if disks else 100 * 2**30
    avail = disks.avail(world.cluster, pod.node) if disks else size // 2
    used = size - avail
    memory = node.memory + 1_100_000 * 1024
    mounts = [
        ("overlay", size, used, avail, "/"),
        ("tmpfs", TMPFS_64M, 0, TMPFS_64M, "/dev"),
        ("/dev/nvme0n1p1", size, used, avail, "/var/log/app"),
        ("shm", TMPFS_64M, 0, TMPFS_64M, "/dev/shm"),
        (
            "tmpfs",
            memory // 2,
            12 * KIB,
            memory // 2 - 12 * KIB,
            "/run/secrets/kubernetes.io/serviceaccount",
        ),
        ("tmpfs", memory // 2, 0, memory // 2, "/proc/acpi"),
    ]
    readable = "-h" in flags or "--human-readable" in flags
    head = (
        "Filesystem",
        "Size" if readable else "1K-blocks",
        "Used",
        "Avail" if readable else "Available",
        "Use%",
        "Mounted on",
    )
    rows: list[tuple[str, ...]] = [head]
    for fs, total, in_use, free, where in mounts:
        pct = "-" if total == 0 else f"{math.ceil(in_use * 100 / max(in_use + free, 1))}%"
        cells = (
            (human(total), human(in_use), human(free))
            if readable
            else tuple(str(math.ceil(x / KIB)) for x in (total, in_use, free))
        )
        rows.append((fs, *cells, pct, where))
    least = (14, 5, 5, 5, 4) if readable else (14, 9, 9, 9, 4)  # df.c's field widths
    widths = [max(least[i], *(len(r[i]) for r in rows)) for i in range(5)]
    lines = []
    for r in rows:
        padded = [r[0].ljust(widths[0])] + [r[i].rjust(widths[i]) for i in range(1, 5)]
        lines.append(" ".join([*padded, r[5]]))
    return Outcome(True, "\n".join(lines), "kubectl.exec")
