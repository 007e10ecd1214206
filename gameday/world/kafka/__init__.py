"""Kafka: topics, partitions, consumer groups, lag and rebalances (:mod:`.cluster`);
what kafka_exporter exposes (:mod:`.exporter`)."""

from gameday.world.kafka.cluster import (
    Group,
    KafkaCluster,
    Member,
    Partition,
    Poison,
    range_assign,
)

__all__ = ["Group", "KafkaCluster", "Member", "Partition", "Poison", "range_assign"]
