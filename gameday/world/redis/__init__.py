"""A Redis server in the world: keyspace, memory, eviction, counters."""
