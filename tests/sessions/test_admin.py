"""The admin lists, filters and edit pages open for every model of the programme."""

import pytest

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
