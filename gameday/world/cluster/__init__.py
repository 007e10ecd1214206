"""The simulated Kubernetes cluster: API objects reconciled by controllers.

``objects`` builds the ``kubernetes`` model objects; ``cluster`` holds them and runs the
control plane (``deployment``, ``replicaset``, ``scheduler``, ``kubelet``) every tick;
``bootstrap`` makes a scenario's cluster as it stands at t = 0.
"""

from gameday.world.cluster import bootstrap, kubelet
from gameday.world.cluster.cluster import ApiError, Cluster
from gameday.world.cluster.records import KubeEvent, SimNode, SimPod

__all__ = ["ApiError", "Cluster", "KubeEvent", "SimNode", "SimPod", "bootstrap", "kubelet"]
