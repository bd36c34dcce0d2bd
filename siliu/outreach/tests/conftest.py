"""Fixtures of outreach's tests: pictures stored in a temporary folder, the small county, its manager."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from siliu.core.roles import Role
from siliu.outreach.tests.factories import County, county_build


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def county(db: None) -> County:
    return county_build()


@pytest.fixture
def manager(county: County, make_user: Callable[..., User]) -> User:
    """A county manager posted to the county."""
    return make_user(Role.COUNTY_MANAGER, username="manager", county=county.county)
