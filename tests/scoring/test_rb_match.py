"""Typed commands match runbook commands however the flags are spelled; runbook rot is
reported with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gameday.runbooks import (
    Step,
    check_runbooks,
    commands_match,
    normalise_command,
    parse_runbook,
    runbook_for_alert,
    runbook_for_url,
    step_matches,
)

FIXTURE = Path(__file__).parent / "fixtures" / "orders-pool.md"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("kubectl get pods -n shop", "kubectl get pods --namespace=shop"),
        ("kubectl get pods -n shop", "kubectl get pods --namespace shop"),
        ("kubectl get pods -n shop", "kubectl -n shop get po"),
        ("kubectl logs deploy/orders -n shop", "kubectl logs deployment/orders -n shop"),
        (
            "kubectl scale deployment orders --replicas=6",
            "kubectl scale deploy/orders --replicas 6",
        ),
        ("kubectl get pods -l app=orders", "kubectl get pods --selector=app=orders"),
        ("kubectl get pods -l app=orders", "kubectl get pods --selector app=orders"),
        (
            "kubectl exec -it deploy/db -- psql -c 'select 1'",
            "kubectl exec deploy/db -i -t -- psql -c 'SELECT   1'",
        ),
        ("kubectl logs orders-7f9 -n shop", "kubectl logs pod/orders-7f9 -n shop"),
    ],
)
def test_spellings_normalise_equal(a, b):
    """Flag order and spelling, resource aliases and short forms do not matter."""
    assert normalise_command(a) == normalise_command(b)


@pytest.mark.parametrize(
    "placeholder",
    ["<pod>", "$POD", "${POD}", "{{ pod }}", "{{pod}}", "ORDER_POD"],
)
def test_placeholders_match_any_value(placeholder):
    """Runbook placeholders stand for whatever the responder types there."""
    expected = f"kubectl describe pod {placeholder} -n shop"
    assert commands_match(expected, "kubectl describe pod orders-5d8c-x2 -n shop")
    assert commands_match(expected, "kubectl describe pods orders-5d8c-x2 --namespace shop")


def test_sql_is_case_whitespace_and_number_insensitive():
    """psql -c SQL compares lower-cased, squeezed, with numbers as placeholders."""
    rb = 'psql -h orders-db -c "SELECT pg_terminate_backend(<pid>);"'
    assert commands_match(rb, 'psql -h orders-db -c "select  pg_terminate_backend( 4242 )"')
    assert commands_match('psql -c "SELECT * FROM t LIMIT 10"', 'psql -c "select * from t limit 5"')
    assert not commands_match(rb, 'psql -h orders-db -c "select pg_cancel_backend(4242)"')


@pytest.mark.parametrize(
    ("expected", "typed"),
    [
        ("kubectl get pods -n shop", "kubectl get pods -n prod"),
        ("kubectl get pods -n shop", "kubectl get pods"),
        ("kubectl get pods -n shop", "kubectl describe pods -n shop"),
        ("kubectl rollout undo deployment/orders", "kubectl rollout restart deployment/orders"),
        ("kubectl scale deploy/orders --replicas=6", "kubectl scale deploy/orders --replicas=3"),
        ("kubectl get pods", "kubectl get pods -l app=orders"),
        ("psql -c 'select 1'", "kubectl exec deploy/db -- psql -c 'select 1'"),
    ],
)
def test_different_commands_do_not_match(expected, typed):
    """Namespace, verb, values and selectors matter."""
    assert not commands_match(expected, typed)


@pytest.mark.parametrize(
    "typed",
    [
        "kubectl get pods -n shop",
        "kubectl get pods -A",
        "kubectl get pods --all-namespaces -l app=orders",
        "kubectl get po -n shop -o wide",
    ],
)
def test_a_wider_listing_does_the_step(typed):
    """Listing a kind without the runbook's selector, or in every namespace, shows its pods."""
    assert commands_match("kubectl get pods -n shop -l app=orders", typed)


@pytest.mark.parametrize(
    ("expected", "typed"),
    [
        ("kubectl get pods -n shop -l app=orders", "kubectl get pods -n prod"),
        ("kubectl get pods -n shop -l app=orders", "kubectl get pods -n shop -l app=web"),
        ("kubectl get pod/orders-1 -n shop", "kubectl get pods -n shop"),
        ("kubectl logs -l app=orders -n shop", "kubectl logs -n shop"),
        ("kubectl get deploy -n shop -l app=orders", "kubectl get pods -n shop"),
    ],
)
def test_a_wider_listing_still_needs_the_kind_and_namespace(expected, typed):
    """Only selectors and the namespace (for -A) may be widened, and only for get/top."""
    assert not commands_match(expected, typed)


def test_red_herring_patterns_do_not_catch_wider_listings():
    """A herring pattern with a selector does not mark a broad look around as a herring."""
    herring = "kubectl get pods -l app=payments"
    assert not commands_match(herring, "kubectl get pods -n shop", lenient=True)


def test_output_flags_and_pipes_are_optional():
    """Output shaping (-o, --tail) and filters after a pipe never block a match."""
    assert commands_match(
        "kubectl logs deploy/orders -n shop --tail=100 | grep -i timeout",
        "kubectl logs deploy/orders -n shop",
    )
    assert commands_match("kubectl get pods -n shop", "kubectl get pods -n shop -o wide")


