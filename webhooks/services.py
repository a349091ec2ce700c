"""Writes of the webhooks: endpoints, and the deliveries queued inside the actions' transactions."""

import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext as _

from livehub.errors import Invalid
from sessions.models import Event

from .addresses import resolve
from .models import EVENT_TYPES, Delivery, Endpoint


def _clean_events(events: list[str]) -> list[str]:
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if unknown or not events:
        message = _("Choose among %(types)s.") % {"types": ", ".join(EVENT_TYPES)}
        raise Invalid(message, fields={"events": message})
    return sorted(set(events))


def endpoint_register(*, event: Event, url: str, events: list[str], active: bool = True) -> Endpoint:
    """Register a URL for some event types; the URL must resolve to an allowed address now."""
    resolve(url)
    return Endpoint.objects.create(event=event, url=url, events=_clean_events(events), active=active)


def deliveries_enqueue(*, event: Event, type: str, data: Callable[[], dict[str, Any]]) -> list[Delivery]:
    """Queue `type` for each active endpoint of the event subscribed to it, with `data()` (built
    only when some endpoint listens).

    Called inside the action's transaction: the rows commit or roll back with the change, and no
    network is touched here (the worker, `run_webhooks`, sends them)."""
    endpoints = [endpoint for endpoint in Endpoint.objects.filter(event=event, active=True) if type in endpoint.events]
    if not endpoints:
        return []
    now = timezone.now()
    payload = data()
    deliveries = []
    for endpoint in endpoints:
        delivery = Delivery(endpoint=endpoint, type=type, created_at=now, next_attempt_at=now)
        delivery.body = json.dumps(
            {
                "id": str(delivery.id),
                "type": type,
                "occurred_at": now.isoformat().replace("+00:00", "Z"),
                "event": event.code,
                "data": payload,
            },
            cls=DjangoJSONEncoder,
            ensure_ascii=False,
        )
        deliveries.append(delivery)
    return Delivery.objects.bulk_create(deliveries)
