"""``gameday route``: the receivers an ``alertmanager.yml`` routes a label set to.

Output matches ``amtool config routes test`` (0.25): one line, receiver names joined by
commas in tree order. ``--tree`` draws the tree like ``amtool config routes show``,
``--matching-tree`` like ``amtool config routes test --tree``.
"""

from __future__ import annotations

import json

import click

from gameday.alerting import MatcherError, load_alertmanager_config, parse_matcher
from gameday.alerting.routing import matching_tree as draw_matching_tree
from gameday.errors import ExitStatus, UsageError


def parse_label_args(args: tuple[str, ...]) -> dict[str, str]:
    """Parse ``name=value`` arguments with the matcher parser, as amtool does.

    Raises:
        UsageError: for an argument that is not a ``name=value`` (or quoted value) pair.
    """
    labels: dict[str, str] = {}
    for arg in args:
        try:
            m = parse_matcher(arg)
        except MatcherError as exc:
            raise UsageError(f"failed to parse labels: {exc}") from None
        if m.op != "=":
            raise UsageError(
                f"failed to parse labels: {arg!r}: labels must be specified as key=value pairs"
            )
        labels[m.name] = m.value
    return labels


@click.command("route")
@click.option(
    "--config",
    "--config.file",
    "config_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="The alertmanager.yml to route with.",
)
@click.option("--tree", is_flag=True, help="Print the routing tree (amtool config routes show).")
@click.option(
    "--matching-tree",
    is_flag=True,
    help="Print the routes the labels walk through (amtool config routes test --tree).",
)
@click.option(
    "--verify-receivers",
    "--verify.receivers",
    "verify_receivers",
    metavar="A,B",
    help="Exit 1 unless the labels route to exactly these receivers, in this order.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object instead.")
@click.argument("labels", nargs=-1)
def route_cmd(
    config_path: str,
    tree: bool,
    matching_tree: bool,
    verify_receivers: str | None,
    as_json: bool,
    labels: tuple[str, ...],
) -> int:
    """Show the receivers an alertmanager.yml routes LABELS (name=value ...) to.

    Values may be double-quoted (name="a value, with commas"); exit 1 when
    --verify-receivers does not match, 2 for a bad configuration or label.
    amtool's spellings --config.file and --verify.receivers work too.
    """
    cfg = load_alertmanager_config(config_path)
    if tree and not labels and not matching_tree and not as_json:
        click.echo(cfg.route.tree())
        return ExitStatus.OK
    lset = parse_label_args(labels)
    routes = cfg.route.match(lset)
    receivers = [r.receiver for r in routes]
    slug = ",".join(receivers)
    ok = verify_receivers is None or verify_receivers == slug
    if as_json:
        out: dict[str, object] = {
            "labels": lset,
            "receivers": receivers,
            "routes": [
                {
                    "key": r.key(),
                    "receiver": r.receiver,
                    "group_by": ["..."] if r.group_by_all else sorted(r.group_by),
                    "group_labels": r.group_labels(lset),
                    "group_wait": r.group_wait,
                    "group_interval": r.group_interval,
                    "repeat_interval": r.repeat_interval,
                    "mute_time_intervals": r.mute_time_intervals,
                    "active_time_intervals": r.active_time_intervals,
                }
                for r in routes
            ],
        }
        if verify_receivers is not None:
            out["verified"] = ok
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return ExitStatus.OK if ok else ExitStatus.FAILED
    if tree:
        click.echo(cfg.route.tree())
    if matching_tree:
        click.echo(draw_matching_tree(cfg.route, lset))
    click.echo(slug)
    if not ok:
        click.echo("WARNING: Expected receivers did not match resolved receivers.")
        return ExitStatus.FAILED
    return ExitStatus.OK