def test_connection_flags_may_be_added():
    """A runbook's bare ``psql -c`` matches a typed command that names the host."""
    assert commands_match('psql -c "select 1"', 'psql -h orders-db -U postgres -c "select 1"')


def test_lenient_allows_extra_flags():
    """Red-herring patterns written without a namespace match commands that have one."""
    herring = "kubectl rollout restart deployment/orders"
    assert not commands_match(herring, "kubectl rollout restart deploy/orders -n shop")
    assert commands_match(herring, "kubectl rollout restart deploy/orders -n shop", lenient=True)


def test_unparsable_command_never_matches():
    """An unclosed quote is no match rather than an exception."""
    assert not commands_match("psql -c 'select 1", "psql -c 'select 1'")
    with pytest.raises(ValueError):
        normalise_command("psql -c 'select 1")


def test_step_matches_any_of_its_commands():
    """A step with two commands is done by either."""
    step = Step(1, "undo", ["kubectl rollout undo deployment/x", "kubectl rollout status deploy/x"])
    assert step_matches(step, "kubectl rollout status deployment/x")
    assert not step_matches(step, "kubectl rollout restart deployment/x")


_FLAGS = ["-n shop", "-l app=orders", "-o wide", "--tail=20", "-c main"]


@given(st.permutations(_FLAGS))
def test_flag_order_never_matters(order):
    """Any permutation of the flags normalises to the same tuple."""
    assert normalise_command("kubectl logs deploy/orders " + " ".join(order)) == normalise_command(
        "kubectl logs deploy/orders " + " ".join(_FLAGS)
    )


def test_alert_links_by_file_slug_and_anchor():
    """Annotation URLs find runbooks by file name, slug, or #anchor."""
    rb = parse_runbook(FIXTURE)
    assert runbook_for_url("https://git.example.com/ops/runbooks/orders-pool.md", [rb]) is rb
    assert runbook_for_url("https://wiki.example.com/runbooks/orders-pool", [rb]) is rb
    assert runbook_for_url("https://wiki.example.com/runbooks#ordersdbpoolexhausted", [rb]) is rb
    assert runbook_for_url("https://wiki.example.com/runbooks/disk-full", [rb]) is None
    assert runbook_for_alert("OrdersDBPoolExhausted", {}, [rb]) is rb
    assert runbook_for_alert("Other", {"runbook": "orders-pool.md"}, [rb]) is rb


def test_check_runbooks_reports_rot_with_locations(tmp_path):
    """Unknown commands, unlinked alerts and runbooks, and step-less files are problems."""
    empty = tmp_path / "notes.md"
    empty.write_text("# Notes\n\nNothing to run here.\n")
    problems = check_runbooks(
        [FIXTURE, empty],
        known_command=lambda cmd: not cmd.startswith("kubectl top"),
        alert_runbook_links={
            "OrdersDBPoolExhausted": "https://git.example.com/runbooks/orders-pool.md",
            "CheckoutLatencyHigh": "",
            "DiskFull": "https://git.example.com/runbooks/orders-poll.md",
        },
    )
    text = [str(p) for p in problems]
    assert (
        f"{FIXTURE}:40: Verification step 1: the simulation does not know the command "
        "'kubectl top pods -n shop -l app=orders' (the runbook may be out of date with the "
        "tooling)" in text
    )
    assert any("alert CheckoutLatencyHigh: has no runbook_url" in t for t in text)
    assert any(
        "alert DiskFull: runbook link" in t and "did you mean 'orders-pool.md'?" in t for t in text
    )
    assert f"{empty}:1: runbook has no steps with commands" in " ".join(text)
    assert any(t.startswith(f"{empty}:1: no alert links to this runbook") for t in text)
    assert not any(t.startswith(f"{FIXTURE}:1: no alert links") for t in text)


def test_check_runbooks_clean_and_missing_file(tmp_path):
    """A good runbook alone has no problems; a missing file is one problem."""
    assert check_runbooks([FIXTURE]) == []
    problems = check_runbooks([tmp_path / "gone.md"])
    assert len(problems) == 1 and "cannot read runbook" in problems[0].message


def test_bare_sql_is_psql():
    """``SELECT ...`` and ``sql SELECT ...`` typed at the prompt match a runbook's psql -c."""
    runbook = 'psql -h orders-db -U postgres -d orders -c "SELECT pg_terminate_backend(<pid>)"'
    assert commands_match(runbook, "SELECT pg_terminate_backend(4242);")
    assert commands_match(runbook, "sql select pg_terminate_backend(4242)")
    assert commands_match(runbook, 'psql -h orders-db -c "select pg_terminate_backend(1)"')
    assert not commands_match(runbook, 'psql -h other-db -c "select pg_terminate_backend(1)"')


def test_k_alias_is_kubectl():
    """``k`` is the usual alias for kubectl."""
    assert commands_match("kubectl get pods -n shop", "k get po -n shop")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ('psql -P pager=off -c "select 1"', 'psql -c "select 1"'),
        ('psql -v ON_ERROR_STOP=1 -c "select 1"', 'psql --set ON_ERROR_STOP=1 -c "select 1"'),
        ('psql -W -c "select 1"', 'psql --password -c "select 1"'),
    ],
)
def test_psql_flags_read_as_the_simulated_psql_reads_them(a, b):
    """-P takes a value (and only shapes output), -v is --set, -W is --password."""
    assert commands_match(a, b)
