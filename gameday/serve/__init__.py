"""One session, many seats: ``gameday serve`` (the one writer) and ``gameday join``."""
