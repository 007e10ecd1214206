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
