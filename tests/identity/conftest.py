"""Fixtures for the identity tests."""

from __future__ import annotations

import pytest

from tests.identity.generated import GeneratedSet, generated_set


@pytest.fixture(scope="session")
def generated() -> GeneratedSet:
    """One generated data set (~1,000 records) for the whole session: Faker is slow."""
    return generated_set()
