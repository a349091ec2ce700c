"""/metrics: closed unless configured, and what an operator reads there moves with what happens."""

import urllib.error
import urllib.request

import pytest
from django.db import OperationalError
from prometheus_client.parser import text_string_to_metric_families

from livehub.metrics import REGISTRY
from tests.helpers import Socket
from tests.integration.conftest import start_server

TOKEN = "scrape-me-7f3a"


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scraped(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


# --- who may read it ---


def test_without_a_token_or_an_allow_list_there_is_no_such_page(client, settings):
    settings.LIVEHUB_METRICS_TOKEN, settings.LIVEHUB_METRICS_ALLOW = "", []
    assert client.get("/metrics").status_code == 404


def test_a_scraper_without_the_token_is_asked_for_one(client, settings):
    settings.LIVEHUB_METRICS_TOKEN = TOKEN
    response = client.get("/metrics")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_token_is_refused(client, settings):
    settings.LIVEHUB_METRICS_TOKEN = TOKEN
    response = client.get("/metrics", headers={"Authorization": "Bearer guessed"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert "livehub_" not in response.content.decode()


def test_a_token_with_accents_is_refused_not_a_server_error(client, settings):
    settings.LIVEHUB_METRICS_TOKEN = TOKEN
    response = client.get("/metrics", headers={"Authorization": "Bearer jétön"})
    assert response.status_code == 403


def test_the_right_token_reads_the_metrics(client, settings):
    settings.LIVEHUB_METRICS_TOKEN = TOKEN
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    for name in ("livehub_sockets", "livehub_frames_sent_total", "livehub_joins_total", "process_cpu_seconds_total"):
        assert name in body


def test_a_scraper_at_the_process_address_is_answered_whatever_the_host(client, settings):
    """Prometheus reads each replica at its own address, which ALLOWED_HOSTS does not name."""
    settings.LIVEHUB_METRICS_TOKEN = TOKEN
    settings.SECURE_SSL_REDIRECT = True  # scrapes stay plain HTTP inside the deployment
    headers = {"Authorization": f"Bearer {TOKEN}", "Host": "172.30.53.4:8000"}
    assert client.get("/metrics", headers=headers).status_code == 200
    assert client.get("/healthz", headers=headers).status_code == 400  # every other page still checks it


def test_an_allowed_network_reads_without_a_token(client, settings):
    settings.LIVEHUB_METRICS_ALLOW = ["10.0.0.0/8", "127.0.0.1"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::ffff:127.0.0.1").status_code == 200


def test_an_address_outside_the_allow_list_is_refused(client, settings):
    settings.LIVEHUB_METRICS_ALLOW = ["10.0.0.0/8"]
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_with_both_configured_an_allowed_address_still_needs_the_token(client, settings):
    settings.LIVEHUB_METRICS_TOKEN, settings.LIVEHUB_METRICS_ALLOW = TOKEN, ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 401
    ok = client.get("/metrics", REMOTE_ADDR="10.1.2.3", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200


# --- what it counts ---


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("hub_stopped")
async def test_a_socket_session_moves_the_socket_gauge_the_frames_and_the_command_latency(
    event, roundtable, moderator, attendee
):
    attendees_before = value("livehub_sockets", role="attendee")
    events_before = value("livehub_frames_sent_total", kind="event")
    commands_before = value("livehub_command_seconds_count", command="session.set_status")
    online = await Socket.open(token=attendee.token)
    assert value("livehub_sockets", role="attendee") == attendees_before + 1

    await moderator.send("session.set_status", {"session": roundtable.pk, "status": "live"})
    await online.event("session.updated")
    await online.event("event.updated")
    await moderator.event("event.updated")
    # Two public events, each written to the moderator and the attendee.
    assert value("livehub_frames_sent_total", kind="event") >= events_before + 4
    assert value("livehub_command_seconds_count", command="session.set_status") == commands_before + 1

    await online.close()
    assert value("livehub_sockets", role="attendee") == attendees_before


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("hub_stopped")
async def test_an_unknown_command_type_adds_no_series_of_its_own(event, moderator):
    reply = await moderator.send("made.up.by.a.client", {})
    assert reply["error"]["code"] == "unknown_type"
    assert value("livehub_command_errors_total", command="unknown", code="unknown_type") >= 1
    assert REGISTRY.get_sample_value("livehub_command_seconds_count", {"command": "made.up.by.a.client"}) is None


@pytest.mark.django_db
def test_a_join_refused_with_429_is_counted(client, event, settings):
    settings.LIVEHUB_JOINS_BURST, settings.LIVEHUB_JOINS_PER_MINUTE = 1, 1
    joined, refused = (
        value("livehub_joins_total", outcome="joined"),
        value("livehub_joins_total", outcome="rate_limited"),
    )
    answers = [
        client.post("/api/events/SFH2022/join", {"mode": "room"}, content_type="application/json") for _ in range(2)
    ]
    assert [answer.status_code for answer in answers] == [201, 429]
    assert value("livehub_joins_total", outcome="joined") == joined + 1
    assert value("livehub_joins_total", outcome="rate_limited") == refused + 1


@pytest.mark.django_db
def test_a_join_without_a_database_connection_is_counted_as_503(client, event, monkeypatch):
    def busy(**kwargs):
        raise OperationalError("couldn't get a connection after 10.00 sec")

    monkeypatch.setattr("sessions.services.participant_join", busy)
    before = value("livehub_joins_total", outcome="unavailable")
    answer = client.post("/api/events/SFH2022/join", {"mode": "online"}, content_type="application/json")
    assert answer.status_code == 503
    assert value("livehub_joins_total", outcome="unavailable") == before + 1


@pytest.mark.integration
@pytest.mark.timeout(120)
def test_a_server_with_a_database_pool_shows_it(tmp_path, transactional_db):
    server = start_server(tmp_path, env={"LIVEHUB_METRICS_TOKEN": TOKEN, "LIVEHUB_DB_POOL_MAX": "7"})
    try:
        request = urllib.request.Request(f"{server.http}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            samples = scraped(response.read().decode())
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{server.http}/metrics", timeout=10)
        assert refused.value.code == 401
    finally:
        server.stop()
    assert samples[("livehub_db_pool_max", ())] == 7
    assert samples[("livehub_db_pool_size", ())] >= 1  # /healthz opened it
    assert 0 <= samples[("livehub_db_pool_in_use", ())] <= 7
    assert samples[("livehub_db_pool_waiting", ())] == 0
    assert ("livehub_db_pool_timeouts_total", ()) in samples
