"""The admin: the sign-in record (read only), unlocking, the role links of an event and revoking one."""

import pytest
from django.contrib.auth import get_user_model

from livehub.errors import Unauthorized
from sessions.rolelinks import role_key_make, role_key_read
from staff.models import RoleLink, SignIn
from tests.staff.conftest import lock_moderator, sign_in

pytestmark = pytest.mark.django_db


def test_the_sign_in_record_is_listed_and_cannot_be_edited(admin_client, client, event):
    sign_in(client, "moderator", "guess")
    row = SignIn.objects.get()
    page = admin_client.get("/admin/staff/signin/")
    assert page.status_code == 200 and b"moderator" in page.content and b"failure" in page.content
    assert admin_client.get("/admin/staff/signin/add/").status_code == 403
    admin_client.post(f"/admin/staff/signin/{row.pk}/change/", {"username": "someone-else", "outcome": "success"})
    assert SignIn.objects.get().username == "moderator" and SignIn.objects.get().outcome == "failure"
    assert admin_client.post(f"/admin/staff/signin/{row.pk}/delete/", {"post": "yes"}).status_code == 403


def test_unlock_from_the_accounts_list(admin_client, client, event):
    lock_moderator(client)
    moderator = get_user_model().objects.get(username="moderator")
    page = admin_client.post(
        "/admin/auth/user/", {"action": "unlock_sign_in", "_selected_action": [moderator.pk]}, follow=True
    )
    assert b"May sign in again: moderator" in page.content
    assert sign_in(client, "moderator", "sfh2022-moderator").status_code == 302


def test_unlock_from_the_sign_in_record(admin_client, client, event):
    lock_moderator(client)
    locked = SignIn.objects.filter(outcome="locked").get()
    admin_client.post("/admin/staff/signin/", {"action": "unlock_accounts", "_selected_action": [locked.pk]})
    assert sign_in(client, "moderator", "sfh2022-moderator").status_code == 302


def test_the_event_page_counts_its_live_role_links_and_links_to_them(admin_client, event):
    role_key_make(event=event, role="moderator", hours=1)
    role_key_make(event=event, role="screen", hours=1)
    RoleLink.objects.create(event=event, role="speaker", expires_at="2020-01-01T00:00Z")  # long expired
    page = admin_client.get(f"/admin/livesessions/event/{event.pk}/change/").content.decode()
    assert f"/admin/staff/rolelink/?event__id__exact={event.pk}&amp;state=live" in page and "2 live" in page


def test_the_live_links_of_an_event_are_listed_with_who_issued_them(admin_client, event, another_event):
    organiser = get_user_model().objects.create_user("organiser")
    role_key_make(event=event, role="moderator", hours=1, issued_by=organiser)
    role_key_make(event=event, role="screen", hours=1, issued_via="manage.py rolelink")
    role_key_make(event=another_event, role="speaker", hours=1)
    page = admin_client.get(f"/admin/staff/rolelink/?event__id__exact={event.pk}&state=live").content.decode()
    assert "organiser" in page and "manage.py rolelink" in page and "moderator" in page
    rows = page.split('id="result_list"')[1].split("</table>")[0]
    assert "Science for Health" in rows and "Other congress" not in rows


def test_revoking_one_link_refuses_it_and_leaves_the_others(admin_client, event):
    revoked = role_key_make(event=event, role="moderator", hours=1)
    kept = role_key_make(event=event, role="moderator", hours=1)
    first = RoleLink.objects.order_by("id").first()
    page = admin_client.post(
        "/admin/staff/rolelink/", {"action": "revoke", "_selected_action": [first.pk]}, follow=True
    )
    assert b"1 role link(s) revoked" in page.content
    with pytest.raises(Unauthorized, match="was revoked"):
        role_key_read(event=event, key=revoked)
    assert role_key_read(event=event, key=kept) == "moderator"
    listed = admin_client.get("/admin/staff/rolelink/?state=live").content.decode()
    assert f"/admin/staff/rolelink/{first.pk}/change/" not in listed


def test_role_links_cannot_be_added_or_deleted_in_the_admin(admin_client, event):
    role_key_make(event=event, role="moderator", hours=1)
    link = RoleLink.objects.get()
    assert admin_client.get("/admin/staff/rolelink/add/").status_code == 403
    assert admin_client.post(f"/admin/staff/rolelink/{link.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get(f"/admin/staff/rolelink/{link.pk}/change/").status_code == 200


def test_rotating_the_link_secret_shows_every_link_as_revoked(admin_client, event):
    role_key_make(event=event, role="moderator", hours=1)
    admin_client.post("/admin/livesessions/event/", {"action": "rotate_link_secret", "_selected_action": [event.pk]})
    assert RoleLink.objects.get().revoked_at is not None
