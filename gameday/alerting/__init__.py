"""Alertmanager 0.25, modelled: configuration, routing, grouping, inhibition, silences.

The configuration loader agrees with ``amtool check-config``, routing with
``amtool config routes test``, and the SimPy :class:`~gameday.alerting.dispatch.Dispatcher`
with the notification timing of the real dispatcher.
"""

from gameday.alerting.alerts import Alert, Notification
from gameday.alerting.config import (
    AlertmanagerConfig,
    check_alertmanager_config,
    load_alertmanager_config,
    parse_alertmanager_config,
)
from gameday.alerting.dispatch import Dispatcher
from gameday.alerting.matchers import Matcher, MatcherError, parse_matcher, parse_matchers
from gameday.alerting.receivers import Integration, Receiver
from gameday.alerting.routing import Route
from gameday.alerting.silences import Silence, Silences

__all__ = [
    "Alert",
    "AlertmanagerConfig",
    "Dispatcher",
    "Integration",
    "Matcher",
    "MatcherError",
    "Notification",
    "Receiver",
    "Route",
    "Silence",
    "Silences",
    "check_alertmanager_config",
    "load_alertmanager_config",
    "parse_alertmanager_config",
    "parse_matcher",
    "parse_matchers",
]
