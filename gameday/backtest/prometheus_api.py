"""Read raw samples from a running Prometheus through its HTTP API.

For every distinct selector in the rules, ``GET /api/v1/query`` with the range selector
``SELECTOR[CHUNK]`` at the end of each chunk returns the raw samples of that chunk (a
range-vector result is the stored samples, not an interpolated ``query_range``).
Chunks go forward in time, each appended to the TSDB as it arrives, so a request never
asks for more than ``chunk_ms`` of data and the server's ``query.max-samples`` limit
is met by lowering ``--chunk``. Samples on a chunk boundary (range selectors include both
ends in Prometheus 2.x) are kept once.

Basic auth or a bearer token, a CA bundle and TLS verification (on unless turned off)
are those of ``requests``. Every failure is an :class:`~gameday.errors.InputError`
naming the URL, what went wrong and what to try.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import requests

from gameday.errors import InputError, Problem
from gameday.tsdb import TSDB, Labels, Matcher


def selector_text(matchers: list[Matcher]) -> str:
    """``{__name__="x",job=~"a|b"}`` for a list of label matchers."""

    def quote(v: str) -> str:
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

    return "{" + ",".join(f"{m.name}{m.op}{quote(m.value)}" for m in matchers) + "}"


class PrometheusSource:
    """A Prometheus server to read recorded samples from.

    Args:
        url: the server's base URL (``https://prometheus.example:9090``, a path prefix
            such as ``/prometheus`` allowed).
        user, password: basic auth; token: a bearer token (not both).
        ca_file: CA bundle to verify the server with; verify: False skips verification.
        timeout_s: per request; chunk_ms: how much time one request covers.
        progress: called with (ms of the window fetched, ms in all) after each chunk.
    """

    def __init__(
        self,
        url: str,
        user: str | None = None,
        password: str | None = None,
        token: str | None = None,
        ca_file: str | None = None,
        verify: bool = True,
        timeout_s: float = 30.0,
        chunk_ms: int = 7_200_000,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise InputError(
                Problem(url, message="not an http:// or https:// URL", hint="--prometheus URL")
            )
        if token and (user or password):
            raise InputError(
                Problem(url, message="give basic auth (--user/--password) or a bearer token")
            )
        if password and not user:
            raise InputError(Problem(url, message="--password without --user"))
        if chunk_ms <= 0:
            raise InputError(Problem(url, message="--chunk must be more than 0"))
        self.url = url.rstrip("/")
        self.session = requests.Session()
        if user:
            self.session.auth = (user, password or "")
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        self.verify: bool | str = ca_file if (ca_file and verify) else verify
        self.timeout_s = timeout_s
        self.chunk_ms = chunk_ms
        self.progress = progress
        self.requests = 0

    def _fail(self, message: str, hint: str | None = None) -> InputError:
        return InputError(Problem(self.url, message=message, hint=hint))

    def get(self, path: str, params: dict[str, str]) -> Any:
        """The ``data`` of a successful API answer.

        Raises:
            InputError: unreachable, TLS, auth, HTTP or API errors, each explained.
        """
        self.requests += 1
        try:
            resp = self.session.get(
                self.url + path, params=params, timeout=self.timeout_s, verify=self.verify
            )
        except requests.exceptions.SSLError as exc:
            raise self._fail(
                f"TLS verification failed: {_root(exc)}",
                "give the server's CA with --ca-file, or --insecure-skip-verify",
            ) from None
        except requests.exceptions.Timeout:
            raise self._fail(
                f"no answer within {self.timeout_s:g}s", "raise --timeout or lower --chunk"
            ) from None
        except requests.exceptions.ConnectionError as exc:
            raise self._fail(
                f"cannot connect: {_root(exc)}", "is Prometheus running there?"
            ) from None
        except requests.exceptions.RequestException as exc:
            raise self._fail(f"request failed: {exc}") from None
        if resp.status_code in (401, 403):
            raise self._fail(
                f"{resp.status_code} {resp.reason}: the server refused the credentials",
                "--user/--password or --bearer-token ($GAMEDAY_PROMETHEUS_USER, _PASSWORD, _TOKEN)",
            )
        try:
            body = resp.json()
        except ValueError:
            raise self._fail(
                f"HTTP {resp.status_code} from {path} is not a Prometheus API answer",
                "the URL should be the server's base, like http://host:9090",
            ) from None
        if not isinstance(body, dict) or body.get("status") != "success":
            error = body.get("error") if isinstance(body, dict) else None
            hint = "lower --chunk" if error and "too many samples" in str(error) else None
            raise self._fail(f"HTTP {resp.status_code}: {error or 'unexpected answer'}", hint)
        return body.get("data")

    def load(
        self, db: TSDB, keep: Callable[[Labels], bool], lo: int, hi: int, selectors: list[Any]
    ) -> tuple[int, int]:
        """Store the raw samples in ``[lo, hi]`` of every series the ``selectors`` match
        and ``keep`` keeps; returns (series, samples)."""
        self.get("/api/v1/status/buildinfo", {})
        texts = sorted({selector_text(ms) for ms in selectors})
        last: dict[Labels, int] = {}
        samples = 0
        start = lo
        while start <= hi:
            end = min(hi, start + self.chunk_ms - 1)
            chunk: dict[Labels, tuple[list[int], list[float]]] = {}
            for text in texts:
                data = self.get(
                    "/api/v1/query",
                    {"query": f"{text}[{end - start + 1}ms]", "time": _seconds(end)},
                )
                for item in data.get("result", []) if isinstance(data, dict) else []:
                    labels = tuple(sorted(item["metric"].items()))
                    if labels in chunk or not keep(labels):
                        continue
                    ts: list[int] = []
                    vs: list[float] = []
                    floor = last.get(labels, start - 1)
                    for t, v in item.get("values", []):
                        t_ms = int(round(float(t) * 1000))
                        if floor < t_ms <= end:
                            ts.append(t_ms)
                            vs.append(_value(v))
                    chunk[labels] = (ts, vs)
            for labels, (ts, vs) in sorted(chunk.items()):
                if ts:
                    db.extend(labels, np.asarray(ts, dtype=np.int64), np.asarray(vs))
                    last[labels] = ts[-1]
                    samples += len(ts)
            if self.progress is not None:
                self.progress(end - lo, hi - lo)
            start = end + 1
        return len(last), samples

    def metric_types(self) -> tuple[dict[str, str], str | None]:
        """The metric families' types the server's targets expose, and why there are
        none when there are none (else None).

        ``GET /api/v1/metadata`` (Prometheus 2.15 and later) answers ``{metric: [{type,
        help, unit}, ...]}``, one entry per distinct metadata across the targets that
        expose the metric now: a family whose targets disagree on its type is left out
        (``untyped`` is read as ``unknown``). The metadata come from scrapes, so a server
        that only holds backfilled or remote-written data has none. Nothing here fails:
        an older server (404), an error or an odd answer only means no types.
        """
        try:
            data = self.get("/api/v1/metadata", {})
        except InputError as exc:
            return {}, f"no metric types from {self.url}: {exc.problems[0].message}"
        types: dict[str, str] = {}
        for name, entries in sorted(data.items()) if isinstance(data, dict) else ():
            typ = _one_type(entries)
            if typ is not None:
                types[str(name)] = typ
        if not types:
            why = "its /api/v1/metadata lists none (it has them only for what its targets expose)"
            return {}, f"no metric types from {self.url}: {why}"
        return types, None


def _one_type(entries: Any) -> str | None:
    """The type all of a metric's metadata entries agree on, if they do and it is one."""
    from gameday.metrictypes import TYPES

    if not isinstance(entries, list):
        return None
    found = {e.get("type") for e in entries if isinstance(e, dict)}
    found = {"unknown" if t == "untyped" else t for t in found}
    typ = found.pop() if len(found) == 1 else None
    return typ if isinstance(typ, str) and typ in TYPES else None


def _seconds(ms: int) -> str:
    return f"{ms // 1000}.{ms % 1000:03d}"


def _value(text: str) -> float:
    """Prometheus' JSON sample values: decimal strings, ``NaN``, ``+Inf``, ``-Inf``."""
    value = float(text)
    return value if not math.isnan(value) else math.nan


def _root(exc: BaseException) -> str:
    """The innermost reason of a wrapped urllib3/ssl error, without the noise."""
    while exc.__context__ is not None and exc.__context__ is not exc:
        exc = exc.__context__
    reason = str(exc)
    return reason.split("] ", 1)[-1] if reason.startswith("[") else reason
