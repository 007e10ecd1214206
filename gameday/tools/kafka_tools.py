"""``kafka-consumer-groups.sh`` and ``kafka-topics.sh`` against the simulated Kafka.

Layouts follow Kafka 3.6's tools (``ConsumerGroupCommand``, ``GroupOffsetsResetter``,
``TopicCommand``): column widths grow with the longest group, topic, consumer id and
host (at least 15), every table starts with a blank line, messages about the group's
state come first. ``--reset-offsets`` refuses a group with members, as Kafka does
("Assignments can only be reset if the group ... is inactive"), and without
``--execute`` only prints the plan.
"""

from __future__ import annotations

from typing import Any

from gameday.tools.effects import Outcome
from gameday.tools.parse import ActionError
from gameday.world.kafka import Group, KafkaCluster

GROUP_TOOLS = ("kafka-consumer-groups.sh", "kafka-consumer-groups")
TOPIC_TOOLS = ("kafka-topics.sh", "kafka-topics")
TOOLS = GROUP_TOOLS + TOPIC_TOOLS
_VALUED = {
    "--bootstrap-server",
    "--group",
    "--topic",
    "--shift-by",
    "--to-offset",
    "--command-config",
}
_RESETS = ("--shift-by", "--to-offset", "--to-latest", "--to-earliest", "--to-current")
DRY_RUN_WARN = (
    "WARN: No action will be performed as the --execute option is missing. In a future major "
    "release, the default behavior of this command will be to prompt the user before executing "
    "the reset rather than doing a dry run. You should add the --dry-run option explicitly if you "
    "are scripting this command and want to keep the current default behavior without prompting."
)


def is_kafka_tool(program: str) -> bool:
    """Whether ``program`` (a name or a path such as ``bin/kafka-topics.sh``) is simulated."""
    return program.rsplit("/", 1)[-1] in TOOLS


def run_kafka_tool(ctx: Any, program: str, args: list[str]) -> Outcome:
    """Run one Kafka tool; raises :class:`ActionError` with the tool's own message."""
    name = program.rsplit("/", 1)[-1]
    opts = options(args)
    kafka: KafkaCluster | None = ctx.world.kafka
    server = opts.get("--bootstrap-server")
    if not isinstance(server, str):
        raise ActionError('Missing required argument "[bootstrap-server]"')
    host = server.split(",")[0].rsplit(":", 1)[0]
    if kafka is None or host.split(".")[0] not in (
        kafka.spec.name,
        f"{kafka.spec.name}-0",
        "localhost",
    ):
        call = "describeGroups" if name in GROUP_TOOLS else "listTopics"
        raise ActionError(
            "\nError: Executing consumer group command failed due to org.apache.kafka.common."
            f"errors.TimeoutException: Timed out waiting for a node assignment. Call: {call}"
        )
    if name in TOPIC_TOOLS:
        return _topics(kafka, opts)
    return _groups(kafka, opts)


def options(args: list[str]) -> dict[str, str | bool]:
    """The tool's ``--option[=value]`` arguments (a valued option may take the next word).

    Raises:
        ActionError: the tool's message for a non-option word or a valued option at the end.
    """
    opts: dict[str, str | bool] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        key, eq, value = arg.partition("=")
        if not key.startswith("--"):
            raise ActionError(f"Found non-option argument {arg!r}; options start with --")
        if key in _VALUED:
            if not eq:
                if i + 1 >= len(args):
                    raise ActionError(f"Option {key[2:]} requires an argument")
                value = args[i + 1]
                i += 1
            opts[key] = value
        else:
            opts[key] = True
        i += 1
    return opts


