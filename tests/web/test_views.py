"""The pages: who may open them, what they embed for the first paint, the projector's QR code."""

import json
import re
from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from sessions.rolelinks import role_key_make

pytestmark = pytest.mark.django_db


def bootstrap(response) -> dict:
    match = re.search(rb'<script id="livehub-bootstrap" type="application/json">(.*?)</script>', response.content, re.S)
    assert match, "the page embeds no bootstrap data"
    return json.loads(match.group(1))


def test_landing_offers_a_code_field(client):
    page = client.get("/")
    assert page.status_code == 200 and b'name="code"' in page.content


def test_landing_with_a_known_code_goes_to_the_attend_page(client, event):
    response = client.get("/?code=sfh2022")
    assert response.status_code == 302 and response["Location"] == "/e/SFH2022/"


def test_landing_with_an_unknown_code_says_so(client, event):
    response = client.get("/?code=NOPE")
    assert response.status_code == 200
    assert "There is no event with the code “NOPE”" in response.content.decode()


def test_attend_page_embeds_the_agenda_and_mounts_its_bundle(client, event):
    page = client.get("/e/SFH2022/")
    assert page.status_code == 200
    data = bootstrap(page)
    assert data["page"] == "attend"
    assert data["socket"] == "/ws/events/SFH2022/" and data["join"] == "/api/events/SFH2022/join"
    assert len(data["initial"]["sessions"]) == 9
    assert re.search(rb'<script type="module" src="/static/assets/attend-[^"]+\.js">', page.content)


def test_attend_from_the_qr_code_is_room_mode(client, event):
    assert bootstrap(client.get("/e/SFH2022/?mode=room"))["mode"] == "room"
    assert bootstrap(client.get("/e/SFH2022/?mode=online"))["mode"] == "online"


def test_attend_without_a_mode_leaves_it_to_the_person(client, event):
    """A typed code or a link without ?mode= must not count everyone online: the page asks."""
    assert bootstrap(client.get("/e/SFH2022/"))["mode"] is None
    assert bootstrap(client.get("/e/SFH2022/?mode=hall"))["mode"] is None


def test_landing_placeholder_is_an_example_not_a_real_code(client, event):
    html = client.get("/").content.decode()
    assert 'placeholder="e.g. ABC123"' in html and 'placeholder="SFH2022"' not in html


def test_attend_with_a_lowercase_code_redirects_to_the_canonical_address(client, event):
    response = client.get("/e/sfh2022/?mode=room")
    assert response.status_code == 302 and response["Location"] == "/e/SFH2022/?mode=room"


def test_unknown_event_page_is_a_friendly_404(client, db):
    response = client.get("/e/NOPE/")
    assert response.status_code == 404 and "No event “NOPE”" in response.content.decode()
    assert client.get("/e/SFH%002022/").status_code == 404


def test_hostile_text_in_the_programme_is_escaped_in_the_embedded_json(client, event, roundtable):
    roundtable.title = "</script><script>alert(1)</script>"
    roundtable.save()
    page = client.get("/e/SFH2022/")
    assert b"</script><script>alert(1)" not in page.content
    titles = [s["title"] for s in bootstrap(page)["initial"]["sessions"]]
    assert "</script><script>alert(1)</script>" in titles


@pytest.mark.parametrize("page", ["moderate", "stage", "screen"])
def test_protected_pages_send_strangers_to_sign_in(client, event, page):
    response = client.get(f"/e/SFH2022/{page}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize(
    ("role", "page", "allowed"),
    [
        ("moderator", "moderate", True),
        ("moderator", "stage", True),
        ("moderator", "screen", True),
        ("speaker", "moderate", False),
        ("speaker", "stage", True),
        ("speaker", "screen", True),
        ("screen", "moderate", False),
        ("screen", "stage", False),
        ("screen", "screen", True),
    ],
)
def test_role_links_open_exactly_their_pages(client, event, role, page, allowed):
    key = role_key_make(event=event, role=role, hours=1)
    response = client.get(f"/e/SFH2022/{page}/", {"key": key})
    assert response.status_code == (200 if allowed else 403)
    if allowed:
        data = bootstrap(response)
        assert data["key"] == key and data["initial"]["you"]["role"] == role


