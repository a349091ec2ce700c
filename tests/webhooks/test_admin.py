"""Registering a webhook in the admin: a refused address is a form error on the URL field."""

import pytest

from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db


def test_an_organiser_cannot_register_a_private_address(admin_client, event):
    response = admin_client.post(
        "/admin/webhooks/endpoint/add/",
        {"event": event.pk, "url": "http://127.0.0.1:8080/hook", "events": ["poll.closed"], "active": "on"},
    )
    assert response.status_code == 200
    assert "private, loopback or reserved" in str(response.context["adminform"].form.errors["url"])
    assert not Endpoint.objects.exists()


def test_the_delivery_log_lists_deliveries(admin_client, endpoint, attendee, approved):
    approved(attendee)
    page = admin_client.get("/admin/webhooks/delivery/")
    assert page.status_code == 200 and b"question.approved" in page.content
    assert admin_client.get(f"/admin/webhooks/endpoint/{endpoint.pk}/change/").status_code == 200