def _groups(kafka: KafkaCluster, opts: dict[str, str | bool]) -> Outcome:
    if opts.get("--list"):
        return Outcome(True, "\n".join(sorted(kafka.groups)), "kafka.groups.list")
    name = opts.get("--group")
    if not isinstance(name, str):
        raise ActionError("Option [describe] takes one of these options: [all-groups], [group]")
    group = kafka.groups.get(name)
    if opts.get("--reset-offsets"):
        return _reset(kafka, name, group, opts)
    if not opts.get("--describe"):
        raise ActionError(
            "Command must include exactly one action: --list, --describe, --delete, "
            "--reset-offsets, --delete-offsets"
        )
    if group is None:
        return Outcome(
            True, f"\nError: Consumer group '{name}' does not exist.", "kafka.groups.describe"
        )
    head = _state_line(group)
    if opts.get("--members"):
        body = _members(group)
    elif opts.get("--state"):
        body = _state(kafka, group)
    else:
        body = _offsets(kafka, group)
    return Outcome(True, head + body, "kafka.groups.describe")


def _state_line(g: Group) -> str:
    if g.state == "Empty":
        return f"\nConsumer group '{g.name}' has no active members.\n"
    if g.state != "Stable":
        return f"\nWarning: Consumer group '{g.name}' is rebalancing.\n"
    return ""


def _offsets(kafka: KafkaCluster, g: Group) -> str:
    parts = kafka.topics[g.topic]
    lags = g.lag(parts)
    rows = []
    by_member: dict[str, list[int]] = {}
    for index, member_id in g.assignment.items():
        by_member.setdefault(member_id, []).append(index)
    order = sorted(g.members, key=lambda m: -len(by_member.get(m.member_id, [])))
    owner = {i: m for m in order for i in sorted(by_member.get(m.member_id, []))}
    listed = list(owner) + [i for i in range(len(parts)) if i not in owner]
    for i in listed:  # members with the most partitions first, then the unassigned ones
        m = owner.get(i)
        who = (m.member_id, m.host, m.client_id) if m else ("-", "-", "-")
        offsets = (str(int(g.committed[i])), str(int(parts[i].log_end)), str(lags[i]))
        rows.append((g.name, g.topic, str(i), *offsets, *who))
    header = (
        "GROUP",
        "TOPIC",
        "PARTITION",
        "CURRENT-OFFSET",
        "LOG-END-OFFSET",
        "LAG",
        "CONSUMER-ID",
        "HOST",
        "CLIENT-ID",
    )
    widths = [
        max(15, *(len(r[0]) for r in rows)),
        max(15, *(len(r[1]) for r in rows)),
        10,
        15,
        15,
        15,
    ]
    widths += [max(15, *(len(r[6]) for r in rows)), max(15, *(len(r[7]) for r in rows))]
    return "\n" + "\n".join(_fmt(r, widths) for r in [header, *rows]) + "\n"


def _members(g: Group) -> str:
    owned = {m.member_id: 0 for m in g.members}
    for member_id in g.assignment.values():
        owned[member_id] = owned.get(member_id, 0) + 1
    rows = [(g.name, m.member_id, m.host, m.client_id, str(owned[m.member_id])) for m in g.members]
    header = ("GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS")
    widths = [max(15, len(g.name))] + [
        max(15, *(len(r[k]) for r in rows)) if rows else 15 for k in (1, 2, 3)
    ]
    lines = [_fmt(r, [*widths, 15]) + " " for r in [header, *rows]]  # "%-15s " ends the row
    return "\n" + "\n".join(lines) + "\n"


def _state(kafka: KafkaCluster, g: Group) -> str:
    coordinator = f"{kafka.spec.name}-0.{kafka.spec.name}:9092  (1)"
    widths = [max(15, len(g.name)), max(25, len(coordinator)), 20, 20]
    header = ("GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS")
    row = (g.name, coordinator, "range" if g.members else "-", g.state, str(len(g.members)))
    return "\n" + _fmt(header, widths) + "\n" + _fmt(row, widths) + "\n"


