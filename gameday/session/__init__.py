"""The session: wires the world, the simulated tools and the alert path to one clock.

Also the events it publishes and the journal that records them.
"""
