"""Binary operators: arithmetic, comparison (with ``bool``) and set operators with
``on``/``ignoring``/``group_left``/``group_right``, step by step as Prometheus 2.42."""

from __future__ import annotations

from typing import Any

import numpy as np

from gameday.promql.errors import EvalError, UnsupportedError
from gameday.promql.evaluator import Evaluator, Row, merge_rows
from gameday.promql.labels import NAME, drop_name, labels_str, lget

ARITH = {"+", "-", "*", "/", "%", "^", "atan2"}
COMPARE = {"==", "!=", ">", "<", ">=", "<="}
SETOPS = {"and", "or", "unless"}


def arith(op: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            return np.true_divide(a, b)
        if op == "%":
            return np.fmod(a, b)
        if op == "^":
            return np.power(a, b)
        if op == "atan2":
            return np.arctan2(a, b)
    raise UnsupportedError(f"unsupported binary operator {op!r}")


def compare(op: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        if op == "==":
            return a == b
        if op == "!=":
            return a != b
        if op == ">":
            return a > b
        if op == "<":
            return a < b
        if op == ">=":
            return a >= b
        if op == "<=":
            return a <= b
    raise UnsupportedError(f"unsupported comparison operator {op!r}")


def signature(ls: tuple, on: bool, names: list[str] | None) -> tuple:
    names = names or []
    if on:
        keep = set(names)
        return tuple(kv for kv in ls if kv[0] in keep)
    drop = set(names) | {NAME}
    return tuple(kv for kv in ls if kv[0] not in drop)


def left_spine(node: Any) -> list[Any]:
    """The binary nodes down a left-deep chain, outermost first (``a + b + c``: 2 nodes).

    Long chains are evaluated along this list, innermost first, so their length costs
    no recursion.
    """
    spine = [node]
    while spine[-1].lhs.kind == "BinaryExpr":
        spine.append(spine[-1].lhs)
    return spine


def binary(ev: Evaluator, node: Any) -> Any:
    """Evaluate a binary node, iterating down its left spine rather than recursing."""
    spine = left_spine(node)
    acc = ev.eval(spine[-1].lhs)
    for n in reversed(spine):
        acc = combine(ev, n, acc, ev.eval(n.rhs))
    return acc


def combine(ev: Evaluator, node: Any, lhs: Any, rhs: Any) -> Any:
    """Apply the operator of ``node`` to its evaluated operands."""
    op = node.op
    card, on, names, include, return_bool = (
        node.card,
        node.on,
        node.names,
        node.include,
        node.return_bool,
    )
    l_scalar = isinstance(lhs, np.ndarray)
    r_scalar = isinstance(rhs, np.ndarray)
    if isinstance(lhs, str) or isinstance(rhs, str):
        raise EvalError("binary operators are not defined on strings")
    if l_scalar and r_scalar:
        if op in COMPARE:
            return compare(op, lhs, rhs).astype(np.float64)
        return arith(op, lhs, rhs)
    if l_scalar or r_scalar:
        return _vector_scalar(
            ev, op, rhs if l_scalar else lhs, lhs if l_scalar else rhs, l_scalar, return_bool
        )
    if op in SETOPS:
        return _set_op(ev, op, lhs, rhs, on, names)
    return _vector_binop(ev, op, lhs, rhs, card, on, names, include, return_bool)


def _vector_scalar(
    ev: Evaluator, op: str, vec: list[Row], sc: np.ndarray, swap: bool, return_bool: bool
) -> list[Row]:
    out = []
    for r in vec:
        lv, rv = (sc, r.v) if swap else (r.v, sc)
        if op in COMPARE:
            keep = compare(op, lv, rv)
            if return_bool:
                value = keep.astype(np.float64)
                mask = r.m
            else:
                value = r.v
                mask = r.m & keep
            labels = drop_name(r.labels) if return_bool else r.labels
        else:
            value = arith(op, lv, rv)
            mask = r.m
            labels = drop_name(r.labels)
        if mask.any():
            out.append(Row(labels, value, mask))
    return merge_rows(out, ev.n)


def _any(rows: list[Row], n: int) -> np.ndarray:
    acc = np.zeros(n, dtype=bool)
    for r in rows:
        acc |= r.m
    return acc


def _set_op(
    ev: Evaluator, op: str, lhs: list[Row], rhs: list[Row], on: bool, names: list[str] | None
) -> list[Row]:
    n = ev.n
    l_any, r_any = _any(lhs, n), _any(rhs, n)
    if op == "or":
        l_sigs: dict[tuple, np.ndarray] = {}
        for r in lhs:
            s = signature(r.labels, on, names)
            l_sigs[s] = l_sigs.get(s, np.zeros(n, dtype=bool)) | r.m
        out = list(lhs)
        for r in rhs:
            covered = l_sigs.get(signature(r.labels, on, names))
            mask = r.m if covered is None else r.m & ~covered
            if mask.any():
                out.append(Row(r.labels, r.v, mask))
        return merge_rows([Row(r.labels, r.v.copy(), r.m.copy()) for r in out], n)
    r_sigs: dict[tuple, np.ndarray] = {}
    for r in rhs:
        s = signature(r.labels, on, names)
        r_sigs[s] = r_sigs.get(s, np.zeros(n, dtype=bool)) | r.m
    out = []
    for r in lhs:
        hit = r_sigs.get(signature(r.labels, on, names))
        if op == "and":
            mask = r.m & hit if hit is not None else np.zeros(n, dtype=bool)
            mask &= r_any
        else:  # unless
            mask = r.m & ~hit if hit is not None else r.m
        if mask.any():
            out.append(Row(r.labels, r.v, mask))
    del l_any
    return out


def _result_labels(
    ls: tuple,
    rs: tuple,
    op: str,
    card: str,
    on: bool,
    names: list[str] | None,
    include: list[str],
) -> tuple:
    d = dict(ls)
    if op in ARITH:
        d.pop(NAME, None)
    if card == "OneToOne":
        if on:
            keep = set(names or [])
            d = {k: v for k, v in d.items() if k in keep}
        else:
            for k in names or []:
                d.pop(k, None)
    for ln in include:
        v = lget(rs, ln)
        if v:
            d[ln] = v
        else:
            d.pop(ln, None)
    return tuple(sorted(d.items()))


def _match_labels(ls: tuple, on: bool, names: list[str] | None) -> tuple:
    ns = set(names or [])
    return tuple(kv for kv in ls if (kv[0] in ns) == on and (on or kv[0] != NAME))


def _first_step(mask: np.ndarray) -> int:
    return int(np.argmax(mask))


def _vector_binop(
    ev: Evaluator,
    op: str,
    lhs: list[Row],
    rhs: list[Row],
    card: str,
    on: bool,
    names: list[str] | None,
    include: list[str],
    return_bool: bool,
) -> list[Row]:
    n = ev.n
    active = _any(lhs, n) & _any(rhs, n)
    if not active.any():
        return []
    swapped = card == "OneToMany"
    if swapped:
        lhs, rhs = rhs, lhs
    # The 'one' side must have unique signatures at every step where both sides have data.
    r_groups: dict[tuple, list[Row]] = {}
    for r in rhs:
        r_groups.setdefault(signature(r.labels, on, names), []).append(r)
    dup_steps = np.zeros(n, dtype=bool)
    for rows in r_groups.values():
        if len(rows) > 1:
            cnt = np.sum([r.m for r in rows], axis=0)
            dup_steps |= (cnt > 1) & active
    l_groups: dict[tuple, list[Row]] = {}
    for r in lhs:
        l_groups.setdefault(signature(r.labels, on, names), []).append(r)
    pairs: list[tuple[tuple, Row, np.ndarray, np.ndarray]] = []
    match_err = np.zeros(n, dtype=bool)
    for sig, lrows in l_groups.items():
        rrows = r_groups.get(sig)
        if not rrows:
            continue
        kept_count = np.zeros(n, dtype=np.int64)
        metric_seen: dict[tuple, np.ndarray] = {}
        for lr in lrows:
            for rr in rrows:
                both = lr.m & rr.m & active
                if not both.any():
                    continue
                vl, vr = (rr.v, lr.v) if swapped else (lr.v, rr.v)
                if op in COMPARE:
                    keep = compare(op, vl, vr)
                    value = keep.astype(np.float64) if return_bool else vl
                    if not return_bool:
                        both = both & keep
                else:
                    value = arith(op, vl, vr)
                metric = _result_labels(lr.labels, rr.labels, op, card, on, names, include)
                if return_bool:
                    metric = drop_name(metric)
                if card == "OneToOne":
                    kept_count += both
                else:
                    prev = metric_seen.get(metric)
                    if prev is not None:
                        match_err |= prev & both
                        metric_seen[metric] = prev | both
                    else:
                        metric_seen[metric] = both
                if both.any():
                    pairs.append((metric, lr, value, both))
        if card == "OneToOne":
            match_err |= kept_count > 1
    if dup_steps.any() or match_err.any():
        first_dup = _first_step(dup_steps) if dup_steps.any() else n
        first_match = _first_step(match_err) if match_err.any() else n
        if first_dup <= first_match:
            step = first_dup
            for rows in r_groups.values():
                present = [r for r in rows if r.m[step]]
                if len(present) > 1:
                    one_side = "left" if swapped else "right"
                    ml = labels_str(_match_labels(present[1].labels, on, names))
                    raise EvalError(
                        f"found duplicate series for the match group {ml} on the {one_side} "
                        f"hand-side of the operation: [{labels_str(present[1].labels)}, "
                        f"{labels_str(present[0].labels)}];many-to-many matching not allowed: "
                        "matching labels must be unique on one side",
                        step,
                    )
        if card == "OneToOne":
            raise EvalError(
                "multiple matches for labels: many-to-one matching must be explicit "
                "(group_left/group_right)",
                first_match,
            )
        raise EvalError(
            "multiple matches for labels: grouping labels must ensure unique matches", first_match
        )
    rows = [
        Row(metric, np.asarray(value, dtype=np.float64), mask) for metric, _, value, mask in pairs
    ]
    return merge_rows(rows, n)
