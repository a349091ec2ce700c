"""The livestream overlay: opened like the screen (a screen, moderator or speaker link, or an
account with such a role), refused otherwise; a transparent page of its own bundle."""

import re
import time

import pytest

from sessions.rolelinks import role_key_make
from tests.web.test_views import bootstrap

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["screen", "moderator", "speaker"])
def test_a_role_link_opens_the_overlay(client, event, role):
    key = role_key_make(event=event, role=role, hours=1)
    response = client.get("/e/SFH2022/overlay/", {"key": key})
    assert response.status_code == 200
    data = bootstrap(response)
    assert (data["page"], data["key"], data["initial"]["you"]["role"]) == ("overlay", key, role)
    assert re.search(rb'<script type="module" src="/static/assets/overlay-[^"]+\.js">', response.content)
    assert b'<body class="page-overlay"' in response.content


def test_a_signed_in_moderator_opens_it_with_the_login(client, event, moderator_user):
    client.force_login(moderator_user)
    response = client.get("/e/SFH2022/overlay/")
    assert response.status_code == 200 and bootstrap(response)["key"] is None


def test_without_a_link_the_stranger_is_sent_to_sign_in(client, event):
    response = client.get("/e/SFH2022/overlay/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_an_attendee_is_refused(client, event, attendee, outsider_user):
    # An attendee's token is no role link…
    response = client.get("/e/SFH2022/overlay/", {"key": attendee.token})
    assert response.status_code == 403 and "not valid" in response.content.decode()
    # …and an account without a role on the event opens nothing.
    client.force_login(outsider_user)
    assert client.get("/e/SFH2022/overlay/").status_code == 403


def test_an_unknown_event_is_a_404(client, db):
    response = client.get("/e/NOPE/overlay/")
    assert response.status_code == 404 and "No event “NOPE”" in response.content.decode()


def test_it_speaks_the_events_language_like_the_screen(client, event):
    event.languages = ["fr", "en"]
    event.save()
    key = role_key_make(event=event, role="screen", hours=1)
    response = client.get("/e/SFH2022/overlay/", {"key": key}, HTTP_ACCEPT_LANGUAGE="nl")
    assert b'<html lang="fr">' in response.content


def test_a_rooms_overlay_knows_its_room_and_an_unknown_room_lists_them(client, event):
    key = role_key_make(event=event, role="screen", hours=1)
    response = client.get("/e/SFH2022/rooms/room-1/overlay/", {"key": key})
    assert response.status_code == 200
    data = bootstrap(response)
    assert data["page"] == "overlay" and data["room"]["slug"] == "room-1"
    assert "room" not in bootstrap(client.get("/e/SFH2022/overlay/", {"key": key}))
    unknown = client.get("/e/SFH2022/rooms/hall-9/overlay/", {"key": key})
    assert unknown.status_code == 404 and 'href="/e/SFH2022/rooms/room-1/overlay/?' in unknown.content.decode()
    assert client.get("/e/SFH2022/rooms/room-1/overlay/").status_code == 302


def framable(response) -> bool:
    """Another site may show the page in its frame: no X-Frame-Options, no CSP frame-ancestors."""
    return "X-Frame-Options" not in response and "frame-ancestors" not in response["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/e/SFH2022/overlay/", "/e/SFH2022/rooms/room-1/overlay/"])
def test_a_stream_producers_page_may_frame_the_overlay(client, event, path):
    key = role_key_make(event=event, role="screen", hours=1)
    response = client.get(path, {"key": key})
    assert response.status_code == 200 and framable(response)
    # Only framing is relaxed: scripts still come from our own origin alone.
    assert "script-src 'self';" in response["Content-Security-Policy"]


def test_a_bad_link_is_explained_inside_the_producers_frame(client, event):
    response = client.get("/e/SFH2022/overlay/", {"key": "forged"})
    assert response.status_code == 403 and framable(response)


def test_an_expired_link_is_explained_inside_the_producers_frame(client, event, monkeypatch):
    key = role_key_make(event=event, role="screen", hours=1)
    later = time.time() + 2 * 3600
    monkeypatch.setattr("sessions.rolelinks.time.time", lambda: later)
    response = client.get("/e/SFH2022/overlay/", {"key": key})
    assert response.status_code == 403 and "expired" in response.content.decode() and framable(response)


def test_an_unknown_event_or_room_is_explained_inside_the_producers_frame(client, event):
    key = role_key_make(event=event, role="screen", hours=1)
    assert framable(client.get("/e/NOPE/overlay/"))
    assert framable(client.get("/e/SFH2022/rooms/hall-9/overlay/", {"key": key}))


@pytest.mark.parametrize("path", ["/e/SFH2022/", "/e/SFH2022/moderate/", "/e/SFH2022/stage/", "/accounts/login/"])
def test_every_other_page_still_refuses_framing(client, event, path):
    key = role_key_make(event=event, role="moderator", hours=1)
    response = client.get(path, {"key": key})
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


STUDIOS = ["https://studio.example.org", "https://*.producers.example"]


@pytest.mark.parametrize("path", ["/e/SFH2022/overlay/", "/e/SFH2022/rooms/room-1/overlay/"])
def test_the_operators_list_names_who_may_frame_the_overlay(client, event, settings, path):
    settings.LIVEHUB_OVERLAY_FRAME_ANCESTORS = STUDIOS
    key = role_key_make(event=event, role="screen", hours=1)
    response = client.get(path, {"key": key})
    assert response.status_code == 200 and "X-Frame-Options" not in response
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://studio.example.org https://*.producers.example" in policy
    assert "frame-ancestors 'none'" not in policy and "script-src 'self';" in policy


def test_with_the_list_the_overlays_refusals_are_framed_by_those_sites_alone(client, event, settings):
    settings.LIVEHUB_OVERLAY_FRAME_ANCESTORS = STUDIOS
    key = role_key_make(event=event, role="screen", hours=1)
    for response in (
        client.get("/e/SFH2022/overlay/", {"key": "forged"}),
        client.get("/e/NOPE/overlay/"),
        client.get("/e/SFH2022/rooms/hall-9/overlay/", {"key": key}),
    ):
        assert response.status_code in (403, 404)
        assert "frame-ancestors 'self' https://studio.example.org" in response["Content-Security-Policy"]


def test_with_the_list_the_screen_and_other_pages_are_as_before(client, event, settings):
    settings.LIVEHUB_OVERLAY_FRAME_ANCESTORS = STUDIOS
    key = role_key_make(event=event, role="moderator", hours=1)
    assert framable(client.get("/e/SFH2022/screen/", {"key": key}))
    for path in ("/e/SFH2022/", "/e/SFH2022/moderate/", "/e/SFH2022/report/"):
        response = client.get(path, {"key": key})
        assert response["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
