"""The API's callers: a token per persona, and a client that sends it."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.tokens import create_token


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Throttle counts live in the cache: each test starts with a full budget."""
    cache.clear()
    yield
    cache.clear()


def token_for(user) -> str:
    return create_token(user, "tests", verified=True)[1]


def api_as(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
    return client


@pytest.fixture
def as_user():
    return api_as
