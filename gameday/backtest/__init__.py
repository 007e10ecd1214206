"""Backtests: a team's rules, routing and on-call run over metrics it really recorded.

Raw samples come from an OpenMetrics file (:mod:`gameday.openmetrics`, the format
``promtool tsdb create-blocks-from openmetrics`` reads) or a running Prometheus
(:mod:`.prometheus_api`); the rule groups are evaluated at their intervals as Prometheus
would have (:mod:`.evaluate`); the alerts go through the Alertmanager model and the
pager (:mod:`.notify`); :mod:`.summary` turns it all into figures, text and JSON.
"""
