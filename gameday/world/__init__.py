"""The simulated world: the cluster's controllers, the databases, the components and faults.

It sits over nothing but the scenario model; the simulated tools read and change it, and
the session drives it tick by tick.
"""
