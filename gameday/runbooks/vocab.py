"""The words of the command lines runbooks use: kubectl and psql flags, resource kinds.

:mod:`gameday.runbooks.normalise` reads these tables to put commands in canonical form.
"""

from __future__ import annotations

from gameday import psql_flags

K_SHORT = {
    "n": "namespace",
    "l": "selector",
    "c": "container",
    "o": "output",
    "f": "filename",
    "i": "stdin",
    "t": "tty",
    "A": "all-namespaces",
    "w": "watch",
    "p": "previous",
}
K_VALUE = {
    "namespace",
    "selector",
    "container",
    "output",
    "filename",
    "replicas",
    "tail",
    "since",
    "since-time",
    "field-selector",
    "context",
    "cluster",
    "user",
    "timeout",
    "to-revision",
    "sort-by",
    "image",
    "grace-period",
    "type",
    "cpu-percent",
    "min",
    "max",
    "revision",
    "kubeconfig",
    "limit-bytes",
    "max-log-requests",
}
K_SHORT_VALUE = {"n", "l", "c", "o", "f"}
#: Flags that only shape output: they may differ between a runbook and a typed command.
OPTIONAL_FLAGS = {
    "output",
    "tail",
    "since",
    "watch",
    "no-headers",
    "sort-by",
    "timestamps",
    "show-labels",
    "wide",
    "tty",
    "stdin",
    "follow",
    "timeout",
    "limit-bytes",
    "max-log-requests",
    "prefix",
    "tuples-only",
    "no-align",
    "expanded",
    "quiet",
    "no-psqlrc",
    "field-separator",
    "pset",
}
#: Flags that only narrow a ``kubectl get|top`` listing: without them it shows more, the
#: runbook's objects among them.
NARROWING_FLAGS = {"selector", "field-selector"}
LISTING_VERBS = {"get", "top"}
#: Connection flags a typed command may add when the runbook leaves them out.
CONNECTION_FLAGS = {"host", "username", "dbname", "port", "context", "kubeconfig", "cluster"}
KINDS = {
    "deployment": ("deploy", "deployment", "deployments", "deploy.apps", "deployments.apps"),
    "pod": ("po", "pod", "pods"),
    "service": ("svc", "service", "services"),
    "replicaset": ("rs", "replicaset", "replicasets"),
    "statefulset": ("sts", "statefulset", "statefulsets"),
    "daemonset": ("ds", "daemonset", "daemonsets"),
    "namespace": ("ns", "namespace", "namespaces"),
    "node": ("no", "node", "nodes"),
    "configmap": ("cm", "configmap", "configmaps"),
    "hpa": ("hpa", "horizontalpodautoscaler", "horizontalpodautoscalers"),
    "event": ("ev", "event", "events"),
    "job": ("job", "jobs"),
    "cronjob": ("cj", "cronjob", "cronjobs"),
    "secret": ("secret", "secrets"),
    "ingress": ("ing", "ingress", "ingresses"),
    "pvc": ("pvc", "persistentvolumeclaim", "persistentvolumeclaims"),
}
KIND_OF = {alias: kind for kind, aliases in KINDS.items() for alias in aliases}
K_SUBVERBS = {"rollout", "config", "auth", "set", "create"}
POD_VERBS = {"logs", "exec", "attach", "port-forward", "cp"}
# psql's flags: the same table the simulated psql reads
P_SHORT = psql_flags.SHORT
P_VALUE = psql_flags.VALUES
P_SHORT_VALUE = psql_flags.SHORT_VALUE
