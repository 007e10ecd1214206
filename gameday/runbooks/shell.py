"""Getting commands out of the code blocks of a runbook, the way a person copies them.

One command per line; ``$ `` and ``# `` prompts stripped; comment lines and trailing
comments dropped; ``\\`` continuations and lines inside an open quote joined. In a
console transcript (some lines start with ``$ ``) only the prompted lines are commands,
the rest is output.
"""

from __future__ import annotations

import re

#: First words that make inline code in a step a command rather than a name.
TOOLS = frozenset(
    {
        "kubectl",
        "psql",
        "helm",
        "curl",
        "amtool",
        "promtool",
        "pg_isready",
        "systemctl",
        "journalctl",
        "docker",
        "aws",
        "gcloud",
        "az",
        "redis-cli",
        "mysql",
        "dig",
        "nslookup",
        "ack",
        "sev",
        "assign",
        "status",
        "escalate",
        "resolve",
        "silence",
        "gameday",
        "top",
        "ps",
        "kill",
        "ssh",
        "grep",
        "tail",
        "cat",
        "watch",
    }
)
_PROMPT = re.compile(r"^(?:\$|[\w@.-]+[$#%>])\s+")
_SQL_SPLIT = re.compile(r";\s*(?:\n|$)")


def looks_like_command(code: str) -> bool:
    """True if inline code such as ``kubectl get pods`` is a command to run."""
    words = code.strip().split()
    return len(words) >= 2 and words[0] in TOOLS


def strip_comment(line: str) -> str:
    """Drop a trailing ``# comment`` that is outside quotes."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip()
    return line.rstrip()


def _open_quote(text: str) -> bool:
    quote = ""
    escaped = False
    for ch in text:
        if escaped:
            escaped = False
        elif ch == "\\" and quote != "'":
            escaped = True
        elif quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
    return bool(quote)


def commands_from_code(content: str) -> list[tuple[str, int]]:
    """Commands in a shell code block, each with the 0-based index of its first line."""
    lines = content.splitlines()
    prompted = any(_PROMPT.match(ln.strip()) and ln.strip().startswith("$") for ln in lines)
    out: list[tuple[str, int]] = []
    current, start = "", 0
    for idx, raw in enumerate(lines):
        line = raw.strip()
        if current:
            joined = current + ("\n" if _open_quote(current) else " ") + line
            current = joined
        else:
            if prompted and not line.startswith("$"):
                continue
            line = _PROMPT.sub("", line, count=1) if prompted else line
            if not line or line.startswith("#"):
                continue
            current, start = line, idx
        if _open_quote(current):
            continue
        if current.endswith("\\"):
            current = current[:-1].rstrip()
            continue
        cmd = strip_comment(current)
        if cmd:
            out.append((" ".join(cmd.split()), start))
        current = ""
    if current.strip():
        out.append((" ".join(strip_comment(current.rstrip("\\")).split()), start))
    return out


def sql_commands(content: str) -> list[str]:
    """An SQL block as ``psql -c "..."`` commands, one per statement."""
    body = "\n".join(ln for ln in content.splitlines() if not ln.strip().startswith("--"))
    stmts = [" ".join(s.split()) for s in _SQL_SPLIT.split(body)]
    return ['psql -c "' + s.replace('"', '\\"') + '"' for s in stmts if s]
