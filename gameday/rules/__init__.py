"""Prometheus rules: rule files, groups, the alert state machine, promtool unit tests.

Public API:

* :func:`load_rule_files` / :func:`check_rule_files` - read rule files (plain groups or a
  PrometheusRule manifest) with located problems.
* :class:`RuleEngine` - evaluate groups against a TSDB and report alert transitions.
* :func:`run_test_file` - run one promtool-format unit-test file.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "Alert",
    "AlertTransition",
    "Rule",
    "RuleEngine",
    "RuleGroup",
    "check_rule_files",
    "load_rule_files",
    "run_test_file",
]

_LAZY = {
    "Alert": "gameday.rules.engine",
    "AlertTransition": "gameday.rules.engine",
    "RuleEngine": "gameday.rules.engine",
    "Rule": "gameday.rules.model",
    "RuleGroup": "gameday.rules.model",
    "check_rule_files": "gameday.rules.loader",
    "load_rule_files": "gameday.rules.loader",
    "run_test_file": "gameday.rules.unittest",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(module), name)
