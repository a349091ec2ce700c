"""Deliveries are queued by the actions themselves, in their transaction, one per endpoint."""

import json

import pytest
from django.db import transaction

from livehub.errors import Conflict, Invalid, NotFound
from polls import services as polls
from qa import services as qa
from sessions.services import session_set_status
from webhooks.models import Delivery, Endpoint
from webhooks.services import endpoint_delete, endpoint_ping, endpoint_register, endpoint_update, secret_rotate
from webhooks.worker import deliver_next


def queued(type=None):
    rows = Delivery.objects.order_by("created_at")
    return [json.loads(row.body) for row in (rows.filter(type=type) if type else rows)]


def test_an_approval_queues_one_delivery_per_endpoint_subscribed(event, endpoint, attendee, approved, receiver):
    other = endpoint_register(event=event, url=receiver.url, events=["poll.closed"])
    question = approved(attendee)
    [body] = queued()
    assert Delivery.objects.get().endpoint == endpoint and other.deliveries.count() == 0
    assert body["type"] == "question.approved" and body["event"] == "SFH2022"
    assert body["id"] == str(Delivery.objects.get().id)
    assert body["occurred_at"].endswith("Z")
    assert body["data"]["question"]["id"] == question.pk
    assert body["data"]["question"]["text"] == question.text
    assert body["data"]["session"]["title"] == question.session.title
    assert body["data"]["session"]["room"] == question.session.room.name  # the name, as on the socket


def test_a_question_approved_on_arrival_is_announced(event, endpoint, attendee, ask):
    event.auto_approve = True
    event.save(update_fields=["auto_approve"])
    question = ask(attendee)
    assert [body["data"]["question"]["id"] for body in queued("question.approved")] == [question.pk]


def test_a_question_answered_live_is_announced(event, endpoint, attendee, approved):
    question = approved(attendee)
    qa.question_moderate(event_id=event.pk, question_id=question.pk, action="answer", actor="Mo", role="moderator")
    [body] = queued("question.answered")
    assert body["data"]["question"]["state"] == "answered"


def test_a_closed_poll_is_announced_with_its_results(event, endpoint, attendee, roundtable):
    poll = polls.poll_create(
        event_id=event.pk, actor="Mo", kind="single", session_id=roundtable.pk, prompt="Who pays?",
        options=["Insurers", "Industry"],
    )  # fmt: skip
    poll = polls.poll_open(event_id=event.pk, poll_id=poll.pk, actor="Mo")
    insurers = poll.options.get(label="Insurers").pk
    polls.poll_respond(participant_id=attendee.pk, event_id=event.pk, poll_id=poll.pk, options=[insurers])
    polls.poll_close(event_id=event.pk, poll_id=poll.pk, actor="Mo")
    [body] = queued("poll.closed")
    assert body["data"]["poll"]["prompt"] == "Who pays?"
    assert body["data"]["results"]["total"] == 1


def test_a_status_change_is_announced_with_the_previous_status(event, endpoint, roundtable):
    session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    *_, body = queued("session.status_changed")
    data = body["data"]
    assert (data["session"]["id"], data["previous_status"], data["session"]["status"]) == (
        roundtable.pk,
        roundtable.status,
        "live",
    )


def test_a_rolled_back_action_queues_nothing(event, endpoint, attendee, ask):
    question = ask(attendee)
    with pytest.raises(RuntimeError), transaction.atomic():
        qa.question_moderate(event_id=event.pk, question_id=question.pk, action="approve", actor="Mo", role="moderator")
        raise RuntimeError("the command failed after the service")
    assert Delivery.objects.count() == 0


def test_an_inactive_endpoint_gets_nothing(event, endpoint, attendee, approved):
    endpoint.active = False
    endpoint.save()
    approved(attendee)
    assert Delivery.objects.count() == 0


def test_registering_an_unknown_event_type_is_refused(event, receiver, allow_loopback):
    with pytest.raises(Invalid) as refused:
        endpoint_register(event=event, url=receiver.url, events=["question.deleted"])
    assert "events" in refused.value.fields


def test_registering_a_private_address_is_refused_by_default(event, receiver):
    with pytest.raises(Invalid) as refused:
        endpoint_register(event=event, url=receiver.url, events=["poll.closed"])
    assert "url" in refused.value.fields


# Endpoints changed on the organiser pages ------------------------------------------------------

