"""Declared metric types: which family a sample belongs to, and what its values are.

A source declares types per metric *family*: an OpenMetrics file with ``# TYPE name
type`` lines, a Prometheus server through ``/api/v1/metadata`` (what its targets
exposed). Samples carry their own names, which are the family's name plus a suffix the
type decides (OpenMetrics 1.0, "Metric types"): a counter ``foo`` has ``foo_total`` and
``foo_created``, a histogram ``foo`` has ``foo_bucket``, ``foo_count``, ``foo_sum`` and
``foo_created``, a summary ``foo`` has ``foo`` (quantiles), ``foo_count``, ``foo_sum`` and
``foo_created``, a gauge histogram ``foo_bucket``, ``foo_gcount`` and ``foo_gsum``, an
info ``foo_info``; a gauge, a state set and an unknown family ``foo`` only ``foo``.

The Prometheus text format 0.0.4 (what most targets still expose, so what Prometheus'
metadata API mostly returns) names a counter family after its sample, ``foo_total``, and
allows a counter without the suffix; :func:`family_of` accepts both.

``types`` maps a declared family name to its type; families with no declaration are
absent. Nothing here reads files or talks to servers.
"""

from __future__ import annotations

from collections.abc import Mapping

COUNTER, GAUGE, HISTOGRAM, GAUGEHISTOGRAM = "counter", "gauge", "histogram", "gaugehistogram"
SUMMARY, INFO, STATESET, UNKNOWN = "summary", "info", "stateset", "unknown"
TYPES = frozenset((COUNTER, GAUGE, HISTOGRAM, GAUGEHISTOGRAM, SUMMARY, INFO, STATESET, UNKNOWN))

# The sample-name suffixes of each type, in the order a MetricPoint lists its samples
# ("" is the family's own name).
SUFFIXES: dict[str, tuple[str, ...]] = {
    COUNTER: ("_total", "_created"),
    GAUGE: ("",),
    HISTOGRAM: ("_bucket", "_count", "_sum", "_created"),
    GAUGEHISTOGRAM: ("_bucket", "_gcount", "_gsum"),
    SUMMARY: ("", "_count", "_sum", "_created"),
    INFO: ("_info",),
    STATESET: ("",),
    UNKNOWN: ("",),
}
_ALL_SUFFIXES = ("_total", "_created", "_bucket", "_count", "_sum", "_gcount", "_gsum", "_info")
# Samples whose values only go up (a rate is what to draw): counters' totals, and the
# count and sum of histograms and summaries.
_COUNTING = {(COUNTER, "_total"), (COUNTER, ""), (HISTOGRAM, "_count"), (HISTOGRAM, "_sum")}
_COUNTING |= {(SUMMARY, "_count"), (SUMMARY, "_sum")}


def family_of(name: str, types: Mapping[str, str]) -> tuple[str, str, str] | None:
    """The declared family a sample named ``name`` belongs to: (family, type, suffix).

    None when no declaration covers it. The family's own name with a type whose samples
    carry it (a gauge ``foo``) comes first, then the family the name's suffix points to
    (``foo_bucket`` of a histogram ``foo``), then a declaration of the very name with
    any type (a 0.0.4 counter ``foo_total`` or ``foo``; its suffix is then "").
    """
    if not types:
        return None
    declared = types.get(name)
    if declared is not None and "" in SUFFIXES.get(declared, ()):
        return name, declared, ""
    for suffix in _ALL_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            family = name[: -len(suffix)]
            typ = types.get(family)
            if typ is not None and suffix in SUFFIXES.get(typ, ()):
                return family, typ, suffix
    if declared is not None:
        return name, declared, ""
    return None


def counts_up(name: str, types: Mapping[str, str]) -> bool | None:
    """Whether the samples named ``name`` are declared to only go up (a counter's total,
    a histogram's or summary's count and sum): True or False, or None when nothing
    declared says (no declaration, or ``unknown``)."""
    found = family_of(name, types)
    if found is None or found[1] == UNKNOWN:
        return None
    return (found[1], found[2]) in _COUNTING


def exposition_name(family: str, typ: str) -> str:
    """The family's name in OpenMetrics text: a counter's without ``_total`` (its sample
    ``foo_total`` belongs to the family ``foo``); any other as given."""
    if typ == COUNTER and family.endswith("_total") and len(family) > len("_total"):
        return family[: -len("_total")]
    return family
