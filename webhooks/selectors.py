"""Reads of the webhooks: an event's endpoints with the latest of their delivery log."""

from django.db.models import Count, Prefetch, Q, QuerySet

from sessions.models import Event

from .models import Delivery, Endpoint

RECENT_DELIVERIES = 5


def event_endpoints(*, event: Event) -> QuerySet[Endpoint]:
    """The event's endpoints, newest first, each with `delivery_count`, `failed_count` and `pending_count`."""
    return (
        Endpoint.objects.filter(event=event)
        .annotate(
            delivery_count=Count("deliveries"),
            failed_count=Count("deliveries", filter=Q(deliveries__state=Delivery.State.FAILED)),
            pending_count=Count("deliveries", filter=Q(deliveries__state=Delivery.State.PENDING)),
        )
        .order_by("-created_at", "-pk")
    )


def endpoints_with_deliveries(*, event: Event, recent: int = RECENT_DELIVERIES) -> list[Endpoint]:
    """`event_endpoints`, each also carrying `recent_deliveries`: its latest `recent`, newest
    first, without their bodies (one query for all the endpoints)."""
    latest = Delivery.objects.defer("body").order_by("-created_at", "type")[:recent]
    return list(
        event_endpoints(event=event).prefetch_related(
            Prefetch("deliveries", queryset=latest, to_attr="recent_deliveries")
        )
    )
