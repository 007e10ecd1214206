"""Render Prometheus alerting-rule label and annotation templates exactly as Prometheus 2.42.

Prometheus prepends variable definitions to every template and executes it with Go's
text/template and ``missingkey=zero``; a failure becomes the annotation text
``<error expanding template: MESSAGE>`` in Prometheus (the rule engine does that; here a
:class:`TemplateError` carries ``MESSAGE`` byte for byte).

To match Prometheus exactly, a rule engine passes the alert sample's own labels
(``__name__`` included, rule labels not), ``name=f"__alert_{rule_name}"``, and renders each
label and annotation value of the rule. Parsed templates and query-free results are cached,
so rendering the same template at every evaluation is cheap.

Example:
    >>> render_template("{{ $labels.job }} at {{ $value | humanize }}",
    ...                 labels={"job": "api"}, value=1234567.0)
    'api at 1.235M'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

from gameday.rules.gotemplate import (
    Context,
    ExecError,
    ParseError,
    TemplateData,
    execute,
    parse_error_message,
)
from gameday.rules.gotemplate.funcs import FUNCS
from gameday.rules.gotemplate.nodes import IdentifierNode, ListNode, Node
from gameday.rules.gotemplate.parser import Parser

#: What Prometheus' rules manager prepends to every label and annotation template.
PREAMBLE = (
    "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}"
    "{{$externalURL := .ExternalURL}}{{$value := .Value}}"
)

DEFAULT_NAME = "__alert_"


_PREAMBLE_VARS = ("$labels", "$externalLabels", "$externalURL", "$value")


@dataclass(frozen=True)
class _Prepared:
    """A parsed template whose preamble actions are replaced by direct variable pushes."""

    full: str
    body: ListNode
    defined: dict[str, ListNode]
    uses_query: bool  # calls the query function somewhere: output depends on the data


@lru_cache(maxsize=4096)
def _prepare(text: str) -> _Prepared | ParseError:
    # Parsing only the rule's text, after the preamble, with the preamble's variables
    # declared, gives the nodes (and offsets) of parsing the whole at a fraction of the cost.
    full = PREAMBLE + text
    parser = Parser(full, FUNCS, start=len(PREAMBLE), variables=("$", *_PREAMBLE_VARS))
    try:
        body = parser.parse()
    except ParseError as err:
        return err
    except RecursionError:
        return ParseError("max expression depth exceeded", 1)
    nodes = [body, *parser.defined.values()]
    return _Prepared(full, body, parser.defined, any(_mentions(x, "query") for x in nodes))


def _mentions(node: Node, ident: str) -> bool:
    """Whether the tree under ``node`` names the function ``ident``."""
    if isinstance(node, IdentifierNode):
        return node.ident == ident
    for f in fields(node):
        value = getattr(node, f.name)
        children = value if isinstance(value, list) else [value]
        if any(isinstance(c, Node) and _mentions(c, ident) for c in children):
            return True
    return False


class TemplateError(Exception):
    """A template failed to parse or execute.

    ``str(err)`` is the message Prometheus' ``Expander.Expand`` returns, e.g.
    ``error executing template __alert_X: template: __alert_X:1:130: executing
    "__alert_X" at <gt $value 0>: error calling gt: incompatible types for comparison``.
    The column counts the prepended :data:`PREAMBLE`, as in Prometheus.
    """


def render_template(
    text: str,
    *,
    labels: Mapping[str, str],
    value: float,
    external_labels: Mapping[str, str] | None = None,
    external_url: str = "",
    query: Callable[[str], list[Any]] | None = None,
    name: str = DEFAULT_NAME,
) -> str:
    """Expand one alert label or annotation template.

    Args:
        text: the template as written in the rule file.
        labels: the alert's labels (``$labels``, ``.Labels``).
        value: the alert's value (``$value``, ``.Value``).
        external_labels: ``$externalLabels``; empty when None.
        external_url: ``$externalURL`` and the ``externalURL``/``pathPrefix`` functions.
        query: runs a PromQL query for the ``query`` function; returns objects with
            ``.labels`` (dict) and ``.value`` (float). Its exceptions become template errors.
        name: the template name in error messages; Prometheus uses ``__alert_<rule name>``.

    Returns:
        The expanded text.

    Raises:
        TemplateError: with Prometheus' message when parsing or execution fails.
    """
    key = None
    prepared = _prepare(text)
    if query is None or not (isinstance(prepared, _Prepared) and prepared.uses_query):
        # Without queries the output depends on the arguments alone.
        ext_key = tuple(external_labels.items()) if external_labels else ()
        vkey = float(value).hex()  # distinguishes -0.0 from 0.0, unlike ==
        key = (text, name, tuple(labels.items()), vkey, ext_key, external_url)
        hit = _RESULTS.get(key)
        if hit is not None:
            if type(hit) is _Failure:
                raise TemplateError(hit.message)
            return hit  # type: ignore[return-value]
    try:
        result = _render(text, labels, value, external_labels, external_url, query, name)
    except TemplateError as err:
        if key is not None:
            _remember(key, _Failure(str(err)))
        raise
    if key is not None:
        _remember(key, result)
    return result


@dataclass(frozen=True, slots=True)
class _Failure:
    message: str


_RESULTS: dict[tuple[Any, ...], str | _Failure] = {}
_RESULTS_MAX = 16384  # rendered texts kept; the cache is emptied when full


def _remember(key: tuple[Any, ...], result: str | _Failure) -> None:
    if len(_RESULTS) >= _RESULTS_MAX:
        _RESULTS.clear()
    _RESULTS[key] = result


def _render(
    text: str,
    labels: Mapping[str, str],
    value: float,
    external_labels: Mapping[str, str] | None,
    external_url: str,
    query: Callable[[str], list[Any]] | None,
    name: str,
) -> str:
    prepared = _prepare(text)
    if isinstance(prepared, ParseError):
        raise TemplateError(f"error parsing template {name}: {parse_error_message(name, prepared)}")
    # Go sees map[string]string: give the executor plain dicts whatever Mapping came in.
    labels = labels if type(labels) is dict else dict(labels)
    ext = external_labels if type(external_labels) is dict else dict(external_labels or {})
    value = float(value)
    data = TemplateData(labels, ext, external_url, value)
    ctx = Context(query=query, external_url=external_url)
    variables = (("$labels", labels), ("$externalLabels", ext), ("$externalURL", external_url))
    try:
        return execute(
            name,
            prepared.full,
            prepared.body,
            prepared.defined,
            data,
            ctx,
            (*variables, ("$value", value)),
        )
    except ExecError as err:
        raise TemplateError(f"error executing template {name}: {err}") from None
    except RecursionError:
        raise TemplateError(f"error executing template {name}: nested too deeply") from None


def check_template(text: str, *, name: str = DEFAULT_NAME) -> str | None:
    """Parse a template (with the preamble) without running it.

    Returns:
        None when it parses, else Go's parse error (``template: NAME:LINE: message``).
    """
    prepared = _prepare(text)
    if isinstance(prepared, ParseError):
        return parse_error_message(name, prepared)
    return None