def test_an_expired_or_revoked_link_explains_itself(client, event):
    response = client.get("/e/SFH2022/moderate/", {"key": "forged"})
    assert response.status_code == 403
    assert "not valid" in response.content.decode()


def test_a_link_revoked_on_its_own_no_longer_opens_its_page(client, event):
    from staff.models import RoleLink
    from staff.services import role_links_revoke

    key = role_key_make(event=event, role="moderator", hours=1)
    role_links_revoke(links=RoleLink.objects.all())
    response = client.get("/e/SFH2022/moderate/", {"key": key})
    assert response.status_code == 403
    assert "This role link was revoked; ask the organisers for a new one." in response.content.decode()


def test_signed_in_moderator_opens_the_console(client, event, moderator_user):
    client.force_login(moderator_user)
    response = client.get("/e/SFH2022/moderate/")
    assert response.status_code == 200
    assert bootstrap(response)["key"] is None  # the socket uses the login session


def test_signed_in_account_without_a_role_is_refused(client, event, outsider_user):
    client.force_login(outsider_user)
    assert client.get("/e/SFH2022/moderate/").status_code == 403


@pytest.mark.parametrize(
    ("path", "query"),
    [("/e/SFH2022/screen/", "?mode=room"), ("/e/SFH2022/rooms/room-1/screen/", "?mode=room&room=room-1")],
)
def test_screen_shows_a_qr_code_for_the_room_join_link(client, event, settings, path, query):
    """A room's screen points its code at that room: the phone follows it."""
    settings.LIVEHUB_PUBLIC_URL = "https://live.example.org"
    key = role_key_make(event=event, role="screen", hours=1)
    response = client.get(path, {"key": key})
    html = response.content.decode()
    url = f"https://live.example.org/e/SFH2022/{query}"
    assert bootstrap(response)["join_url"] == url
    assert f'data-join-url="{url.replace("&", "&amp;")}"' in html
    assert "<svg" in html and "Join Science for Health 2022" in html
    assert response.get("X-Frame-Options") is None  # the projector page may be embedded


def test_screen_qr_code_uses_the_request_host_without_a_configured_url(client, event, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "192.168.1.20"]
    key = role_key_make(event=event, role="screen", hours=1)
    html = client.get("/e/SFH2022/screen/", {"key": key}, HTTP_HOST="192.168.1.20:8000").content.decode()
    assert 'data-join-url="http://192.168.1.20:8000/e/SFH2022/?mode=room"' in html


def test_other_pages_refuse_framing(client, event):
    assert client.get("/e/SFH2022/")["X-Frame-Options"] == "DENY"


def test_seed_demo_prints_the_page_links(event):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    for page in ("/e/SFH2022/", "/e/SFH2022/moderate/", "/e/SFH2022/stage/", "/e/SFH2022/screen/?key="):
        assert page in text
    link = next(line.split()[-1] for line in text.splitlines() if "Screen link" in line)
    assert parse_qs(urlparse(link).query)["key"]


