"""Nodes: zones and topology labels, node disks under kubelet eviction, node-exporter."""
