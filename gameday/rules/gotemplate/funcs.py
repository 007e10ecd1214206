"""The function map: Go's builtin template functions plus Prometheus' own.

Each entry declares its Go parameter types ("string", "float64", "any", "sample",
"queryResult"), which the executor checks the way Go's reflection does. A function
returning a Go error raises :class:`GoError`; the executor reports it as
``error calling NAME: MESSAGE``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from gameday.rules.gotemplate.gofmt import sprint, sprintf, sprintln
from gameday.rules.gotemplate.values import GoHTML, IfaceMap, SamplePtr, is_true, type_name


class GoError(Exception):
    """A Go function returned a non-nil error (or panicked) with this message."""


@dataclass
class Context:
    """What Prometheus' functions close over: the query function and the external URL."""

    query: Callable[[str], list[Any]] | None = None
    external_url: str = ""


@dataclass(frozen=True)
class Func:
    """A template function: ``fn(ctx, *args)`` plus its Go signature."""

    fn: Callable[..., Any]
    params: tuple[str, ...] = ()
    variadic: str | None = None
    builtin: bool = False


def _eval_args(args: tuple[Any, ...]) -> str:
    if len(args) == 1 and type(args[0]) is str:
        return args[0]
    return sprint(list(args))


def html_escape(s: str) -> str:
    """Go's ``template.HTMLEscapeString``."""
    table = {"\0": "\ufffd", '"': "&#34;", "'": "&#39;", "&": "&amp;", "<": "&lt;", ">": "&gt;"}
    return "".join(table.get(c, c) for c in s)


def js_escape(s: str) -> str:
    """Go's ``template.JSEscapeString``."""
    table = {"\\": "\\\\", "'": "\\'", '"': '\\"', "<": "\\u003C", ">": "\\u003E"}
    table |= {"&": "\\u0026", "=": "\\u003D"}
    out = []
    for c in s:
        if c in table:
            out.append(table[c])
        elif ord(c) < 0x20:
            out.append(f"\\u00{ord(c):02X}")
        elif ord(c) >= 0x80 and not c.isprintable():
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return "".join(out)


def query_escape(s: str) -> str:
    """Go's ``url.QueryEscape``."""
    return quote_plus(s, safe="-_.~")


def _basic_kind(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, complex):
        return "complex"
    if isinstance(v, str):
        return "string"
    return "invalid"


def _eq(_ctx: Context, a: Any, *rest: Any) -> bool:
    if not rest:
        raise GoError("missing argument for comparison")
    k1 = _basic_kind(a)
    for b in rest:
        k2 = _basic_kind(b)
        if k1 != k2:
            if a is not None and b is not None:
                raise GoError("incompatible types for comparison")
            truth = False
        elif k1 == "invalid":
            if a is None or b is None:
                truth = a is None and b is None
            elif isinstance(a, dict | list) or isinstance(b, dict | list):
                raise GoError(f"non-comparable type {sprint([b])}: {type_name(b)}")
            else:
                truth = a is b or a == b
        else:
            truth = str.__eq__(a, b) if k1 == "string" else a == b
        if truth:
            return True
    return False


def _lt(_ctx: Context, a: Any, b: Any) -> bool:
    k1, k2 = _basic_kind(a), _basic_kind(b)
    if k1 == "invalid" or k2 == "invalid":
        raise GoError("invalid type for comparison")
    if k1 != k2:
        raise GoError("incompatible types for comparison")
    if k1 in ("bool", "complex"):
        raise GoError("invalid type for comparison")
    if k1 == "string":
        return str(a).encode() < str(b).encode()
    return bool(a < b)


def _le(ctx: Context, a: Any, b: Any) -> bool:
    return _lt(ctx, a, b) or _eq(ctx, a, b)


def _index(_ctx: Context, item: Any, *indexes: Any) -> Any:
    if item is None:
        raise GoError("index of untyped nil")
    for index in indexes:
        if isinstance(item, dict):
            if type(index) is not str:
                if index is None:
                    raise GoError("value is nil; should be of type string")
                raise GoError(f"value has type {type_name(index)}; should be string")
            item = item.get(index, None if isinstance(item, IfaceMap) else "")
        elif isinstance(item, list | str):
            if index is None:
                raise GoError("cannot index slice/array with nil")
            if type(index) is not int:
                raise GoError(f"cannot index slice/array with type {type_name(index)}")
            seq = item.encode() if isinstance(item, str) else item
            if index < 0 or index > len(seq):
                raise GoError(f"index out of range: {index}")
            if index == len(seq):
                what = "string" if isinstance(item, str) else "slice"
                raise GoError(f"reflect: {what} index out of range")
            item = seq[index]
        else:
            raise GoError(f"can't index item of type {type_name(item).lstrip('*')}")
    return item


