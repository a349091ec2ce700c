"""The HTTP API: the agenda and joining, with JSON errors."""

import json

import pytest

from sessions.models import Participant, hash_token

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, data=body if isinstance(body, str) else json.dumps(body), content_type="application/json")


def test_agenda_lists_the_sessions_with_times_in_brussels(client, event):
    response = client.get("/api/events/SFH2022/")
    assert response.status_code == 200
    data = response.json()
    assert data["event"]["venue"] == "Square conference center"
    keynote = next(s for s in data["sessions"] if s["title"].startswith("Keynote"))
    assert keynote["starts_at"] == "2022-11-21T09:15:00+01:00"
    assert keynote["speakers"] == [
        {"id": keynote["speakers"][0]["id"], "name": "Katherine High", "affiliation": "AskBio"}
    ]
    assert [s["kind"] for s in data["sessions"]].count("break") == 2
    assert all(s["status"] == "scheduled" for s in data["sessions"])


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/events/NOPE/"),
        # A NUL cannot be in any code (and PostgreSQL refuses it in a query): still "no such event".
        ("get", "/api/events/SFH%002022/"),
        ("get", "/api/events/SFH%002022/sessions/1/questions"),
        ("post", "/api/events/SFH%002022/join"),
    ],
)
def test_unknown_event_is_a_json_404(client, event, method, path):
    response = getattr(client, method)(path, data={}, content_type="application/json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_join_anonymous_online_by_default(client, event):
    response = post(client, "/api/events/SFH2022/join", {})
    assert response.status_code == 201
    body = response.json()
    assert body["mode"] == "online" and body["name"] is None
    participant = Participant.objects.get(pk=body["participant"])
    assert participant.token_hash == hash_token(body["token"])
    assert participant.name == ""


def test_join_named_in_the_room(client, event):
    body = post(client, "/api/events/sfh2022/join", {"name": "  Ana ", "mode": "room"}).json()
    assert (body["name"], body["mode"]) == ("Ana", "room")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mode": "stage"}, "mode"),
        ({"name": "x" * 61}, "name"),
        ({"name": 5}, "name"),
        ({"name": "a\u202eb"}, "name"),
        ({"extra": 1}, "extra"),
    ],
)
def test_join_with_bad_fields_is_a_422_naming_the_field(client, event, body, field):
    response = post(client, "/api/events/SFH2022/join", body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]
    assert Participant.objects.count() == 0


@pytest.mark.parametrize("body", ["not json", "[1]", '"x"'])
def test_join_with_a_body_that_is_not_an_object_is_a_4xx(client, event, body):
    response = post(client, "/api/events/SFH2022/join", body)
    assert response.status_code in {400, 422}
    assert response.json()["error"]["code"] in {"bad_request", "invalid"}
    assert Participant.objects.count() == 0


def test_join_an_unknown_event_is_a_404(client, db):
    response = post(client, "/api/events/NOPE/join", {})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_openapi_documents_both_endpoints(client, db):
    schema = client.get("/api/openapi.json").json()
    assert "/api/events/{code}/" in schema["paths"]
    assert "post" in schema["paths"]["/api/events/{code}/join"]
    assert client.get("/api/docs").status_code == 200


def test_unknown_api_path_is_a_json_404(client, db):
    response = client.get("/api/nothing/here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_wrong_method_is_a_json_405(client, event):
    response = client.delete("/api/events/SFH2022/join")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_moderator_signs_in_on_the_login_page(client, event):
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and b"Sign in to LiveHub" in page.content
    response = client.post("/accounts/login/", {"username": "moderator", "password": "sfh2022-moderator"})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_wrong_password_says_so(client, event):
    response = client.post("/accounts/login/", {"username": "moderator", "password": "nope"})
    assert response.status_code == 200 and b"did not match" in response.content
