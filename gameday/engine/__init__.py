"""The simulation engine: world, session, journal. Imports no UI, no Kubernetes, no CLI."""