def _slice(_ctx: Context, item: Any, *indexes: Any) -> Any:
    if item is None:
        raise GoError("slice of untyped nil")
    if len(indexes) > 3:
        raise GoError(f"too many slice indexes: {len(indexes)}")
    if not isinstance(item, list | str):
        raise GoError(f"can't slice item of type {type_name(item)}")
    if isinstance(item, str) and len(indexes) == 3:
        raise GoError("cannot 3-index slice a string")
    seq = item.encode() if isinstance(item, str) else item
    idx = [0, len(seq)]
    for i, x in enumerate(indexes[:2]):
        if type(x) is not int:
            raise GoError(f"cannot index slice/array with type {type_name(x)}")
        if x < 0 or x > len(seq):
            raise GoError(f"index out of range: {x}")
        idx[i] = x
    if idx[0] > idx[1]:
        raise GoError(f"invalid slice index: {idx[0]} > {idx[1]}")
    part = seq[idx[0] : idx[1]]
    return part.decode(errors="replace") if isinstance(part, bytes) else type(item)(part)


def _len(_ctx: Context, item: Any) -> int:
    if item is None:
        raise GoError("reflect: call of reflect.Value.Type on zero Value")
    if isinstance(item, str):
        return len(item.encode())
    if isinstance(item, dict | list):
        return len(item)
    name = type_name(item)
    raise GoError(f"len of type {name[1:] if isinstance(item, SamplePtr) else name}")


def _not_callable(_ctx: Context, fn: Any, *_args: Any) -> Any:
    if fn is None:
        raise GoError("call of nil")
    raise GoError(f"non-function of type {type_name(fn)}")


BUILTINS: dict[str, Func] = {
    "and": Func(lambda ctx, *a: a[-1], ("any",), "any", builtin=True),
    "or": Func(lambda ctx, *a: a[-1], ("any",), "any", builtin=True),
    "not": Func(lambda ctx, a: not is_true(a), ("any",), builtin=True),
    "call": Func(_not_callable, ("any",), "any", builtin=True),
    "html": Func(lambda ctx, *a: html_escape(_eval_args(a)), (), "any", builtin=True),
    "js": Func(lambda ctx, *a: js_escape(_eval_args(a)), (), "any", builtin=True),
    "urlquery": Func(lambda ctx, *a: query_escape(_eval_args(a)), (), "any", builtin=True),
    "index": Func(_index, ("any",), "any", builtin=True),
    "slice": Func(_slice, ("any",), "any", builtin=True),
    "len": Func(_len, ("any",), builtin=True),
    "print": Func(lambda ctx, *a: sprint(list(a)), (), "any", builtin=True),
    "printf": Func(lambda ctx, f, *a: sprintf(f, list(a)), ("string",), "any", builtin=True),
    "println": Func(lambda ctx, *a: sprintln(list(a)), (), "any", builtin=True),
    "eq": Func(_eq, ("any",), "any", builtin=True),
    "ne": Func(lambda ctx, a, b: not _eq(ctx, a, b), ("any", "any"), builtin=True),
    "lt": Func(_lt, ("any", "any"), builtin=True),
    "le": Func(_le, ("any", "any"), builtin=True),
    "gt": Func(lambda ctx, a, b: not _le(ctx, a, b), ("any", "any"), builtin=True),
    "ge": Func(lambda ctx, a, b: not _lt(ctx, a, b), ("any", "any"), builtin=True),
}


def _register() -> dict[str, Func]:
    from gameday.rules.gotemplate.promfuncs import PROMETHEUS_FUNCS

    return BUILTINS | PROMETHEUS_FUNCS


FUNCS: dict[str, Func] = _register()

__all__ = ["FUNCS", "Context", "Func", "GoError", "GoHTML", "html_escape", "js_escape"]
