"""Reads for the organiser pages and for the live pages' look."""

from collections import defaultdict
from datetime import date
from zoneinfo import ZoneInfo

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.urls import reverse

from sessions.models import Event, EventRole, Session

from .colour import PROJECTOR, WHITE, contrast
from .models import EventLook

ORGANISE_PERMISSION = "organiser.organise"


def role_label(role: str) -> str:
    """An event role as a sentence names it ("moderator"), in the active language."""
    return str(EventRole.Role(role).label).lower()


def can_organise(user: AbstractBaseUser | AnonymousUser) -> bool:
    """May open the organiser pages at all (each event's only if `organises` it)."""
    return user.is_authenticated and user.is_active and user.has_perm(ORGANISE_PERMISSION)


def events_organised(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Event]:
    """The events `user` organises: those they were granted, every one for a superuser."""
    if not can_organise(user):
        return Event.objects.none()
    if user.is_superuser:
        return Event.objects.all()
    return Event.objects.filter(organisers=user)


def organises(user: AbstractBaseUser | AnonymousUser, event: Event) -> bool:
    return events_organised(user).filter(pk=event.pk).exists()


def sessions_by_day(event: Event) -> list[tuple[date, list[Session]]]:
    """The event's sessions grouped by their local day, in time order."""
    zone = ZoneInfo(event.timezone)
    days: dict[date, list[Session]] = defaultdict(list)
    for session in (
        event.sessions.select_related("room").prefetch_related("speakers").order_by("starts_at", "room__order", "pk")
    ):
        session.local_start = session.starts_at.astimezone(zone)
        session.local_end = session.ends_at.astimezone(zone)
        days[session.local_start.date()].append(session)
    return sorted(days.items())


def colour_contrasts(colour: str) -> dict[str, float]:
    """The colour's contrast on white and on the projector, as the Look page shows them."""
    return {
        "on_white": round(contrast(colour, WHITE), 1),
        "on_projector": round(contrast(colour, PROJECTOR), 1),
    }


def event_look(event: Event) -> dict[str, str]:
    """What the live pages show of the event's look: {"colour": "#rrggbb", "logo": url} (either may be missing)."""
    look = EventLook.objects.filter(event=event).only("colour", "logo_type", "logo_updated_at").first()
    if look is None:
        return {}
    found = {}
    if look.colour:
        found["colour"] = look.colour
    if look.logo_type and look.logo_updated_at:
        version = int(look.logo_updated_at.timestamp())
        found["logo"] = f"{reverse('organiser:logo', args=[event.code])}?v={version}"
    return found
