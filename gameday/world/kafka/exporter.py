"""What kafka_exporter (danielqsj/kafka_exporter v1.8) exposes for the simulated cluster.

Series and labels as its README documents them: ``kafka_brokers``;
``kafka_topic_partitions{topic}``; per partition ``kafka_topic_partition_current_offset``,
``_oldest_offset``, ``_in_sync_replica``, ``_leader``, ``_replicas``,
``_under_replicated_partition`` and ``_leader_is_preferred`` (``{topic, partition}``);
per group ``kafka_consumergroup_current_offset`` and ``kafka_consumergroup_lag``
(``{consumergroup, topic, partition}``), their ``_sum`` per topic, and
``kafka_consumergroup_members{consumergroup}``. Prometheus adds ``job``.
"""

from __future__ import annotations

from collections.abc import Callable

from gameday.world.kafka.cluster import KafkaCluster

Labels = tuple[tuple[str, str], ...]
JOB = ("job", "kafka-exporter")
_PARTITION_SERIES = (
    "current_offset",
    "oldest_offset",
    "in_sync_replica",
    "leader",
    "leader_is_preferred",
    "replicas",
    "under_replicated_partition",
)


class KafkaExposition:
    """kafka_exporter's series: label tuples built once, values every scrape."""

    def __init__(self, kafka: KafkaCluster, labels: Callable[..., Labels]) -> None:
        self.kafka = kafka
        lab = labels
        self._static: list[Labels] = [lab("__name__", "kafka_brokers", *JOB)]
        self._topics: list[tuple[Labels, list[tuple[Labels, ...]]]] = []
        for name, parts in kafka.topics.items():
            per = [
                tuple(
                    lab(
                        "__name__",
                        f"kafka_topic_partition_{s}",
                        "topic",
                        name,
                        "partition",
                        str(p.index),
                        *JOB,
                    )
                    for s in _PARTITION_SERIES
                )
                for p in parts
            ]
            self._topics.append(
                (lab("__name__", "kafka_topic_partitions", "topic", name, *JOB), per)
            )
        self._groups: list[tuple[tuple[Labels, ...], list[tuple[Labels, Labels]]]] = []
        for g in kafka.groups.values():
            cg = ("consumergroup", g.name)
            heads = (
                lab(
                    "__name__",
                    "kafka_consumergroup_current_offset_sum",
                    *cg,
                    "topic",
                    g.topic,
                    *JOB,
                ),
                lab("__name__", "kafka_consumergroup_lag_sum", *cg, "topic", g.topic, *JOB),
                lab("__name__", "kafka_consumergroup_members", *cg, *JOB),
            )
            rows = [
                (
                    lab(
                        "__name__",
                        "kafka_consumergroup_current_offset",
                        *cg,
                        "topic",
                        g.topic,
                        "partition",
                        str(i),
                        *JOB,
                    ),
                    lab(
                        "__name__",
                        "kafka_consumergroup_lag",
                        *cg,
                        "topic",
                        g.topic,
                        "partition",
                        str(i),
                        *JOB,
                    ),
                )
                for i in range(len(g.committed))
            ]
            self._groups.append((heads, rows))

    def collect(self, labels: list[Labels], values: list[float]) -> None:
        """Append every series and its value now."""
        k = self.kafka
        labels += self._static
        values.append(k.spec.brokers)
        for (count_labels, per), parts in zip(self._topics, k.topics.values(), strict=True):
            labels.append(count_labels)
            values.append(len(parts))
            for series, p in zip(per, parts, strict=True):
                labels += series
                isr = len(p.replicas)
                values += (int(p.log_end), p.oldest, isr, p.leader, 1, len(p.replicas), 0)
        for (heads, rows), g in zip(self._groups, k.groups.values(), strict=True):
            lags = g.lag(k.topics[g.topic])
            committed = [int(c) for c in g.committed]
            labels += heads
            values += (sum(committed), sum(lags), len(g.members))
            for (offset_labels, lag_labels), c, lag in zip(rows, committed, lags, strict=True):
                labels += (offset_labels, lag_labels)
                values += (c, lag)
