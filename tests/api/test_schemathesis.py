"""The API against its own served schema (Schemathesis, in-process through the WSGI
app): whatever it is sent, within the schema or not, no answer is a 500, and every
answer matches the schema (status, content type, body).

Bounded: 25 examples per operation (15 valid, 10 invalid), as a community manager with
a token, over a small world (a draft, a post pending approval, a submitted plan, a
channel) so that generated ids sometimes hit real objects. One test walks every
operation, so that the world is made once."""

from __future__ import annotations

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.api.conftest import token_for

EXAMPLES = {GenerationMode.POSITIVE: 15, GenerationMode.NEGATIVE: 10}
# Served by the app, read through its WSGI interface (no database needed for it).
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
UNTHROTTLED = {
    **django_settings.REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"api-read": "100000/min", "api-write": "100000/min"},
}


def _check(operation, mode: GenerationMode, headers: dict) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        # Not "valid data is accepted": a well-formed id may name nothing the CM may
        # use (a department, a channel), which the API rightly refuses (400, the field).
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    run()


@pytest.fixture
def connection_kept():
    """Requests through the WSGI app keep the test's database connection, as Django's
    test client does: a finished request would otherwise close it, and the test's
    transaction with it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@override_settings(REST_FRAMEWORK=UNTHROTTLED)
def test_every_operation_answers_as_the_schema_says(connection_kept, cm, post_a, week, channel_a):
    headers = {"Authorization": f"Bearer {token_for(cm)}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    for operation in operations:
        for mode in EXAMPLES:
            _check(operation, mode, headers)