PUBLIC = "https://93.184.215.14/livehub"  # an address literal: checked without a DNS lookup


def test_update_changes_the_url_types_and_state(event):
    registered = endpoint_register(event=event, url=PUBLIC, events=["poll.closed"])
    updated = endpoint_update(
        event=event, endpoint_id=registered.pk, url=PUBLIC + "/v2", events=["question.approved", "poll.closed"],
        active=False,
    )  # fmt: skip
    stored = Endpoint.objects.get(pk=registered.pk)
    assert (stored.url, stored.events, stored.active) == (PUBLIC + "/v2", ["poll.closed", "question.approved"], False)
    assert updated.secret == registered.secret


def test_update_checks_a_new_url_and_saves_nothing_when_refused(event):
    registered = endpoint_register(event=event, url=PUBLIC, events=["poll.closed"])
    with pytest.raises(Invalid) as refused:
        endpoint_update(
            event=event, endpoint_id=registered.pk, url="http://10.0.0.7/hook", events=["question.approved"],
            active=False,
        )  # fmt: skip
    assert "private" in refused.value.fields["url"]
    stored = Endpoint.objects.get(pk=registered.pk)
    assert (stored.url, stored.events, stored.active) == (PUBLIC, ["poll.closed"], True)


def test_an_unchanged_url_is_not_checked_again_so_it_can_be_deactivated(event, receiver, allow_loopback, settings):
    registered = endpoint_register(event=event, url=receiver.url, events=["poll.closed"])
    settings.LIVEHUB_WEBHOOKS = {**settings.LIVEHUB_WEBHOOKS, "ALLOW_PRIVATE": False}
    endpoint_update(event=event, endpoint_id=registered.pk, url=receiver.url, events=["poll.closed"], active=False)
    assert not Endpoint.objects.get(pk=registered.pk).active


def test_update_refuses_no_types_and_another_events_endpoint(event, another_event):
    registered = endpoint_register(event=event, url=PUBLIC, events=["poll.closed"])
    with pytest.raises(Invalid) as refused:
        endpoint_update(event=event, endpoint_id=registered.pk, url=PUBLIC, events=[], active=True)
    assert "events" in refused.value.fields
    with pytest.raises(NotFound):
        endpoint_update(event=another_event, endpoint_id=registered.pk, url=PUBLIC, events=["poll.closed"], active=True)


def test_rotating_the_secret_signs_the_next_attempts_with_the_new_one(event, endpoint, receiver, attendee, approved):
    old = endpoint.secret
    rotated = secret_rotate(event=event, endpoint_id=endpoint.pk)
    assert rotated.secret != old and Endpoint.objects.get(pk=endpoint.pk).secret == rotated.secret
    receiver.secret = rotated.secret
    approved(attendee)
    assert deliver_next().state == Delivery.State.DELIVERED
    assert receiver.bad_signatures == 0 and len(receiver.effects) == 1


def test_deleting_an_endpoint_deletes_its_log(event, endpoint, another_event, attendee, approved):
    approved(attendee)
    with pytest.raises(NotFound):
        endpoint_delete(event=another_event, endpoint_id=endpoint.pk)
    endpoint_delete(event=event, endpoint_id=endpoint.pk)
    assert not Endpoint.objects.exists() and not Delivery.objects.exists()


def test_a_ping_goes_to_one_endpoint_whatever_it_subscribed_to(event, endpoint, receiver):
    other = endpoint_register(event=event, url=receiver.url, events=["poll.closed"])
    delivery = endpoint_ping(event=event, endpoint_id=other.pk)
    [body] = queued("ping")
    assert Delivery.objects.get().endpoint == other
    assert body["id"] == str(delivery.id) and body["type"] == "ping" and body["event"] == "SFH2022"
    assert body["data"] == {"endpoint": {"url": receiver.url, "events": ["poll.closed"]}}
    receiver.secret = other.secret
    assert deliver_next().state == Delivery.State.DELIVERED
    assert receiver.requests[0]["headers"]["X-LiveHub-Event-Type"] == "ping" and receiver.bad_signatures == 0


def test_an_inactive_endpoint_is_sent_no_ping(event, endpoint):
    endpoint_update(event=event, endpoint_id=endpoint.pk, url=endpoint.url, events=endpoint.events, active=False)
    with pytest.raises(Conflict):
        endpoint_ping(event=event, endpoint_id=endpoint.pk)
    assert not Delivery.objects.exists()
