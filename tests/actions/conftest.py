"""Fixtures for action tests (helpers live in ``act_support``)."""

from __future__ import annotations

import pytest
from act_support import FakeContext, FakePager, load


@pytest.fixture
def pool_ctx() -> FakeContext:
    return FakeContext(load("db-pool-exhaustion", onset=300.0), pager=FakePager())


@pytest.fixture
def locked(pool_ctx: FakeContext) -> FakeContext:
    """The lock has been held for ten minutes (it starts at 5m)."""
    pool_ctx.run(900)
    return pool_ctx
