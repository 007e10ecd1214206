"""Made-up responders for on-call files that name nobody.

A scenario that leaves ``people`` out gets ``generate_people`` of them (default
:data:`DEFAULT_PEOPLE`), named by Faker seeded from the session seed, so the same seed
always pages the same invented engineers. Their ids are stable (``p1``, ``p2``, ...) so
schedules can name them before anyone knows what they are called.
"""

from __future__ import annotations

import re
import unicodedata

from faker import Faker

from gameday.oncall.model import Person

DEFAULT_PEOPLE = 5


def generated_ids(n: int) -> list[str]:
    """The ids :func:`generate_people` gives: ``p1`` .. ``pN``."""
    return [f"p{i}" for i in range(1, n + 1)]


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", ascii_text.lower()) or "someone"


def generate_people(
    seed: int, n: int = DEFAULT_PEOPLE, timezone: str | None = None
) -> list[Person]:
    """``n`` distinct invented people, the same ones for the same seed.

    Args:
        seed: the session seed.
        n: how many people.
        timezone: zone to give each person (None leaves the file default).

    Raises:
        ValueError: when ``n`` is not positive.
    """
    if n < 1:
        raise ValueError(f"cannot generate {n} people; ask for at least 1")
    fake = Faker("en_US")
    fake.seed_instance(seed)
    people = []
    seen: set[str] = set()
    for pid in generated_ids(n):
        first, last = fake.first_name(), fake.last_name()
        while f"{first} {last}" in seen:
            first, last = fake.first_name(), fake.last_name()
        seen.add(f"{first} {last}")
        email = f"{_slug(first)}.{_slug(last)}@example.com"
        people.append(Person(id=pid, name=f"{first} {last}", email=email, timezone=timezone))
    return people