def test_the_attend_page_links_its_manifest_which_opens_the_event(client, event):
    page = client.get("/e/SFH2022/")
    assert b'<link rel="manifest" href="/e/SFH2022/manifest.webmanifest">' in page.content
    manifest = client.get("/e/SFH2022/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    body = manifest.json()
    assert (body["name"], body["start_url"], body["scope"]) == (event.name, "/e/SFH2022/", "/e/SFH2022/")
    assert [icon["sizes"] for icon in body["icons"]] == ["192x192", "512x512", "512x512"]
    assert client.get("/e/NOPE/manifest.webmanifest").status_code == 404


def test_the_service_worker_is_served_for_the_attend_pages_and_the_policy_allows_only_our_own(client, event):
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker["Content-Type"].startswith("text/javascript")
    assert worker["Service-Worker-Allowed"] == "/e/" and worker["Cache-Control"] == "no-cache"
    assert b"KEEP_PAGE" in worker.content
    header = client.get("/e/SFH2022/")["Content-Security-Policy"]
    policy = dict(part.strip().split(" ", 1) for part in header.split(";"))
    assert policy["worker-src"] == "'self'" and policy["manifest-src"] == "'self'"


def test_the_accessibility_statement_is_served_and_linked_from_the_page_footers(client, event):
    statement = client.get("/accessibility/")
    assert statement.status_code == 200
    assert "<h1>Accessibility statement</h1>" in statement.text
    assert "accessibility@livehub.example" in statement.text
    for path in ("/", "/e/SFH2022/", "/accounts/login/", "/e/NOPE00/"):
        assert 'href="/accessibility/"' in client.get(path).text, path


# --- a room's own stage and screen -------------------------------------------------------------


@pytest.mark.parametrize("page", ["stage", "screen"])
def test_a_room_page_knows_its_room(client, event, page):
    key = role_key_make(event=event, role="moderator", hours=1)
    response = client.get(f"/e/SFH2022/rooms/room-1/{page}/", {"key": key})
    assert response.status_code == 200
    data = bootstrap(response)
    assert data["page"] == page and data["key"] == key
    assert data["room"] == {
        "id": event.rooms.get(slug="room-1").pk,
        "name": "Room 1",
        "slug": "room-1",
        "order": 1,
        "stream_url": None,
        "current_session": None,
    }
    assert "Room 1 — Science for Health 2022" in response.content.decode()


def test_the_event_pages_without_a_room_have_no_room(client, event):
    key = role_key_make(event=event, role="moderator", hours=1)
    for page in ("stage", "screen"):
        assert "room" not in bootstrap(client.get(f"/e/SFH2022/{page}/", {"key": key}))


@pytest.mark.parametrize("page", ["stage", "screen"])
def test_a_room_page_is_protected_like_the_event_page(client, event, page):
    response = client.get(f"/e/SFH2022/rooms/room-1/{page}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    screen_key = role_key_make(event=event, role="screen", hours=1)
    allowed = client.get(f"/e/SFH2022/rooms/room-1/{page}/", {"key": screen_key})
    assert allowed.status_code == (200 if page == "screen" else 403)


def test_a_room_page_opens_for_a_signed_in_speaker(client, event, speaker_user):
    client.force_login(speaker_user)
    assert client.get("/e/SFH2022/rooms/foyer/stage/").status_code == 200


@pytest.mark.parametrize("page", ["stage", "screen"])
def test_an_unknown_room_is_a_404_page_listing_the_rooms(client, event, page):
    key = role_key_make(event=event, role="screen", hours=1)
    response = client.get(f"/e/SFH2022/rooms/hall-9/{page}/", {"key": key})
    html = response.content.decode()
    assert response.status_code == 404
    assert "No room “hall-9” in Science for Health 2022" in html
    assert f'href="/e/SFH2022/rooms/room-1/{page}/?{urlencode({"key": key})}"' in html and ">Foyer</a>" in html
    assert client.get("/e/NOPE/rooms/room-1/screen/").status_code == 404


def test_a_room_page_speaks_the_event_language(client, event):
    event.languages = ["fr"]
    event.save()
    key = role_key_make(event=event, role="screen", hours=1)
    html = client.get("/e/SFH2022/rooms/room-1/screen/", {"key": key}, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert '<html lang="fr">' in html


def test_attend_from_a_room_qr_code_follows_that_room(client, event):
    assert bootstrap(client.get("/e/SFH2022/?mode=room&room=room-1"))["follow"] == "room-1"
    assert bootstrap(client.get("/e/SFH2022/?mode=room&room=hall-9"))["follow"] is None
    assert bootstrap(client.get("/e/SFH2022/"))["follow"] is None
