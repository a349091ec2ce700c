"""The worker, in this process, against a real receiver on 127.0.0.1."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from webhooks import worker
from webhooks.models import Delivery
from webhooks.signing import DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, TYPE_HEADER, signature


@pytest.fixture
def clock(monkeypatch):
    """The worker's clock, stopped; `clock[0]` moves it."""
    now = [timezone.now()]
    monkeypatch.setattr(worker, "now", lambda: now[0])
    return now


def test_a_delivery_arrives_signed_and_is_logged(endpoint, receiver, attendee, approved):
    question = approved(attendee)
    delivery = worker.deliver_next()
    [request] = receiver.requests
    headers = request["headers"]
    assert receiver.bad_signatures == 0
    assert request["path"] == "/hooks/livehub?source=test"
    assert headers[DELIVERY_HEADER] == str(delivery.id) and headers[TYPE_HEADER] == "question.approved"
    assert headers["Content-Type"] == "application/json"
    assert headers[SIGNATURE_HEADER] == signature(
        secret=endpoint.secret, timestamp=int(headers[TIMESTAMP_HEADER]), body=request["body"]
    )
    assert json.loads(request["body"])["data"]["question"]["id"] == question.pk
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)
    assert worker.deliver_next() is None  # nothing else is due


def test_a_body_signed_with_another_secret_fails_verification(endpoint, receiver, attendee, approved):
    receiver.secret = "not-the-endpoint-secret"
    approved(attendee)
    worker.deliver_next()
    assert receiver.bad_signatures == 1 and receiver.effects == {}


def test_failures_back_off_exponentially_with_jitter_then_fail(endpoint, receiver, attendee, approved, clock, settings):
    settings.LIVEHUB_WEBHOOKS = {**settings.LIVEHUB_WEBHOOKS, "ATTEMPTS": 6, "BACKOFF_BASE": 10.0, "BACKOFF_CAP": 60.0}
    receiver.status = 503
    approved(attendee)
    Delivery.objects.update(next_attempt_at=clock[0])
    waits = []
    for attempt in range(1, 6):
        assert worker.deliver_next() is not None
        delivery = Delivery.objects.get()
        assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", attempt, 503)
        waits.append((delivery.next_attempt_at - clock[0]).total_seconds())
        clock[0] = delivery.next_attempt_at - timedelta(milliseconds=1)
        assert worker.deliver_next() is None  # not due yet: nobody is hammered
        clock[0] = delivery.next_attempt_at
    ceilings = [10, 20, 40, 60, 60]  # doubling, capped
    assert all(ceiling / 2 <= wait <= ceiling for wait, ceiling in zip(waits, ceilings, strict=True)), waits
    worker.deliver_next()
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("failed", 6)
    assert len(receiver.requests) == 6 and len(receiver.effects) == 1  # the same delivery, six times
    clock[0] += timedelta(days=1)
    assert worker.deliver_next() is None  # failed is final


def test_an_address_that_turned_private_is_refused_at_delivery(endpoint, receiver, attendee, approved, settings):
    approved(attendee)
    settings.LIVEHUB_WEBHOOKS = {**settings.LIVEHUB_WEBHOOKS, "ALLOW_PRIVATE": False}
    worker.deliver_next()
    delivery = Delivery.objects.get()
    assert receiver.requests == []
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, None)
    assert "private" in delivery.last_error


def test_a_redirect_is_not_followed(endpoint, receiver, attendee, approved):
    receiver.status = 302
    approved(attendee)
    worker.deliver_next()
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.last_status, len(receiver.requests)) == ("pending", 302, 1)


def test_a_deactivated_endpoint_is_not_sent_what_was_queued(endpoint, receiver, attendee, approved):
    approved(attendee)
    endpoint.active = False
    endpoint.save()
    worker.deliver_next()
    assert receiver.requests == [] and Delivery.objects.get().state == "failed"
