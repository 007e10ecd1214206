"""Log lines of a Kafka consumer (Spring for Apache Kafka 3.1 on kafka-clients 3.6).

A member stuck on a poison record logs the famous loop of a listener container
without an ``ErrorHandlingDeserializer``: every poll throws the same
``RecordDeserializationException`` at the same offset, once a second, forever.
"""

from __future__ import annotations

from typing import Any

CONTAINER = "o.s.k.l.KafkaMessageListenerContainer"


def consumer_lines(writer: Any, s: int) -> list[str]:
    """What ``writer``'s pod logged during second ``s`` as a Kafka consumer."""
    world = writer.ctx.world
    consumes = writer.svc.consumes
    if world.kafka is None or consumes is None:
        return []
    group = world.kafka.groups.get(consumes.group)
    if group is None:
        return []
    member = next((m for m in group.members if m.pod == writer.pod.name), None)
    if member is None:
        return []
    out = []
    thread = "ntainer#0-0-C-1"
    owned = sorted(i for i, m in group.assignment.items() if m == member.member_id)
    if s % 10 == 0:  # the listener's own throughput line, every 10 seconds
        parts = world.kafka.topics[group.topic]
        free = [i for i in owned if not world.kafka.blocked(group, i, member)]
        done = int(sum(min(parts[i].rate, consumes.rate / max(len(owned), 1)) for i in free) * 10)
        where = ", ".join(f"{group.topic}-{i}" for i in owned) or "no partitions assigned"
        out.append(
            writer.line(
                s + 0.05,
                "INFO",
                f"Authorized {done} records in the last 10s ({where})",
                "c.s.payments.AuthorizationListener",
                thread,
            )
        )
    if "poison_message" not in writer.faults_at(s, writer.pod.service):
        return out
    for index, member_id in sorted(group.assignment.items()):
        if member_id != member.member_id or not world.kafka.blocked(group, index, member):
            continue
        poison = next(p for p in group.poisons if p.partition == index)
        if poison.attempts <= 0:
            continue
        t = s + 0.2
        head = writer.line(
            t, "ERROR", "Consumer exception", f"{CONTAINER}$ListenerConsumer", thread
        )
        out.append(  # one entry: the stack trace's lines stay under their log line
            head + "\n"
            "java.lang.IllegalStateException: This error handler cannot process "
            "'SerializationException's directly; please consider configuring an "
            "'ErrorHandlingDeserializer' in the value and/or key deserializer\n"
            f"Caused by: {poison.error}: Error deserializing key/value for partition "
            f"{group.topic}-{index} at offset {poison.offset}. If needed, please seek past the "
            "record to continue consumption."
        )
    return out
