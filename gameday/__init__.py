"""gameday: chaos game-day and tabletop-exercise simulator for SRE and on-call teams."""

__version__ = "0.1.0"
