"""Deliveries over HTTPS (the certificate checked against the URL's host name, with a CA of the
tests' own that the worker trusts through LIVEHUB_WEBHOOKS["CA_BUNDLE"]) and over IPv6."""

import json
import ssl

import pytest
import trustme

from webhooks import worker
from webhooks.models import EVENT_TYPES, Delivery
from webhooks.services import endpoint_register
from webhooks.signing import DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signature

from .conftest import Receiver


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def trusted(ca, tmp_path, settings, allow_loopback):
    """The worker trusts the tests' CA, for this test only."""
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    settings.LIVEHUB_WEBHOOKS = {**settings.LIVEHUB_WEBHOOKS, "CA_BUNDLE": str(bundle)}
    return ca


def tls(ca: trustme.CA, *names: str) -> ssl.SSLContext:
    """A server context whose certificate, signed by `ca`, names `names` only."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    return context


@pytest.fixture
def receivers():
    started: list[Receiver] = []

    def start(**options) -> Receiver:
        started.append(Receiver(**options))
        return started[-1]

    yield start
    for receiver in started:
        receiver.close()


def registered(event, receiver: Receiver):
    endpoint = endpoint_register(event=event, url=receiver.url, events=list(EVENT_TYPES))
    receiver.secret = endpoint.secret
    return endpoint


def assert_delivered_once(receiver: Receiver, endpoint, question) -> None:
    [request] = receiver.requests
    headers = request["headers"]
    assert receiver.bad_signatures == 0
    assert headers[SIGNATURE_HEADER] == signature(
        secret=endpoint.secret, timestamp=int(headers[TIMESTAMP_HEADER]), body=request["body"]
    )
    assert json.loads(request["body"])["data"]["question"]["id"] == question.pk
    delivery = Delivery.objects.get()
    assert headers[DELIVERY_HEADER] == str(delivery.id)
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)
    assert worker.deliver_next() is None  # sent once: nothing is due again


def test_an_https_receiver_gets_the_signed_body_once_its_certificate_checked(
    event, receivers, trusted, attendee, approved
):
    receiver = receivers(tls=tls(trusted, "127.0.0.1"))
    endpoint = registered(event, receiver)
    question = approved(attendee)
    worker.deliver_next()
    assert receiver.url.startswith("https://127.0.0.1:")
    assert_delivered_once(receiver, endpoint, question)


def test_a_certificate_for_another_host_name_is_refused_retried_then_failed(
    event, receivers, trusted, attendee, approved, settings
):
    settings.LIVEHUB_WEBHOOKS = {**settings.LIVEHUB_WEBHOOKS, "ATTEMPTS": 2}
    receiver = receivers(tls=tls(trusted, "hooks.elsewhere.example"))
    registered(event, receiver)
    approved(attendee)
    worker.deliver_next()
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, None)
    assert "127.0.0.1" in delivery.last_error and "match" in delivery.last_error
    Delivery.objects.update(next_attempt_at=delivery.created_at)  # due again now
    worker.deliver_next()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("failed", 2)
    assert receiver.requests == []  # nothing was ever sent to it


def test_a_certificate_of_a_ca_the_worker_does_not_trust_is_refused(
    event, receivers, attendee, approved, allow_loopback
):
    # No CA_BUNDLE: the system's trust store, which knows nothing of the tests' CA.
    receiver = receivers(tls=tls(trustme.CA(), "127.0.0.1"))
    registered(event, receiver)
    approved(attendee)
    worker.deliver_next()
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, None)
    assert "CERTIFICATE_VERIFY_FAILED" in delivery.last_error
    assert receiver.requests == []


def test_a_receiver_on_ipv6_loopback_gets_the_delivery_over_ipv6(event, receivers, allow_loopback, attendee, approved):
    receiver = receivers(host="::1")
    endpoint = registered(event, receiver)
    question = approved(attendee)
    worker.deliver_next()
    assert receiver.url.startswith("http://[::1]:")
    assert receiver.requests[0]["peer"] == "::1"
    assert receiver.requests[0]["headers"]["Host"] == receiver.url.split("/")[2]
    assert_delivered_once(receiver, endpoint, question)


def test_an_https_receiver_on_ipv6_has_its_certificate_checked_for_that_address(
    event, receivers, trusted, attendee, approved
):
    receiver = receivers(host="::1", tls=tls(trusted, "::1"))
    endpoint = registered(event, receiver)
    question = approved(attendee)
    worker.deliver_next()
    assert receiver.requests[0]["peer"] == "::1"
    assert_delivered_once(receiver, endpoint, question)


def test_ipv6_loopback_is_refused_unless_the_operator_allows_it(event, receivers, attendee, approved, settings):
    receiver = receivers(host="::1")
    settings.LIVEHUB_WEBHOOKS = {**settings.LIVEHUB_WEBHOOKS, "ALLOW_PRIVATE": True}
    registered(event, receiver)
    approved(attendee)
    settings.LIVEHUB_WEBHOOKS = {**settings.LIVEHUB_WEBHOOKS, "ALLOW_PRIVATE": False}
    worker.deliver_next()
    delivery = Delivery.objects.get()
    assert delivery.state == "pending" and "private" in delivery.last_error
    assert receiver.requests == []
