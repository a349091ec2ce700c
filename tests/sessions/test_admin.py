"""The admin lists, filters and edit pages open for every model of the programme."""

import json
from datetime import datetime

import pytest

from sessions.models import Event, Room, Session
from sessions.services import audience_purge

pytestmark = pytest.mark.django_db

PAGES = [
    "/admin/livesessions/event/",
    "/admin/livesessions/event/?online__exact=1",
    "/admin/livesessions/session/",
    "/admin/livesessions/session/?status__exact=scheduled&kind__exact=debate",
    "/admin/livesessions/speaker/?q=High",
    "/admin/livesessions/eventrole/",
    "/admin/livesessions/participant/",
    "/admin/realtime/commandreceipt/",
]


@pytest.mark.parametrize("url", PAGES)
def test_admin_page_opens(admin_client, event, attendee, url):
    assert admin_client.get(url).status_code == 200


def test_event_and_session_edit_pages_open(admin_client, event, roundtable):
    assert admin_client.get(f"/admin/livesessions/event/{event.pk}/change/").status_code == 200
    page = admin_client.get(f"/admin/livesessions/session/{roundtable.pk}/change/")
    assert page.status_code == 200
    assert b"How can we make these new therapies more affordable?" in page.content


def test_rotating_the_link_secret_from_the_admin_revokes_links(admin_client, event):
    from livehub.errors import Unauthorized
    from sessions.rolelinks import role_key_make, role_key_read

    key = role_key_make(event=event, role="moderator", hours=1)
    admin_client.post("/admin/livesessions/event/", {"action": "rotate_link_secret", "_selected_action": [event.pk]})
    event.refresh_from_db()
    with pytest.raises(Unauthorized):
        role_key_read(event=event, key=key)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/qa/question/",
        "/admin/qa/question/?state__exact=pending",
        "/admin/audit/moderationaction/",
        "/admin/qa/blockedword/?q=merde",
    ],
)
def test_qa_admin_pages_open(admin_client, event, url):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())
    assert admin_client.get(url).status_code == 200


def test_an_event_code_taken_in_another_case_is_refused_with_a_message(admin_client, event):
    form = {
        "code": event.code.lower(),
        "name": "A second congress",
        "timezone": "Europe/Brussels",
        "starts_on": "2027-03-01",
        "ends_on": "2027-03-02",
        "stream_delay": 20,
        "link_secret": "x" * 32,
    }
    page = admin_client.post("/admin/livesessions/event/add/", form)
    assert page.status_code == 200
    assert b"An event with this code already exists (codes ignore case)." in page.content
    from sessions.models import Event

    assert list(Event.objects.values_list("code", flat=True)) == [event.code]


# Admin edits reach the open pages, as the organiser pages' do -----------------------------------


class RecordingBroker:
    def __init__(self):
        self.frames = []

    def publish(self, *, event_id, stream, type, data_text, inflight=None, mark=None):
        self.frames.append((type, json.loads(data_text)))
        return len(self.frames)


@pytest.fixture
def broker(monkeypatch):
    recording = RecordingBroker()
    monkeypatch.setattr("livehub.realtime.publish.get_broker", lambda: recording)
    return recording


def change_form(admin_client, url: str, **changes) -> dict:
    """What the admin's change page at `url` would post unchanged (its inlines too), with `changes`."""
    context = admin_client.get(url).context
    forms = [context["adminform"].form]
    data = {}
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        data |= {f"{formset.prefix}-{name}": value for name, value in formset.management_form.initial.items()}
        forms += formset.forms
    for form in forms:
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):
                data[form.add_prefix(name)] = [getattr(item, "pk", item) for item in value]
            elif isinstance(value, datetime):
                data[form.add_prefix(name) + "_0"], data[form.add_prefix(name) + "_1"] = (
                    str(value.date()),
                    str(value.time()),
                )
            else:
                data[form.add_prefix(name)] = field.prepare_value(value)
    return data | changes


