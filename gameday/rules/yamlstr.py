"""A YAML loader that keeps every scalar as its literal text (as Go's yaml.v2 reads
strings) while still honouring ``<<`` merge keys and nulls."""

from __future__ import annotations

from typing import Any

import yaml

from gameday.yamldoc import DepthLimited, guarded_load

_KEEP = {"tag:yaml.org,2002:merge", "tag:yaml.org,2002:null"}


class StrLoader(DepthLimited):
    """The guarded SafeLoader with only the merge and null implicit resolvers."""


StrLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag in _KEEP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_str_yaml(text: str) -> Any:
    """Parse YAML with string scalars; raises ``yaml.YAMLError``."""
    return guarded_load(text, StrLoader)