def _reset(kafka: KafkaCluster, name: str, g: Group | None, opts: dict[str, str | bool]) -> Outcome:
    kind = "kafka.groups.reset"
    how = [r for r in _RESETS if r in opts]
    if len(how) != 1:
        raise ActionError(
            "Option [reset-offsets] takes one of these options: --to-offset, --to-earliest, "
            "--to-latest, --shift-by, --to-current"
        )
    topic_arg = opts.get("--topic")
    if not isinstance(topic_arg, str) and not opts.get("--all-topics"):
        raise ActionError(
            "Option [reset-offsets] takes one of these options: [all-topics], [topic]"
        )
    if g is None:
        return Outcome(True, f"\nError: Consumer group '{name}' does not exist.", kind)
    if g.state != "Empty":
        return Outcome(
            False,
            f"\nError: Assignments can only be reset if the group '{name}' is inactive, "
            f"but the current state is {g.state}.",
            kind,
        )
    parts = kafka.topics[g.topic]
    chosen = list(range(len(parts)))
    if isinstance(topic_arg, str):
        topic, _, listed = topic_arg.partition(":")
        if topic != g.topic:
            return Outcome(True, "", kind)  # the group has no offsets there: nothing to reset
        if listed:
            try:
                chosen = sorted({int(x) for x in listed.split(",")})
            except ValueError:
                raise ActionError(f"Invalid partition list in {topic_arg!r}") from None
            bad = [p for p in chosen if not 0 <= p < len(parts)]
            if bad:
                raise ActionError(
                    "Error: Executing consumer group command failed due to "
                    f"Partition {bad[0]} of topic {topic} does not exist"
                )
    new = {i: _target(how[0], opts.get(how[0]), g.committed[i], parts[i]) for i in chosen}
    execute = bool(opts.get("--execute")) and not opts.get("--dry-run")
    if execute:
        for i, offset in new.items():
            g.committed[i] = float(offset)
    widths = [max(15, len(g.name)), max(15, len(g.topic)), 10]
    lines = [_fmt(("GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"), widths)]
    lines += [_fmt((g.name, g.topic, str(i), str(o)), widths) for i, o in new.items()]
    warn = "" if opts.get("--execute") or opts.get("--dry-run") else DRY_RUN_WARN + "\n"
    return Outcome(True, warn + "\n" + "\n".join(lines) + "\n", kind, changed=execute)


def _target(how: str, value: str | bool | None, committed: float, part: Any) -> int:
    end, oldest = int(part.log_end), part.oldest
    if how == "--to-latest":
        return end
    if how == "--to-earliest":
        return oldest
    if how == "--to-current":
        return int(committed)
    try:
        n = int(str(value))
    except ValueError:
        raise ActionError(f"Cannot parse argument {value!r} of option {how[2:]}") from None
    wanted = int(committed) + n if how == "--shift-by" else n
    return max(oldest, min(end, wanted))


def _topics(kafka: KafkaCluster, opts: dict[str, str | bool]) -> Outcome:
    if opts.get("--list"):
        return Outcome(
            True, "\n".join(sorted(["__consumer_offsets", *kafka.topics])), "kafka.topics.list"
        )
    if not opts.get("--describe"):
        raise ActionError(
            "Command must include exactly one action: "
            "--list, --describe, --create, --alter or --delete"
        )
    wanted = opts.get("--topic")
    names = [wanted] if isinstance(wanted, str) else sorted(kafka.topics)
    lines = []
    for name in names:
        parts = kafka.topics.get(name)
        if parts is None:
            raise ActionError(
                f"Error while executing topic command : Topic '{name}' does not exist as expected"
            )
        cfg = kafka.configs[name]
        configs = "min.insync.replicas=2"
        if cfg.retention != 7 * 86400.0:
            configs += f",retention.ms={int(cfg.retention * 1000)}"
        lines.append(
            f"Topic: {name}\tTopicId: {kafka.topic_ids[name]}\tPartitionCount: {len(parts)}\t"
            f"ReplicationFactor: {len(parts[0].replicas)}\tConfigs: {configs}"
        )
        for p in parts:
            replicas = ",".join(str(r) for r in p.replicas)
            lines.append(
                f"\tTopic: {name}\tPartition: {p.index}\tLeader: {p.leader}\t"
                f"Replicas: {replicas}\tIsr: {replicas}"
            )
    return Outcome(True, "\n".join(lines), "kafka.topics.describe")


def _fmt(row: tuple[str, ...], widths: list[int]) -> str:
    """Java's ``%-Ns`` columns joined by one space; the last column unpadded."""
    cells = [cell.ljust(w) for cell, w in zip(row, widths, strict=False)]
    return " ".join([*cells, *row[len(widths) :]])