def test_an_event_saved_in_the_admin_reaches_the_open_pages_after_the_commit(
    admin_client, event, broker, django_capture_on_commit_callbacks
):
    url = f"/admin/livesessions/event/{event.pk}/change/"
    data = change_form(admin_client, url, name="Science for Health, renamed")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert ("event.updated", "Science for Health, renamed") in [
        (kind, data.get("name")) for kind, data in broker.frames
    ]


def test_a_session_saved_in_the_admin_reaches_the_open_pages(
    admin_client, event, roundtable, broker, django_capture_on_commit_callbacks
):
    url = f"/admin/livesessions/session/{roundtable.pk}/change/"
    data = change_form(admin_client, url, title="Affordable therapies, renamed")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, data)
    assert response.status_code == 302
    updated = [data for kind, data in broker.frames if kind == "session.updated"]
    assert [(one["id"], one["title"]) for one in updated] == [(roundtable.pk, "Affordable therapies, renamed")]


def test_a_room_renamed_in_the_admin_reaches_the_open_pages_with_its_sessions(
    admin_client, event, roundtable, broker, django_capture_on_commit_callbacks
):
    room = Room.objects.create(event=event, name="Hall", slug="hall", order=1)
    Session.objects.filter(pk=roundtable.pk).update(room=room)
    url = f"/admin/livesessions/room/{room.pk}/change/"
    data = change_form(admin_client, url, name="Great Hall", slug="great-hall")
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(url, data).status_code == 302
    kinds = [(kind, data.get("slug") or data.get("room_slug")) for kind, data in broker.frames]
    assert ("room.updated", "great-hall") in kinds and ("session.updated", "great-hall") in kinds


def test_deleting_a_session_with_questions_in_the_admin_is_refused_with_a_message(
    admin_client, event, roundtable, attendee, ask
):
    ask(attendee)
    response = admin_client.post(f"/admin/livesessions/session/{roundtable.pk}/delete/", {"post": "yes"}, follow=True)
    assert "from the audience and cannot be deleted" in response.content.decode()
    assert Session.objects.filter(pk=roundtable.pk).exists()


def test_deleting_a_quiet_session_in_the_admin_tells_the_open_pages(
    admin_client, event, broker, django_capture_on_commit_callbacks
):
    quiet = event.sessions.exclude(pk=event.current_session_id).filter(questions__isnull=True).first()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/livesessions/session/{quiet.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Session.objects.filter(pk=quiet.pk).exists()
    assert ("session.removed", {"id": quiet.pk}) in broker.frames


def test_the_admin_offers_no_bulk_deletion_of_sessions(admin_client, event):
    page = admin_client.get("/admin/livesessions/session/").content.decode()
    assert 'value="delete_selected"' not in page


def test_deleting_a_room_with_sessions_in_the_admin_is_refused_with_a_message(admin_client, event, roundtable):
    room = Room.objects.create(event=event, name="Hall", slug="hall", order=1)
    Session.objects.filter(pk=roundtable.pk).update(room=room)
    response = admin_client.post(f"/admin/livesessions/room/{room.pk}/delete/", {"post": "yes"}, follow=True)
    assert "move or delete it first" in response.content.decode()
    assert Room.objects.filter(pk=room.pk).exists()


def test_deleting_an_event_with_questions_in_the_admin_is_refused_with_a_message(admin_client, event, attendee, ask):
    ask(attendee)
    response = admin_client.post(f"/admin/livesessions/event/{event.pk}/delete/", {"post": "yes"}, follow=True)
    page = response.content.decode()
    assert "has audience data in 1 session and cannot be deleted" in page and "purge_event SFH2022" in page
    assert Event.objects.filter(pk=event.pk).exists()


def test_an_event_whose_audience_was_purged_is_deleted_in_the_admin(admin_client, event, attendee, ask):
    ask(attendee)
    audience_purge(event=event, anonymise=False)
    response = admin_client.post(f"/admin/livesessions/event/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Event.objects.filter(pk=event.pk).exists()


def test_the_admin_offers_no_bulk_deletion_of_events(admin_client, event):
    page = admin_client.get("/admin/livesessions/event/").content.decode()
    assert 'value="delete_selected"' not in page
