"""blackbox_exporter probes (v0.24): what Prometheus scrapes from ``/probe?target=...``.

Every probe exposes ``probe_success``, ``probe_duration_seconds`` and
``probe_dns_lookup_time_seconds``. ``tcp_tls`` and ``http_2xx`` against an ``https://``
target add ``probe_ssl_earliest_cert_expiry`` (the served certificate's notAfter, in
Unix seconds) and ``probe_tls_version_info{version}``, but only when the handshake
succeeds: a certificate that fails verification (expired) makes the probe fail and
those series go missing, as with the real exporter. ``http_2xx`` adds
``probe_http_status_code``; ``dns_udp`` adds ``probe_dns_answer_rrs``. Labels are
``job="blackbox"`` and ``instance`` = the target, as the usual relabelling sets them.

A probe of a service's pods reaches one serving pod per scrape, in turn (a Service
spreads connections); a pod that still holds a stale TLS certificate
(``stale_state`` with ``what: tls``) fails the probes that reach it from the onset.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from gameday.scenario.components import Probe

Labels = tuple[tuple[str, str], ...]
DAY = 86400.0


class Prober:
    """The probes of one world, their label sets built once."""

    def __init__(self, world: Any, probes: list[Probe], labels: Callable[..., Labels]) -> None:
        self.world = world
        self.probes = probes
        self.lab = labels
        self.start = world.scenario.start_time.timestamp()
        self._parts: dict[tuple[int, str], Labels] = {}

    def _key(self, i: int, name: str, *extra: str) -> Labels:
        found = self._parts.get((i, name + ":".join(extra)))
        if found is None:
            target = self.probes[i].target
            found = self.lab("__name__", name, *extra, "instance", target, "job", "blackbox")
            self._parts[(i, name + ":".join(extra))] = found
        return found

    def collect(self, labels: list[Labels], values: list[float]) -> None:
        """Run every probe once; append what each exposes."""
        turn = int(self.world.now // max(self.world.scenario.scrape_interval, 1.0))
        for i, probe in enumerate(self.probes):
            rand = random.Random(f"{self.world.seed}:probe:{i}:{turn}").random  # read-only
            ok, expiry = self._answer(probe, turn)
            dns = 0.0 if probe.target[0].isdigit() else 0.0015 + 0.004 * rand()
            tls = probe.module == "tcp_tls" or probe.target.startswith("https://")
            duration = dns + (0.012 if tls else 0.004) + 0.01 * rand()
            labels += (self._key(i, "probe_success"), self._key(i, "probe_duration_seconds"))
            values += (1 if ok else 0, round(duration, 6))
            labels.append(self._key(i, "probe_dns_lookup_time_seconds"))
            values.append(round(dns, 6))
            if probe.module == "http_2xx":
                labels.append(self._key(i, "probe_http_status_code"))
                values.append(200 if ok else 0)
            if probe.module == "dns_udp":
                labels.append(self._key(i, "probe_dns_answer_rrs"))
                values.append(2)
            if tls and ok:
                labels.append(self._key(i, "probe_ssl_earliest_cert_expiry"))
                values.append(expiry)
                labels.append(self._key(i, "probe_tls_version_info", "version", "TLS 1.3"))
                values.append(1)

    def _answer(self, probe: Probe, turn: int) -> tuple[bool, float]:
        """Whether this scrape's probe succeeds, and the certificate it was served."""
        world = self.world
        fresh = self.start + probe.cert_days * DAY - DAY  # renewed a day before the start
        if probe.service is None or probe.service not in world.services:
            return True, fresh
        pods = world.serving_pods(probe.service)
        if not pods:
            return False, fresh
        pod = pods[turn % len(pods)]
        for fault in world.faults.values():
            if not fault.active or fault.spec.service != probe.service:
                continue
            if fault.type == "stale_state" and fault.param("what", "dns") == "tls":
                fixed = float(fault.data.get("fixed_at", fault.started_at))
                fresh = self.start + fixed + probe.cert_days * DAY - DAY
                if pod.name in fault.data.get("pods", ()) and world.now >= fixed:
                    return False, self.start + fixed  # the old one expired then
        return True, fresh
