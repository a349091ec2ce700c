"""Deliveries are queued by the actions themselves, in their transaction, one per endpoint."""

import json

import pytest
from django.db import transaction

from livehub.errors import Invalid
from polls import services as polls
from qa import services as qa
from sessions.services import session_set_status
from webhooks.models import Delivery
from webhooks.services import endpoint_register


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
