"""Writes of the webhooks: endpoints, and the deliveries queued inside the actions' transactions."""

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from livehub.errors import Conflict, Invalid, NotFound
from sessions.models import Event

from .addresses import resolve
from .models import EVENT_TYPES, PING, Delivery, Endpoint, new_secret


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


def _endpoint_locked(*, event: Event, endpoint_id: int) -> Endpoint:
    endpoint = Endpoint.objects.select_for_update().filter(event=event, pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound(_("This event has no such webhook endpoint."))
    return endpoint


def endpoint_update(*, event: Event, endpoint_id: int, url: str, events: list[str], active: bool) -> Endpoint:
    """Change an endpoint's URL, event types or state. A new URL must resolve to an allowed
    address now; an unchanged one is not checked again, so that an endpoint whose host stopped
    resolving can still be deactivated (the worker checks every attempt anyway). What is queued
    goes to the URL as it is when the worker sends it."""
    events = _clean_events(events)
    with transaction.atomic():
        endpoint = _endpoint_locked(event=event, endpoint_id=endpoint_id)
        if url != endpoint.url:
            resolve(url)
        endpoint.url, endpoint.events, endpoint.active = url, events, active
        endpoint.save(update_fields=["url", "events", "active"])
    return endpoint


def secret_rotate(*, event: Event, endpoint_id: int) -> Endpoint:
    """A new signing secret: attempts signed from now on use it (one already in flight keeps the old)."""
    with transaction.atomic():
        endpoint = _endpoint_locked(event=event, endpoint_id=endpoint_id)
        endpoint.secret = new_secret()
        endpoint.save(update_fields=["secret"])
    return endpoint


def endpoint_delete(*, event: Event, endpoint_id: int) -> None:
    """Delete an endpoint and its delivery log; what was queued for it is never sent."""
    with transaction.atomic():
        _endpoint_locked(event=event, endpoint_id=endpoint_id).delete()


def endpoint_ping(*, event: Event, endpoint_id: int) -> Delivery:
    """Queue a `ping` for one endpoint, whatever it subscribed to: the organiser's test that the
    receiver is reachable and checks the signature. Sent and retried like any delivery."""
    with transaction.atomic():
        endpoint = _endpoint_locked(event=event, endpoint_id=endpoint_id)
        if not endpoint.active:
            raise Conflict(_("This endpoint is inactive: activate it before sending it a test delivery."))
        now = timezone.now()
        data = {"endpoint": {"url": endpoint.url, "events": endpoint.events}}
        delivery = _delivery(event=event, endpoint=endpoint, type=PING, now=now, payload=data)
        delivery.save(force_insert=True)
    return delivery


def _delivery(*, event: Event, endpoint: Endpoint, type: str, now: datetime, payload: dict[str, Any]) -> Delivery:
    """A queued delivery, due now, with its envelope (docs/webhooks.md) as the body."""
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
    return delivery


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
    deliveries = [
        _delivery(event=event, endpoint=endpoint, type=type, now=now, payload=payload) for endpoint in endpoints
    ]
    return Delivery.objects.bulk_create(deliveries)
