"""psql's command-line flags: one table for the simulated psql and for runbook matching."""

from __future__ import annotations

#: short flag -> long name
SHORT = {
    "h": "host",
    "U": "username",
    "d": "dbname",
    "p": "port",
    "c": "command",
    "t": "tuples-only",
    "A": "no-align",
    "x": "expanded",
    "X": "no-psqlrc",
    "q": "quiet",
    "w": "no-password",
    "W": "password",
    "F": "field-separator",
    "P": "pset",
    "v": "set",
    "f": "file",
}
#: long names that take a value
VALUES = {
    "host",
    "username",
    "dbname",
    "port",
    "command",
    "field-separator",
    "pset",
    "set",
    "variable",
    "file",
}
#: long names that take none
BOOLS = {
    "tuples-only",
    "no-align",
    "expanded",
    "no-psqlrc",
    "quiet",
    "no-password",
    "password",
    "csv",
}
#: short flags that take a value
SHORT_VALUE = {short for short, name in SHORT.items() if name in VALUES}


def unbundle(args: list[str]) -> list[str]:
    """Split bundled short flags as getopt does: ``-At`` is ``-A -t``, ``-Atc SQL`` is
    ``-A -t -c SQL`` and ``-dorders`` is ``-d orders`` (a value flag takes the rest)."""
    out: list[str] = []
    for i, arg in enumerate(args):
        if arg == "--":
            return out + args[i:]
        if not arg.startswith("-") or arg.startswith("--") or len(arg) < 3:
            out.append(arg)
            continue
        letters = arg[1:]
        if letters[0] not in SHORT or SHORT[letters[0]] in VALUES:
            out.append(arg)  # -dorders, -c"..." and unknown letters: as they are
            continue
        for j, letter in enumerate(letters):
            if letter not in SHORT:
                out.append("-" + letters[j:])
                break
            out.append("-" + letter)
            if SHORT[letter] in VALUES:
                if letters[j + 1 :]:
                    out.append(letters[j + 1 :])
                break
    return out
