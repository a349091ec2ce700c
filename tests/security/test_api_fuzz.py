"""Schemathesis against the project's own OpenAPI schema (/api/openapi.json): no request, however odd,
gets a server error. Seeded, so a run is repeatable."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from sessions.demo import seed_demo

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def congress(db):
    """The demo congress, so that half of the requests name an event that exists.

    Like Django's test client, keep the request cycle from closing the test's connection.
    """
    event = seed_demo()
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield {"code": event.code, "id": event.sessions.first().pk}
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=60, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_server_error(case, congress):
    for parameters in (case.path_parameters, {**(case.path_parameters or {}), **congress}):
        case.path_parameters = {key: parameters[key] for key in parameters if key in (case.path_parameters or {})}
        response = case.call()
        assert response.status_code < 500, (case.method, case.formatted_path, case.body, response.text[:500])
        case.validate_response(response, checks=[schemathesis.checks.not_a_server_error])


@pytest.mark.parametrize("name", ["A\\ud800", "\\udfff\\ud800", "ok\\udc00"])
def test_an_unpaired_surrogate_in_a_join_is_a_bad_request_not_a_server_error(client, congress, name):
    # Found while building the hostile catalogue: psycopg cannot encode it, so it was a 500.
    body = '{"name": "' + name + '"}'
    response = client.post("/api/events/SFH2022/join", data=body, content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_request"
