"""The organiser pages: each form saves what is valid, names the field that is not, and is only
for accounts that may organise."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from organiser.models import EventLook
from polls.models import Poll
from sessions.models import Event, EventRole, Session
from staff.models import RoleLink
from tests.agenda.test_import_agenda import near_valid_schedules, near_valid_text_files
from tests.organiser.test_services import PNG, SVG
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def field_error(response, field: str) -> str:
    """The error shown under `field` (the page says which field is wrong, in words)."""
    assert response.status_code == 400, response.status_code
    errors = response.context["form"].errors if "form" in response.context else {}
    assert field in errors, f"no error on {field}: {errors}"
    html = response.content.decode()
    assert f'data-field="{field}"' in html and 'class="error"' in html
    return " ".join(errors[field])


# Who may open the pages ------------------------------------------------------------------------


def test_signed_out_people_are_sent_to_sign_in(client, event):
    response = client.get("/organise/SFH2022/sessions/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize(
    "url", ["/organise/", "/organise/SFH2022/", "/organise/SFH2022/look/", "/organise/SFH2022/agenda/"]
)
def test_an_account_without_the_permission_is_refused(client, event, moderator_user, url):
    client.force_login(moderator_user)  # moderates SFH2022, but organises nothing
    response = client.get(url)
    assert response.status_code == 403
    assert "may not organise" in response.content.decode()


def test_a_post_without_the_permission_changes_nothing(client, event, plain_user):
    client.force_login(plain_user)
    response = client.post("/organise/SFH2022/blocklist/", {"words": "x"})
    assert response.status_code == 403
    assert event.blocked_words.count() > 1


def test_an_unknown_event_is_404(organiser, event):
    assert organiser.get("/organise/NOPE/").status_code == 404
    assert organiser.get("/organise/SFH2022/sessions/999999/").status_code == 404


# Each organiser opens only the events they organise -----------------------------------------


def _items_of(other) -> dict[str, int]:
    """An id of each kind of item the organiser pages address, all of `other`."""
    from polls.services import poll_create

    moderator = get_user_model().objects.create_user("bob")
    return {
        "session_id": other.sessions.first().pk,
        "room_id": other.rooms.first().pk,
        "speaker_id": other.speakers.first().pk,
        "role_id": EventRole.objects.create(event=other, user=moderator, role="moderator").pk,
        "link_id": RoleLink.objects.create(event=other, role="moderator", expires_at=datetime.now(UTC)).pk,
        "poll_id": poll_create(event_id=other.pk, actor="x", kind="rating", prompt="Elsewhere?").pk,
        "endpoint_id": Endpoint.objects.create(event=other, url=HOOK["url"], events=["poll.closed"]).pk,
    }


def _event_urls(other) -> list[str]:
    """Every organiser address of `other` (each page, each item, each action), and its report."""
    from django.urls import reverse

    from organiser.urls import urlpatterns

    items = _items_of(other)
    urls = [reverse("web:report", args=[other.code]), reverse("web:export", args=[other.code, "xlsx"])]
    for pattern in urlpatterns:
        names = set(pattern.pattern.converters)
        if "code" in names and pattern.name != "logo":
            urls.append(reverse(f"organiser:{pattern.name}", kwargs={"code": other.code} | {
                name: items[name] for name in names - {"code"}
            }))  # fmt: skip
    return urls


def test_an_organiser_gets_404_on_every_page_of_an_event_they_do_not_organise(organiser, event, other_event):
    urls = _event_urls(other_event)
    assert len(urls) == 31  # the report, the export and the 29 organiser addresses
    for url in urls:
        assert organiser.get(url).status_code == 404, url
        assert organiser.post(url, {"name": "Taken over", "words": "x"}).status_code in (404, 405), url
    other_event.refresh_from_db()
    assert other_event.name == "Brussels Biotech Day" and other_event.rooms.count() == 1


def test_an_organiser_lists_only_the_events_they_organise(organiser, event, other_event):
    page = organiser.get("/organise/").content.decode()
    assert "Science for Health" in page and "/organise/SFH2022/" in page
    assert "Brussels Biotech Day" not in page and "BBD2025" not in page


def test_an_organiser_of_no_event_is_told_how_to_get_one(client, event, other_event):
    from organiser.services import organiser_create

    client.force_login(organiser_create(username="nadia", password="a long organiser passphrase"))
    page = client.get("/organise/").content.decode()
    assert "You organise no event yet" in page and "Science for Health" not in page


def test_a_superuser_lists_and_opens_every_event(client, event, other_event):
    client.force_login(get_user_model().objects.create_superuser("root", password="a long root passphrase"))
    assert "Brussels Biotech Day" in client.get("/organise/").content.decode()
    assert client.get("/organise/BBD2025/sessions/").status_code == 200


def test_an_organiser_granted_a_second_event_opens_it(organiser, organiser_user, other_event):
    other_event.organisers.add(organiser_user)
    assert organiser.get("/organise/BBD2025/rooms/").status_code == 200
    assert "Brussels Biotech Day" in organiser.get("/organise/").content.decode()


def test_forms_need_the_csrf_token(event, organiser_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser_user)
    assert client.post("/organise/SFH2022/blocklist/", {"words": "x"}).status_code == 403


# Events -------------------------------------------------------------------------------------


NEW_EVENT = {
    "code": "BIO2025",
    "name": "Bio Days 2025",
    "timezone": "Europe/Brussels",
    "starts_on": "2025-03-10",
    "ends_on": "2025-03-11",
    "venue": "Flagey",
    "city": "Brussels",
    "organiser": "",
}


def test_the_list_shows_the_events(organiser, event):
    page = organiser.get("/organise/")
    assert page.status_code == 200 and "Science for Health" in page.content.decode()


def test_create_an_event(organiser, db):
    response = organiser.post("/organise/", NEW_EVENT)
    assert response.status_code == 302 and response["Location"] == "/organise/BIO2025/"
    assert Event.objects.get(code="BIO2025").venue == "Flagey"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timezone", "Europe/Brusels", "time zone"),
        ("code", "a b", "letters, digits"),
        ("ends_on", "2025-03-01", "before the first day"),
        ("name", "", "required"),
    ],
)
def test_create_an_event_names_the_wrong_field(organiser, db, field, value, message):
    response = organiser.post("/organise/", {**NEW_EVENT, field: value})
    assert message in field_error(response, field)
    assert not Event.objects.filter(code="BIO2025").exists()


def test_create_an_event_refuses_a_taken_code(organiser, event):
    response = organiser.post("/organise/", {**NEW_EVENT, "code": "sfh2022"})
    assert "already exists" in field_error(response, "code")


def settings_of(event: Event, **changes) -> dict:
    data = {
        **{name: getattr(event, name) for name in ["code", "name", "timezone", "venue", "city", "organiser"]},
        "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat(),
        "stream_delay": event.stream_delay,
        "stream_url": event.stream_url,
        "languages": ", ".join(event.languages),
        "projector": event.projector,
        "projector_interval": event.projector_interval,
        **({"auto_approve": "on"} if event.auto_approve else {}),
    }
    return {**data, **changes}


def test_settings_are_saved(organiser, event):
    response = organiser.post(
        "/organise/SFH2022/", settings_of(event, venue="Square", stream_delay=35, require_names="on")
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.venue, event.stream_delay, event.require_names) == ("Square", 35, True)


def test_the_events_livestream_is_saved(organiser, event):
    response = organiser.post("/organise/SFH2022/", settings_of(event, stream_url="https://stream.example/sfh"))
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.stream_url == "https://stream.example/sfh"


def test_an_events_livestream_on_ftp_is_refused_naming_the_field(organiser, event):
    response = organiser.post("/organise/SFH2022/", settings_of(event, stream_url="ftp://stream.example/sfh"))
    assert "https://" in field_error(response, "stream_url")
    event.refresh_from_db()
    assert event.stream_url == ""


def test_turning_auto_approve_on_is_logged(organiser, event):
    organiser.post("/organise/SFH2022/", settings_of(event, auto_approve="on"))
    event.refresh_from_db()
    assert event.auto_approve
    from audit.models import ModerationAction

    assert ModerationAction.objects.filter(event=event, action="auto_approve_on", actor="olivia").exists()


def test_settings_name_the_wrong_field(organiser, event):
    response = organiser.post("/organise/SFH2022/", settings_of(event, timezone="Mars/Olympus", venue="Changed"))
    assert "time zone" in field_error(response, "timezone")
    response = organiser.post("/organise/SFH2022/", settings_of(event, stream_delay=5000))
    assert "600" in field_error(response, "stream_delay")
    event.refresh_from_db()
    assert event.venue != "Changed"


def test_the_events_page_offers_its_data_and_its_report(organiser, event):
    html = organiser.get("/organise/SFH2022/").content.decode()
    assert 'data-testid="organiser-exports"' in html
    for format in ("xlsx", "csv", "json"):
        assert f'href="/e/SFH2022/export.{format}"' in html
    assert 'href="/e/SFH2022/report/"' in html
    assert organiser.get("/e/SFH2022/export.json").status_code == 200
    french = organiser.get("/organise/SFH2022/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Exporter les données" in french and "Classeur Excel (.xlsx)" in french


def test_the_languages_are_typed_in_order_and_the_projector_made_bilingual(organiser, event):
    response = organiser.post("/organise/SFH2022/", settings_of(event, languages="FR, nl en", projector="side_by_side"))
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.languages, event.projector) == (["fr", "nl", "en"], "side_by_side")


@pytest.mark.parametrize(("typed", "message"), [("fr, de", "Unknown language de"), ("", "required"), ("fr fr", "once")])
def test_wrong_languages_are_named(organiser, event, typed, message):
    response = organiser.post("/organise/SFH2022/", settings_of(event, languages=typed))
    assert message in field_error(response, "languages")
    event.refresh_from_db()
    assert event.languages == ["en"]


# Sessions -----------------------------------------------------------------------------------


def session_data(event, **changes) -> dict:
    speaker = event.speakers.first()
    return {
        "title": "Gene therapy pricing",
        "kind": "talk",
        "room": event.rooms.first().pk if event.rooms.exists() else "",
        "starts_at": "2022-11-17T09:00",
        "ends_at": "2022-11-17T09:45",
        "speakers": [speaker.pk],
        "description": "",
        "stream_url": "",
        **changes,
    }


def test_the_sessions_are_listed_by_day_in_the_events_time(organiser, event):
    session = event.sessions.order_by("starts_at").first()
    page = organiser.get("/organise/SFH2022/sessions/").content.decode()
    local = session.starts_at.astimezone(ZoneInfo(event.timezone))
    assert session.title in page
    assert local.strftime("%H:%M") + "\u2013" in page and local.strftime("%A %-d %B %Y") in page


def test_add_a_session_in_the_events_time_zone(organiser, event):
    response = organiser.post("/organise/SFH2022/sessions/new/", session_data(event))
    assert response.status_code == 302
    session = event.sessions.get(title="Gene therapy pricing")
    assert session.starts_at == datetime(2022, 11, 17, 8, 0, tzinfo=UTC)  # 09:00 in Brussels
    assert session.speakers.count() == 1


def test_edit_a_session_shows_and_keeps_local_times(organiser, event):
    session = event.sessions.first()
    page = organiser.get(f"/organise/SFH2022/sessions/{session.pk}/").content.decode()
    local = session.starts_at.astimezone(ZoneInfo(event.timezone)).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{local}"' in page
    response = organiser.post(f"/organise/SFH2022/sessions/{session.pk}/", session_data(event, title="Renamed"))
    assert response.status_code == 302
    assert Session.objects.get(pk=session.pk).title == "Renamed"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ends_at", "2022-11-17T08:00", "end after it starts"),
        ("starts_at", "tomorrow", "valid date"),
        ("kind", "party", "valid choice"),
        ("stream_url", "not a url", "valid web address"),
        ("stream_url", "ftp://stream.example/live", "https://"),
        ("room", "999999", "valid choice"),
    ],
)
def test_a_session_form_names_the_wrong_field_and_keeps_the_text(organiser, event, field, value, message):
    response = organiser.post("/organise/SFH2022/sessions/new/", session_data(event, **{field: value}))
    assert message in field_error(response, field)
    assert "Gene therapy pricing" in response.content.decode()  # nothing typed is lost
    assert not event.sessions.filter(title="Gene therapy pricing").exists()


def test_deleting_a_session_with_questions_is_refused_with_a_message(organiser, event, roundtable, attendee, ask):
    ask(attendee)
    response = organiser.post(f"/organise/SFH2022/sessions/{roundtable.pk}/delete/", follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert Session.objects.filter(pk=roundtable.pk).exists()


def test_delete_a_session(organiser, event):
    quiet = event.sessions.exclude(pk=event.current_session_id).filter(questions__isnull=True).first()
    response = organiser.post(f"/organise/SFH2022/sessions/{quiet.pk}/delete/", follow=True)
    assert "is deleted" in response.content.decode()
    assert not Session.objects.filter(pk=quiet.pk).exists()


# Rooms --------------------------------------------------------------------------------------


def test_add_edit_and_delete_a_room(organiser, event):
    response = organiser.post(
        "/organise/SFH2022/rooms/", {"name": "Copper Room", "slug": "", "order": 5, "stream_url": ""}
    )
    assert response.status_code == 302
    room = event.rooms.get(name="Copper Room")
    assert room.slug == "copper-room"
    organiser.post(f"/organise/SFH2022/rooms/{room.pk}/", {"name": "Copper", "slug": "copper", "order": 5,
                                                          "stream_url": "https://stream.example/copper"})  # fmt: skip
    room.refresh_from_db()
    assert (room.name, room.slug, room.stream_url) == ("Copper", "copper", "https://stream.example/copper")
    organiser.post(f"/organise/SFH2022/rooms/{room.pk}/delete/")
    assert not event.rooms.filter(pk=room.pk).exists()


def test_a_room_name_taken_is_named(organiser, event):
    organiser.post("/organise/SFH2022/rooms/", {"name": "Copper", "slug": "", "order": 1, "stream_url": ""})
    response = organiser.post("/organise/SFH2022/rooms/", {"name": "Copper", "slug": "", "order": 2, "stream_url": ""})
    assert "has this name" in field_error(response, "name")
    response = organiser.post(
        "/organise/SFH2022/rooms/", {"name": "Other", "slug": "copper", "order": 2, "stream_url": ""}
    )
    assert "has this slug" in field_error(response, "slug")
    response = organiser.post(
        "/organise/SFH2022/rooms/", {"name": "Other", "slug": "a b", "order": 2, "stream_url": ""}
    )
    field_error(response, "slug")


def test_a_room_livestream_on_ftp_is_refused_naming_the_field(organiser, event):
    response = organiser.post(
        "/organise/SFH2022/rooms/", {"name": "Copper", "slug": "", "order": 1, "stream_url": "ftp://stream.example/a"}
    )
    assert "https://" in field_error(response, "stream_url")
    assert not event.rooms.filter(name="Copper").exists()


def test_a_room_with_sessions_is_not_deleted(organiser, event):
    room = event.sessions.exclude(room=None).first().room
    response = organiser.post(f"/organise/SFH2022/rooms/{room.pk}/delete/", follow=True)
    assert "move or delete them first" in response.content.decode()
    assert event.rooms.filter(pk=room.pk).exists()


# Speakers -----------------------------------------------------------------------------------


def test_add_rename_and_remove_a_speaker(organiser, event):
    assert (
        organiser.post("/organise/SFH2022/speakers/", {"name": " Ada  Lovelace ", "affiliation": "UCL"}).status_code
        == 302
    )
    ada = event.speakers.get(name="Ada Lovelace")
    organiser.post(f"/organise/SFH2022/speakers/{ada.pk}/", {"name": "Ada King", "affiliation": "UCL"})
    ada.refresh_from_db()
    assert ada.name == "Ada King"
    organiser.post(f"/organise/SFH2022/speakers/{ada.pk}/delete/")
    assert not event.speakers.filter(pk=ada.pk).exists()


def test_a_speaker_name_taken_is_named(organiser, event):
    taken = event.speakers.first().name
    response = organiser.post("/organise/SFH2022/speakers/", {"name": taken, "affiliation": ""})
    assert "already has a speaker" in field_error(response, "name")


# People -------------------------------------------------------------------------------------


def test_grant_and_revoke_a_role(organiser, event, outsider_user):
    response = organiser.post("/organise/SFH2022/people/grant/", {"username": "outsider", "role": "moderator"})
    assert response.status_code == 302
    grant = EventRole.objects.get(event=event, user=outsider_user)
    organiser.post(f"/organise/SFH2022/people/{grant.pk}/revoke/")
    assert not EventRole.objects.filter(pk=grant.pk).exists()


def test_granting_to_an_unknown_account_names_it(organiser, event):
    response = organiser.post("/organise/SFH2022/people/grant/", {"username": "nobody", "role": "moderator"})
    assert response.status_code == 400
    assert "no account" in " ".join(response.context["role_form"].errors["username"])


def test_make_a_link_then_revoke_it(organiser, event):
    response = organiser.post("/organise/SFH2022/links/", {"link-role": "speaker", "link-hours": 48})
    assert response.status_code == 200
    url = response.context["new_link"]
    assert "/e/SFH2022/stage/?key=" in url
    link = RoleLink.objects.get(event=event, role="speaker", issued_by__username="olivia")
    key = url.split("key=")[1]
    assert organiser.get(f"/e/SFH2022/stage/?key={key}").status_code == 200
    organiser.post(f"/organise/SFH2022/links/{link.pk}/revoke/")
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert organiser.get(f"/e/SFH2022/stage/?key={key}").status_code == 403


def test_a_link_for_too_long_names_the_hours(organiser, event):
    response = organiser.post("/organise/SFH2022/links/", {"link-role": "speaker", "link-hours": 9999})
    assert response.status_code == 400
    assert "hours" in response.context["link_form"].errors


# Block list and polls -----------------------------------------------------------------------


def test_save_the_block_list(organiser, event):
    assert organiser.post("/organise/SFH2022/blocklist/", {"words": "spam\neggs"}).status_code == 302
    assert sorted(event.blocked_words.values_list("word", flat=True)) == ["eggs", "spam"]


def test_the_block_list_names_an_entry_of_two_words(organiser, event):
    response = organiser.post("/organise/SFH2022/blocklist/", {"words": "spam\nno-way"})
    assert "no-way" in field_error(response, "words")


def test_prepare_a_poll_as_a_draft(organiser, event, roundtable):
    data = {"session": roundtable.pk, "kind": "single", "prompt": "Who pays?", "options": "State\nInsurer\nPatient"}
    assert organiser.post("/organise/SFH2022/polls/", data).status_code == 302
    poll = Poll.objects.get(prompt="Who pays?")
    assert (poll.state, poll.session_id, poll.options.count()) == ("draft", roundtable.pk, 3)


def test_a_poll_with_one_option_names_the_options(organiser, event, roundtable):
    data = {"session": roundtable.pk, "kind": "single", "prompt": "Who pays?", "options": "State"}
    assert "option" in field_error(organiser.post("/organise/SFH2022/polls/", data), "options")


def test_prepare_a_poll_with_its_translations(organiser, event, roundtable):
    event.languages = ["en", "fr", "nl"]
    event.save(update_fields=["languages"])
    form = organiser.get("/organise/SFH2022/polls/").content.decode()
    assert "Question (Français)" in form and "Options (Nederlands)" in form
    data = {"session": roundtable.pk, "kind": "single", "prompt": "Who pays?", "options": "State\nInsurer\nPatient"}
    data |= {"prompt_fr": "Qui paie ?", "options_fr": "L'État\n\nLe patient\n\n", "prompt_nl": "", "options_nl": ""}
    assert organiser.post("/organise/SFH2022/polls/", data).status_code == 302
    poll = Poll.objects.get(prompt="Who pays?")
    assert poll.translations == {"fr": {"prompt": "Qui paie ?", "options": ["L'État", "", "Le patient"]}}
    assert "Translations: FR" in organiser.get("/organise/SFH2022/polls/").content.decode()


def test_a_translation_with_too_many_options_names_its_field(organiser, event, roundtable):
    event.languages = ["en", "nl"]
    event.save(update_fields=["languages"])
    data = {"session": roundtable.pk, "kind": "single", "prompt": "Who pays?", "options": "State\nInsurer"}
    data |= {"prompt_nl": "", "options_nl": "De staat\nDe verzekeraar\nDe patiënt"}
    assert "label" in field_error(organiser.post("/organise/SFH2022/polls/", data), "options_nl")
    data["options_nl"] = "De staat\nde staat"
    assert "differ" in field_error(organiser.post("/organise/SFH2022/polls/", data), "options_nl")
    assert not Poll.objects.exists()


def draft_of(event, roundtable, **fields):
    from polls.services import poll_create

    defaults = {"kind": "single", "prompt": "Who pays?", "options": ["State", "Insurer"], "session_id": roundtable.pk}
    return poll_create(event_id=event.pk, actor="olivia", **{**defaults, **fields})


def test_a_draft_is_edited_in_place(organiser, event, roundtable):
    poll = draft_of(event, roundtable)
    page = organiser.get(f"/organise/SFH2022/polls/{poll.pk}/")
    assert page.status_code == 200 and page.context["form"]["options"].value() == "State\nInsurer"
    data = {"session": "", "kind": "rating", "prompt": "How clear was it?", "options": "", "scale": "10"}
    assert organiser.post(f"/organise/SFH2022/polls/{poll.pk}/", data).status_code == 302
    poll.refresh_from_db()
    assert (poll.kind, poll.prompt, poll.scale, poll.session_id, poll.options.count()) == (
        "rating", "How clear was it?", 10, None, 0,
    )  # fmt: skip


def test_a_draft_edit_names_the_field_and_changes_nothing(organiser, event, roundtable):
    poll = draft_of(event, roundtable)
    data = {"session": roundtable.pk, "kind": "single", "prompt": "Who pays?", "options": "State"}
    assert "option" in field_error(organiser.post(f"/organise/SFH2022/polls/{poll.pk}/", data), "options")
    assert poll.options.count() == 2


def test_an_opened_poll_is_listed_read_only(organiser, event, roundtable):
    from polls.services import poll_open

    poll = poll_open(event_id=event.pk, poll_id=draft_of(event, roundtable).pk, actor="mo")
    page = organiser.get("/organise/SFH2022/polls/").content.decode()
    assert f"/polls/{poll.pk}/delete/" not in page and "state-open" in page
    refused = organiser.get(f"/organise/SFH2022/polls/{poll.pk}/", follow=True)
    assert "Only drafts can be edited" in refused.content.decode()
    deleting = organiser.post(f"/organise/SFH2022/polls/{poll.pk}/delete/", follow=True)
    assert "Only drafts can be deleted" in deleting.content.decode()
    assert Poll.objects.filter(pk=poll.pk).exists()
    data = {"session": roundtable.pk, "kind": "single", "prompt": "Changed?", "options": "A\nB"}
    assert organiser.post(f"/organise/SFH2022/polls/{poll.pk}/", data).status_code == 302
    assert Poll.objects.get(pk=poll.pk).prompt == "Who pays?"


def test_a_draft_is_deleted(organiser, event, roundtable):
    poll = draft_of(event, roundtable)
    done = organiser.post(f"/organise/SFH2022/polls/{poll.pk}/delete/", follow=True)
    assert "The draft is deleted." in done.content.decode()
    assert not Poll.objects.filter(pk=poll.pk).exists()


def test_a_poll_of_another_event_is_not_found(organiser, event, another_event):
    from polls.services import poll_create

    other = poll_create(event_id=another_event.pk, actor="x", kind="rating", prompt="Elsewhere?")
    assert organiser.get(f"/organise/SFH2022/polls/{other.pk}/").status_code == 404
    organiser.post(f"/organise/SFH2022/polls/{other.pk}/delete/")
    assert Poll.objects.filter(pk=other.pk).exists()


# Agenda upload ------------------------------------------------------------------------------


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_upload_previews_then_applies(organiser, event):
    content = (EXAMPLES / "schedule.json").read_bytes()
    preview = organiser.post("/organise/SFH2022/agenda/", {"file": upload("schedule.json", content)})
    assert preview.status_code == 200
    plan = preview.context["plan"]
    assert len(plan.created) == 30
    assert not event.sessions.filter(external_id__isnull=False).exists()  # nothing written yet
    response = organiser.post("/organise/SFH2022/agenda/apply/", {"digest": preview.context["digest"]}, follow=True)
    assert "Created: 30," in response.content.decode()
    assert event.sessions.filter(external_id__isnull=False).count() == 30


def test_a_stale_preview_is_not_applied(organiser, event):
    response = organiser.post("/organise/SFH2022/agenda/apply/", {"digest": "0" * 64}, follow=True)
    assert "upload the file again" in response.content.decode()


def test_a_bad_file_names_the_row_and_the_field(organiser, event):
    csv = b"id,start,end,title\nA,2022-11-17T09:00,2022-11-17T10:00,Good\nB,tomorrow,2022-11-17T10:00,Bad\n"
    response = organiser.post("/organise/SFH2022/agenda/", {"file": upload("agenda.csv", csv)})
    message = field_error(response, "file")
    assert "row 3" in message and "'start'" in message
    assert not event.sessions.filter(title="Good").exists()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "ligne 3 (session « Bad ») : champ 'start' : 'tomorrow' n'est pas une date et une heure"),
        ("nl", "rij 3 (sessie “Bad”): veld 'start': 'tomorrow' is geen datum en tijd"),
    ],
)
def test_a_bad_file_is_explained_in_the_organiser_s_language(organiser, event, language, expected):
    csv = b"id,start,end,title\nA,2022-11-17T09:00,2022-11-17T10:00,Good\nB,tomorrow,2022-11-17T10:00,Bad\n"
    response = organiser.post(
        "/organise/SFH2022/agenda/", {"file": upload("agenda.csv", csv)}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert expected in field_error(response, "file")


# Look ---------------------------------------------------------------------------------------


def test_set_the_colour_and_logo_and_the_pages_show_them(organiser, client, event):
    response = organiser.post("/organise/SFH2022/look/", {"colour": "#0f766e", "logo": upload("logo.png", PNG)})
    assert response.status_code == 302
    attend = client.get("/e/SFH2022/").content.decode()
    assert 'style="--brand: #0f766e"' in attend
    look = EventLook.objects.get(event=event)
    logo_url = f"/e/SFH2022/logo?v={int(look.logo_updated_at.timestamp())}"
    assert logo_url in attend
    logo = client.get(logo_url)
    assert logo.status_code == 200 and logo.content == PNG and logo["Content-Type"] == "image/png"
    assert "immutable" in logo["Cache-Control"]
    look_page = organiser.get("/organise/SFH2022/look/").content.decode()
    assert "Button text 5.5:1" in look_page and "On the projector 3.5:1" in look_page


def test_an_svg_logo_is_served_sandboxed(organiser, client, event):
    organiser.post("/organise/SFH2022/look/", {"colour": "", "logo": upload("logo.svg", SVG)})
    logo = client.get("/e/SFH2022/logo")
    assert logo["Content-Type"] == "image/svg+xml"
    assert "sandbox" in logo["Content-Security-Policy"] and "default-src 'none'" in logo["Content-Security-Policy"]
    assert logo["X-Content-Type-Options"] == "nosniff"
    assert client.get("/e/SFH2022/logo", HTTP_IF_NONE_MATCH=logo["ETag"]).status_code == 304


def test_a_colour_without_contrast_names_the_field_with_a_suggestion(organiser, event):
    response = organiser.post("/organise/SFH2022/look/", {"colour": "#ffcc00"})
    assert "nearest colour that passes" in field_error(response, "colour")


def test_a_logo_that_is_not_an_image_names_the_field(organiser, event):
    response = organiser.post("/organise/SFH2022/look/", {"colour": "", "logo": upload("logo.png", b"hello")})
    assert "PNG, JPEG, WebP or SVG" in field_error(response, "logo")


def test_no_logo_is_404(client, event):
    assert client.get("/e/SFH2022/logo").status_code == 404


# Clone --------------------------------------------------------------------------------------


def test_clone_an_event(organiser, event):
    response = organiser.post("/organise/SFH2022/clone/", {"code": "SFH2023", "name": "SFH 2023", "days": 364})
    assert response.status_code == 302 and response["Location"] == "/organise/SFH2023/"
    copy = Event.objects.get(code="SFH2023")
    assert copy.sessions.count() == event.sessions.count()
    assert list(copy.rooms.values_list("name", flat=True)) == list(event.rooms.values_list("name", flat=True))


def test_clone_names_a_taken_code(organiser, event):
    response = organiser.post("/organise/SFH2022/clone/", {"code": "SFH2022", "name": "Again", "days": 364})
    assert "already exists" in field_error(response, "code")


def test_organiser_accounts_are_plain_accounts(organiser_user):
    assert not organiser_user.is_superuser
    assert get_user_model().objects.filter(username="olivia").exists()


@seed(15)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(content=st.one_of(near_valid_schedules(), near_valid_text_files()))
def test_a_near_valid_upload_is_previewed_or_refused_on_its_field_never_a_500(organiser, event, content):
    response = organiser.post("/organise/SFH2022/agenda/", {"file": upload("agenda", content)})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert field_error(response, "file").strip()
    else:
        assert response.context["plan"] is not None


def test_the_pages_speak_the_browsers_language_and_offer_the_switch(organiser, event):
    html = organiser.get("/organise/SFH2022/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert '<html lang="nl">' in html
    assert 'class="language-switch"' in html and 'href="/accessibility/"' in html


# Webhooks -----------------------------------------------------------------------------------

HOOK = {"url": "https://93.184.215.14/livehub", "events": ["question.approved", "poll.closed"], "active": "on"}


def hook_delivery(endpoint, *, state: str, minutes_ago: int, **fields):
    at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    fields = {"next_attempt_at": at, **fields}
    return Delivery.objects.create(
        endpoint=endpoint, type="question.approved", body="{}", state=state, created_at=at, **fields
    )


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("path", ["", "1/", "1/test/", "1/rotate/", "1/delete/"])
def test_webhooks_are_refused_to_an_account_that_does_not_organise(client, event, moderator_user, method, path):
    endpoint = Endpoint.objects.create(event=event, url=HOOK["url"], events=["poll.closed"])
    client.force_login(moderator_user)
    response = getattr(client, method)(f"/organise/SFH2022/webhooks/{path}".replace("1/", f"{endpoint.pk}/"), HOOK)
    assert response.status_code == 403
    assert (Endpoint.objects.get().url, Endpoint.objects.get().secret) == (HOOK["url"], endpoint.secret)
    assert not Delivery.objects.exists() and Endpoint.objects.count() == 1


def test_add_an_endpoint_and_its_secret_is_shown_once(organiser, event):
    response = organiser.post("/organise/SFH2022/webhooks/", HOOK)
    assert response.status_code == 302 and response["Location"] == "/organise/SFH2022/webhooks/"
    endpoint = Endpoint.objects.get()
    assert (endpoint.event, endpoint.url, endpoint.events, endpoint.active) == (
        event, HOOK["url"], ["poll.closed", "question.approved"], True,
    )  # fmt: skip
    page = organiser.get("/organise/SFH2022/webhooks/").content.decode()
    assert endpoint.secret in page and 'data-testid="new-secret"' in page and 'href="#verify"' in page
    assert endpoint.secret not in organiser.get("/organise/SFH2022/webhooks/").content.decode()


@pytest.mark.parametrize(
    ("field", "changes", "message"),
    [
        ("url", {"url": "http://127.0.0.1:8080/hook"}, "private, loopback or reserved address"),
        ("url", {"url": "http://[::ffff:10.0.0.1]/hook"}, "private, loopback or reserved address"),
        ("url", {"url": "ftp://93.184.215.14/hook"}, "starts with https:// or http://"),
        ("url", {"url": "https://me:pw@93.184.215.14/hook"}, "no user name or password"),
        ("url", {"url": "not a web address"}, "valid URL"),
        ("url", {"url": ""}, "required"),
        ("events", {"events": []}, "Tick at least one event type"),
        ("events", {"events": ["question.deleted"]}, "valid choice"),
    ],
)
def test_an_endpoint_form_names_the_wrong_field_and_keeps_what_was_typed(organiser, event, field, changes, message):
    response = organiser.post("/organise/SFH2022/webhooks/", {**HOOK, **changes})
    assert message in field_error(response, field)
    assert not Endpoint.objects.exists()
    form = response.context["form"]
    assert form["url"].value() == changes.get("url", HOOK["url"]) and form["active"].value() is True


def test_edit_an_endpoint(organiser, event):
    endpoint = Endpoint.objects.create(event=event, url=HOOK["url"], events=["poll.closed"])
    page = organiser.get(f"/organise/SFH2022/webhooks/{endpoint.pk}/")
    assert page.status_code == 200 and page.context["form"]["events"].value() == ["poll.closed"]
    response = organiser.post(
        f"/organise/SFH2022/webhooks/{endpoint.pk}/", {"url": HOOK["url"] + "/v2", "events": ["session.status_changed"]}
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events, endpoint.active) == (HOOK["url"] + "/v2", ["session.status_changed"], False)
    assert endpoint.secret not in organiser.get("/organise/SFH2022/webhooks/").content.decode()


def test_editing_to_a_private_address_saves_nothing(organiser, event):
    endpoint = Endpoint.objects.create(event=event, url=HOOK["url"], events=["poll.closed"])
    response = organiser.post(f"/organise/SFH2022/webhooks/{endpoint.pk}/", {**HOOK, "url": "http://169.254.169.254/"})
    assert "private" in field_error(response, "url")
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events) == (HOOK["url"], ["poll.closed"])


def test_another_events_endpoint_is_404(organiser, event, another_event):
    other = Endpoint.objects.create(event=another_event, url=HOOK["url"], events=["poll.closed"])
    assert organiser.get(f"/organise/SFH2022/webhooks/{other.pk}/").status_code == 404
    assert organiser.get(f"/organise/SFH2022/webhooks/{other.pk}/delete/").status_code == 404
    for action in ("test", "rotate", "delete"):
        response = organiser.post(f"/organise/SFH2022/webhooks/{other.pk}/{action}/", follow=True)
        assert "no such webhook endpoint" in response.content.decode()
    assert Endpoint.objects.get().secret == other.secret and not Delivery.objects.exists()


def test_rotate_the_secret_shows_the_new_one_once(organiser, event):
    endpoint = Endpoint.objects.create(event=event, url=HOOK["url"], events=["poll.closed"])
    old = endpoint.secret
    response = organiser.post(f"/organise/SFH2022/webhooks/{endpoint.pk}/rotate/", follow=True)
    endpoint.refresh_from_db()
    page = response.content.decode()
    assert endpoint.secret != old and endpoint.secret in page and old not in page
    assert "The signing secret is replaced" in page
    assert organiser.get(f"/organise/SFH2022/webhooks/{endpoint.pk}/rotate/").status_code == 405


def test_delete_asks_first_then_deletes_on_post(organiser, event):
    endpoint = Endpoint.objects.create(event=event, url=HOOK["url"], events=["poll.closed"])
    hook_delivery(endpoint, state="delivered", minutes_ago=3, attempts=1, last_status=200)
    hook_delivery(endpoint, state="pending", minutes_ago=1)
    confirm = organiser.get(f"/organise/SFH2022/webhooks/{endpoint.pk}/delete/")
    text = confirm.content.decode()
    assert confirm.status_code == 200 and HOOK["url"] in text
    assert "deletes its delivery log (2 deliveries)" in text and "1 delivery not sent yet is dropped" in text
    assert Endpoint.objects.exists()
    response = organiser.post(f"/organise/SFH2022/webhooks/{endpoint.pk}/delete/", follow=True)
    assert "The endpoint is deleted" in response.content.decode()
    assert not Endpoint.objects.exists() and not Delivery.objects.exists()


def test_send_a_test_delivery(organiser, event):
    endpoint = Endpoint.objects.create(event=event, url=HOOK["url"], events=["poll.closed"])
    response = organiser.post(f"/organise/SFH2022/webhooks/{endpoint.pk}/test/", follow=True)
    assert "A test delivery is queued" in response.content.decode()
    [delivery] = Delivery.objects.all()
    assert (delivery.endpoint, delivery.type, delivery.state) == (endpoint, "ping", "pending")
    row = response.content.decode().split('data-state="pending"')[1]
    assert "Test delivery" in row.split("</tr>")[0]


def test_an_inactive_endpoint_gets_no_test_delivery(organiser, event):
    endpoint = Endpoint.objects.create(event=event, url=HOOK["url"], events=["poll.closed"], active=False)
    page = organiser.get("/organise/SFH2022/webhooks/").content.decode()
    assert "Inactive" in page and "Send a test delivery" not in page
    response = organiser.post(f"/organise/SFH2022/webhooks/{endpoint.pk}/test/", follow=True)
    assert "inactive: activate it" in response.content.decode() and not Delivery.objects.exists()


def test_the_list_shows_each_endpoints_latest_deliveries_and_their_states(organiser, event):
    Endpoint.objects.create(event=event, url="https://93.184.215.15/quiet", events=["poll.closed"])
    busy = Endpoint.objects.create(event=event, url=HOOK["url"], events=["question.approved", "poll.closed"])
    hook_delivery(busy, state="delivered", minutes_ago=50, attempts=1, last_status=204)
    for minutes in range(40, 10, -5):
        hook_delivery(busy, state="delivered", minutes_ago=minutes, attempts=1, last_status=200)
    hook_delivery(busy, state="failed", minutes_ago=3, attempts=10, last_status=500, last_error="HTTP 500")
    hook_delivery(
        busy, state="pending", minutes_ago=1, attempts=2, last_error="ConnectTimeoutError: timed out",
        next_attempt_at=datetime(2026, 12, 4, 10, 2, 30, tzinfo=UTC),
    )  # fmt: skip
    response = organiser.get("/organise/SFH2022/webhooks/")
    assert response.status_code == 200
    page = response.content.decode()
    sections = page.split('data-testid="endpoint"')[1:]
    assert [HOOK["url"] in sections[0], "/quiet" in sections[1]] == [True, True]  # newest first
    rows = sections[0].split("<tr data-state=")[1:]
    assert [row.split(">")[0] for row in rows] == ['"pending"', '"failed"', '"delivered"', '"delivered"', '"delivered"']
    assert "ConnectTimeoutError: timed out" in rows[0] and "next attempt at 11:02:30" in rows[0]  # Brussels time
    assert "HTTP 500" in rows[1] and ">10<" in rows[1] and "HTTP 200" in rows[2]
    assert "Question approved · Poll closed (with results)" in sections[0]
    assert "9 deliveries in all, the latest 5 above (1 failed, 1 pending)" in sections[0]
    assert "Nothing sent yet" in sections[1]
    assert 'aria-current="page">Webhooks<' in page


def test_the_webhooks_page_speaks_french(organiser, event):
    endpoint = Endpoint.objects.create(event=event, url=HOOK["url"], events=["poll.closed"])
    hook_delivery(endpoint, state="failed", minutes_ago=1, attempts=10, last_status=500, last_error="HTTP 500")
    page = organiser.get("/organise/SFH2022/webhooks/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Ajouter le point de terminaison" in page and "Faire un envoi de test" in page
    assert "1 envoi au total (1 en échec, 0 en attente)." in page


def test_a_drafts_translations_are_in_its_edit_form(organiser, event, roundtable):
    event.languages = ["en", "fr"]
    event.save(update_fields=["languages"])
    poll = draft_of(
        event, roundtable, translations={"fr": {"prompt": "Qui paie ?", "options": ["L'État", "L'assureur"]}}
    )
    form = organiser.get(f"/organise/SFH2022/polls/{poll.pk}/").context["form"]
    assert (form["prompt_fr"].value(), form["options_fr"].value()) == ("Qui paie ?", "L'État\nL'assureur")
