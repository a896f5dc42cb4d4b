"""The API against its own served schema (Schemathesis, in-process through the WSGI
app): whatever it is sent, within the schema or not, no answer is a 500, and every
answer matches the schema (status, content type, body).

Bounded: 25 examples per operation, as a community manager with a token, over a small
world (a post of each state the CM meets, a plan, a channel) so that generated ids
sometimes hit real objects."""

from __future__ import annotations

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.wsgi import get_wsgi_application
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.api.conftest import token_for

MAX_EXAMPLES = 25


# The schema as the app serves it (fetched through the WSGI app, which needs no database
# for it), loaded when the module is: pytest then names one test per operation.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture
def world(db, cm, head, post_a, pending, week, channel_a):
    """Something for generated ids to find."""


@pytest.fixture
def cm_headers(cm):
    return {"Authorization": f"Bearer {token_for(cm)}"}


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@override_settings(
    REST_FRAMEWORK={
        **django_settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api-read": "100000/min", "api-write": "100000/min"},
    }
)
def test_api_answers_as_its_schema_says(case, world, cm_headers):
    # Not "valid data is accepted": a well-formed id may name nothing the CM may use (a
    # department, a channel), which the API rightly refuses with the field's error (400).
    case.call_and_validate(headers=cm_headers, excluded_checks=[positive_data_acceptance])
