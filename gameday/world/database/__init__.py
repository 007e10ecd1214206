"""The simulated PostgreSQL servers of a world: connection slots, sessions, locks.

The world asks a :class:`PostgresServer` for capacity every tick; psql and the
postgres_exporter series read its sessions. Nothing here imports the world.
"""

from gameday.world.database.pools import PodPool, Statement, Usage
from gameday.world.database.server import ConnectionRefused, PoolDemand, PostgresServer
from gameday.world.database.sessions import STATES, Backend

__all__ = [
    "STATES",
    "Backend",
    "ConnectionRefused",
    "PodPool",
    "PoolDemand",
    "PostgresServer",
    "Statement",
    "Usage",
]
