"""blackbox_exporter probes: a pod serving an expired certificate fails the TLS probes
that reach it and exposes no certificate; once it is replaced every probe succeeds."""

from __future__ import annotations

from gameday.scenario import load_scenario
from gameday.session.session import Session, Setup
from gameday.tsdb import is_stale

TARGET = "inventory.shop.svc:8443"


def _series(session: Session, name: str, instance: str = TARGET) -> list[tuple[int, float]]:
    key = (("__name__", name), ("instance", instance), ("job", "blackbox"))
    found = session.tsdb.series(key)
    assert found is not None, name
    return [(int(t), float(v)) for t, v in zip(found.t, found.v, strict=True)]


def test_an_expired_certificate_fails_the_probes_that_reach_its_pod() -> None:
    scenario = load_scenario("tls-cert-expired").scenario
    session = Session(scenario, 1, Setup())
    session.advance_to(900)
    onset_ms = next(int(e.t * 1000) for e in session.events if e.kind == "fault.start")
    success = _series(session, "probe_success")
    before = [v for t, v in success if t < onset_ms]
    after = [v for t, v in success if t >= onset_ms]
    assert before and set(before) == {1.0}
    assert after.count(0.0) and abs(after.count(0.0) / len(after) - 1 / 3) < 0.1
    expiry = dict(_series(session, "probe_ssl_earliest_cert_expiry"))
    for t, v in success:
        if v == 0.0:  # the handshake failed: no certificate series at that scrape
            assert t not in expiry or is_stale(expiry[t])
    start = scenario.start_time.timestamp()
    assert all(is_stale(v) or v > start + 80 * 86400 for v in expiry.values())
    session.perform("kubectl rollout restart deployment/inventory -n shop", actor="spec")
    session.advance_to(1500)
    late = [v for t, v in _series(session, "probe_success") if t >= 1300_000]
    assert late and set(late) == {1.0}


def test_an_outside_target_always_answers_and_resolves_afresh() -> None:
    session = Session(load_scenario("dns-stale-cache").scenario, 1, Setup())
    session.advance_to(900)
    url = "https://api.fraudscore.example/v2/health"
    assert {v for _, v in _series(session, "probe_success", url)} == {1.0}
    assert {v for _, v in _series(session, "probe_http_status_code", url)} == {200.0}
    lookups = [v for _, v in _series(session, "probe_dns_lookup_time_seconds", url)]
    assert all(0.001 < v < 0.01 for v in lookups)
    rrs = _series(session, "probe_dns_answer_rrs", "api.fraudscore.example")
    assert {v for _, v in rrs} == {2.0}


def test_a_certificate_near_its_end_raises_the_expiry_rule(capsys, tmp_path) -> None:
    """``probe_ssl_earliest_cert_expiry - time() < 7d``: the probe exposes Unix seconds and
    the rules evaluate at the scenario's wall clock, so a 3-day certificate fires the
    bundled rule through ``gameday drill`` (with sim-time ``time()`` it never could). While
    the stale pod fails a probe in three the series goes stale and ``for: 10m`` starts
    over; after the expert's restart it holds."""
    import json
    import shutil

    from tests.clirun import run_gameday
    from tests.conftest import SCENARIOS

    folder = tmp_path / "tls-short"
    shutil.copytree(SCENARIOS / "tls-cert-expired", folder)
    doc = folder / "scenario.yaml"
    probe = "module: tcp_tls, service: inventory}"
    assert probe in doc.read_text()
    doc.write_text(
        doc.read_text().replace(probe, "module: tcp_tls, service: inventory, cert_days: 3}")
    )
    code, _, err = run_gameday(
        capsys, "drill", str(folder), "--responder", "expert", "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert code in (0, 1), err
    (run,) = (tmp_path / "out").iterdir()
    firing = {
        e["data"]["alertname"]
        for e in map(json.loads, (run / "journal.jsonl").read_text().splitlines())
        if e["kind"] == "alert.firing"
    }
    assert "TLSCertificateExpiringSoon" in firing
    # the bundled 90-day certificate stays quiet: the scenario's goldens do not change
    code, _, err = run_gameday(
        capsys, "drill", "tls-cert-expired", "--responder", "expert",
        "--out", str(tmp_path / "bundled"),
    )  # fmt: skip
    assert code == 0, err
    (run,) = (tmp_path / "bundled").iterdir()
    assert "TLSCertificateExpiringSoon" not in (run / "journal.jsonl").read_text()
