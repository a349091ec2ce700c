"""An event's endpoints as the organiser page lists them: newest first, each with its latest deliveries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from webhooks.models import Delivery, Endpoint
from webhooks.selectors import endpoints_with_deliveries, event_endpoints

pytestmark = pytest.mark.django_db


def delivery(endpoint: Endpoint, *, minutes_ago: int, state: str = "delivered", **fields) -> Delivery:
    at = timezone.now() - timedelta(minutes=minutes_ago)
    return Delivery.objects.create(
        endpoint=endpoint, type="poll.closed", body="{}", state=state, created_at=at, next_attempt_at=at, **fields
    )


def test_newest_endpoints_first_with_their_latest_deliveries_and_counts(
    event, another_event, django_assert_num_queries
):
    first = Endpoint.objects.create(event=event, url="https://a.example/hook", events=["poll.closed"])
    second = Endpoint.objects.create(event=event, url="https://b.example/hook", events=["poll.closed"])
    Endpoint.objects.create(event=another_event, url="https://c.example/hook", events=["poll.closed"])
    for minutes in range(7):
        delivery(first, minutes_ago=minutes, state=["delivered", "failed", "pending"][minutes % 3])
    with django_assert_num_queries(2):  # the endpoints, then every endpoint's latest deliveries at once
        listed = endpoints_with_deliveries(event=event, recent=5)
    assert [endpoint.pk for endpoint in listed] == [second.pk, first.pk]
    newest = listed[1]
    assert [d.created_at for d in newest.recent_deliveries] == sorted(
        (d.created_at for d in newest.recent_deliveries), reverse=True
    )
    assert len(newest.recent_deliveries) == 5 and listed[0].recent_deliveries == []
    assert (newest.delivery_count, newest.failed_count, newest.pending_count) == (7, 2, 2)
    assert (listed[0].delivery_count, listed[0].failed_count, listed[0].pending_count) == (0, 0, 0)


def test_an_events_endpoints_are_only_its_own(event, another_event):
    mine = Endpoint.objects.create(event=event, url="https://a.example/hook", events=["poll.closed"])
    Endpoint.objects.create(event=another_event, url="https://c.example/hook", events=["poll.closed"])
    assert list(event_endpoints(event=event)) == [mine]
