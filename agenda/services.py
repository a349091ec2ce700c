"""Importing a programme: first a preview (what will be created, changed, removed, kept), then
the same plan applied in one transaction. The organiser's upload and `manage.py import_agenda`
both call these.

Sessions are matched by their external id (pretalx guid, CSV id, iCalendar UID): a re-import
updates them in place, so their questions and polls stay theirs. Sessions without an external id
(added by hand) are never touched. Rooms are looked up by name, and created when new.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext

from livehub.errors import Invalid
from livehub.realtime.publish import publish_on_commit
from sessions.contributors import audience_data_label, sessions_holding_audience_data
from sessions.models import Event, Room, Session, Speaker, room_slug
from sessions.selectors import event_payload, session_payload
from sessions.services import sessions_remove

from .formats import Agenda, Item, agenda_read, timezone_checked

DEFAULT_TIMEZONE = Event._meta.get_field("timezone").default
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$")
# What an import sets on a session; the rest (status, stream, order) is the live layer's.
FIELDS = ("title", "description", "kind", "room", "starts_at", "ends_at", "speakers")
RUNNING = (Session.Status.LIVE, Session.Status.PAUSED)


@dataclass(frozen=True)
class Change:
    """A session of the event the import updates, removes or keeps."""

    session_id: int
    external_id: str
    title: str
    fields: tuple[str, ...] = ()  # what changes
    reasons: tuple[str, ...] = ()  # why it is kept although the file no longer has it


@dataclass
class Plan:
    code: str
    format: str
    creates_event: bool
    name: str
    timezone: str
    starts_on: date | None
    ends_on: date | None
    created: list[Item] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: int = 0
    # Gone from the file: deleted when pruning, else only listed.
    removed: list[Change] = field(default_factory=list)
    # Gone from the file but kept, pruning or not, with the reasons.
    kept: list[Change] = field(default_factory=list)
    by_hand: int = 0  # sessions without an external id, left as they are
    new_speakers: list[str] = field(default_factory=list)
    new_rooms: list[str] = field(default_factory=list)
    prune: bool = False


def _event_for(code: str, *, for_update: bool) -> Event | None:
    events = Event.objects.filter(code__iexact=code.strip())
    return (events.select_for_update() if for_update else events).first()


def _settings_for(
    event: Event | None, agenda: Agenda, *, code: str, name: str | None, zone: str | None
) -> tuple[str, str]:
    """The event's name and time zone: the event's own, or for a new one the options', then the file's."""
    if zone:
        zone = timezone_checked(zone, where="--timezone")
    if event is not None:
        if name and name != event.name:
            raise Invalid(
                gettext("The event %(code)s is already called %(name)s; a name is only for a new event.")
                % {"code": event.code, "name": repr(event.name)}
            )
        if zone and zone != event.timezone:
            raise Invalid(
                gettext("The event %(code)s keeps its time zone %(zone)s; a time zone is only for a new event.")
                % {"code": event.code, "zone": event.timezone}
            )
        return event.name, event.timezone
    if not _CODE.match(code):
        raise Invalid(
            gettext("%(code)s cannot be an event code: 2 to 32 letters, digits, '-' or '_', e.g. SFH2022.")
            % {"code": repr(code)}
        )
    name = (name or agenda.name).strip()
    if not name:
        raise Invalid(
            gettext("There is no event %(code)s and the file names none: give the new event's name (--name).")
            % {"code": code}
        )
    if len(name) > 200:
        raise Invalid(gettext("The event's name is longer than %(max)s characters.") % {"max": 200})
    return name, zone or agenda.timezone or DEFAULT_TIMEZONE


def _room_name(session: Session) -> str:
    return session.room.name if session.room_id else ""


def _differences(session: Session, item: Item, speakers: list[str]) -> tuple[str, ...]:
    wanted = {**item.__dict__, "speakers": sorted(item.speakers)}
    current = {name: getattr(session, name) for name in FIELDS if name not in ("speakers", "room")}
    current |= {"speakers": speakers, "room": _room_name(session)}
    return tuple(name for name in FIELDS if current[name] != wanted[name])


def _local_dates(items: list[Item], zone: str) -> tuple[date, date] | None:
    if not items:
        return None
    tz = ZoneInfo(zone)
    return (
        min(item.starts_at.astimezone(tz).date() for item in items),
        max(item.ends_at.astimezone(tz).date() for item in items),
    )


def _plan(
    event: Event | None, agenda: Agenda, *, code: str, name: str | None, zone: str | None, prune: bool
) -> tuple[Plan, list[Item]]:
    name, zone = _settings_for(event, agenda, code=code, name=name, zone=zone)
    items = agenda.localised(zone)
    days = _local_dates(items, zone)
    if event is None and days is None:
        raise Invalid(gettext("The file has no sessions: there is nothing to create the event from."))
    if event is not None:
        starts_on, ends_on = event.starts_on, event.ends_on
        if days is not None:  # the event's dates grow to hold every session, never shrink
            starts_on, ends_on = min(starts_on, days[0]), max(ends_on, days[1])
    else:
        starts_on, ends_on = days
    plan = Plan(
        code=event.code if event else code.strip(),
        format=agenda.format,
        creates_event=event is None,
        name=name,
        timezone=zone,
        starts_on=starts_on,
        ends_on=ends_on,
        prune=prune,
    )
    if event is None:
        plan.created.extend(items)
        plan.new_speakers.extend(dict.fromkeys(s for item in items for s in item.speakers))
        plan.new_rooms.extend(dict.fromkeys(item.room for item in items if item.room))
        return plan, items

    sessions = {
        s.external_id: s
        for s in event.sessions.filter(external_id__isnull=False).select_related("room").prefetch_related("speakers")
    }
    known_speakers = set(event.speakers.values_list("name", flat=True))
    known_rooms = set(event.rooms.values_list("name", flat=True))
    plan.new_rooms.extend(dict.fromkeys(item.room for item in items if item.room and item.room not in known_rooms))
    plan.new_speakers.extend(dict.fromkeys(s for item in items for s in item.speakers if s not in known_speakers))
    plan.by_hand = event.sessions.filter(external_id__isnull=True).count()
    for item in items:
        session = sessions.get(item.external_id)
        if session is None:
            plan.created.append(item)
            continue
        changed = _differences(session, item, sorted(s.name for s in session.speakers.all()))
        if changed:
            plan.changed.append(Change(session.pk, item.external_id, item.title, fields=changed))
        else:
            plan.unchanged += 1

    in_file = {item.external_id for item in items}
    gone = [s for s in sessions.values() if s.external_id not in in_file]
    holding = sessions_holding_audience_data(event=event) if gone else {}
    for session in sorted(gone, key=lambda s: (s.starts_at, s.pk)):
        reasons = [
            gettext("has %(what)s") % {"what": audience_data_label(name)} for name in holding.get(session.pk, [])
        ]
        if session.status == Session.Status.LIVE:
            reasons.append(gettext("is live"))
        elif session.status == Session.Status.PAUSED:
            reasons.append(gettext("is paused"))
        if session.pk == event.current_session_id:
            reasons.append(gettext("is the event's current session"))
        change = Change(session.pk, session.external_id, session.title, reasons=tuple(reasons))
        (plan.kept if reasons else plan.removed).append(change)
    _check_running_rooms(event, items, sessions, plan)
    return plan, items


def _check_running_rooms(event: Event, items: list[Item], sessions: dict[str, Session], plan: Plan) -> None:
    """A live or paused session moved to another room must not meet another running one there."""
    room_of = {s.pk: _room_name(s) for s in event.sessions.filter(status__in=RUNNING).select_related("room")}
    titles = dict(event.sessions.filter(status__in=RUNNING).values_list("pk", "title"))
    for item in items:
        session = sessions.get(item.external_id)
        if session is not None and session.pk in room_of:
            room_of[session.pk] = item.room
    seen: dict[str, int] = {}
    for session_id, room in room_of.items():
        if room in seen:
            raise Invalid(
                gettext(
                    "“%(first)s” and “%(second)s” are both running: the file would put them in the same room "
                    "(%(room)s). End one first."
                )
                % {"first": titles[session_id], "second": titles[seen[room]], "room": room or gettext("no room")}
            )
        seen[room] = session_id


def agenda_preview(
    *, code: str, content: bytes, name: str | None = None, timezone: str | None = None, prune: bool = False
) -> Plan:
    """What importing `content` into the event `code` would do; writes nothing."""
    agenda = agenda_read(content)
    return _plan(_event_for(code, for_update=False), agenda, code=code, name=name, zone=timezone, prune=prune)[0]


def agenda_import(
    *, code: str, content: bytes, name: str | None = None, timezone: str | None = None, prune: bool = False
) -> Plan:
    """Import the programme in `content` into the event `code` (created when new), in one
    transaction: all of it or, on any error, nothing. Created and changed sessions are published
    (`session.updated`) after the commit; removed ones only with `prune`, never one holding
    audience data or running. Returns the plan it applied."""
    agenda = agenda_read(content)
    with transaction.atomic():
        event = _event_for(code, for_update=True)
        plan, items = _plan(event, agenda, code=code, name=name, zone=timezone, prune=prune)
        if event is None:
            event = Event.objects.create(
                code=plan.code, name=plan.name, timezone=plan.timezone, starts_on=plan.starts_on, ends_on=plan.ends_on
            )
        elif (event.starts_on, event.ends_on) != (plan.starts_on, plan.ends_on):
            event.starts_on, event.ends_on = plan.starts_on, plan.ends_on
            event.save(update_fields=["starts_on", "ends_on"])
            publish_on_commit(event_id=event.pk, type="event.updated", data=event_payload(event))
        speakers = _speakers_for(event, items)
        rooms = _rooms_for(event, items)
        touched = {change.external_id for change in plan.changed} | {item.external_id for item in plan.created}
        sessions = {s.external_id: s for s in event.sessions.filter(external_id__in=touched).select_for_update()}
        if plan.prune and plan.removed:
            gone = event.sessions.filter(pk__in=[change.session_id for change in plan.removed])
            sessions_remove(event=event, sessions=list(gone))
        for item in items:
            if item.external_id in touched:
                session = sessions.get(item.external_id) or Session(event=event, external_id=item.external_id)
                _session_write(session, item, speakers, rooms)
                publish_on_commit(
                    event_id=event.pk, type="session.updated", data=session_payload(session, timezone=event.timezone)
                )
    return plan


def _speakers_for(event: Event, items: list[Item]) -> dict[str, Speaker]:
    """The event's speakers named in the file, those it does not know yet created (by name)."""
    names = {name for item in items for name in item.speakers}
    speakers = {s.name: s for s in event.speakers.filter(name__in=names)}
    missing = [Speaker(event=event, name=name) for name in sorted(names - set(speakers))]
    for speaker in Speaker.objects.bulk_create(missing):
        speakers[speaker.name] = speaker
    return speakers


def _rooms_for(event: Event, items: list[Item]) -> dict[str, Room]:
    """The event's rooms named in the file, those it does not have yet created after them, in
    the file's order."""
    rooms = {room.name: room for room in event.rooms.all()}
    slugs = {room.slug for room in rooms.values()}
    order = max((room.order for room in rooms.values()), default=0)
    for name in dict.fromkeys(item.room for item in items if item.room):
        if name not in rooms:
            order += 1
            slug = room_slug(name, slugs)
            slugs.add(slug)
            rooms[name] = Room.objects.create(event=event, name=name, slug=slug, order=order)
    return rooms


def _session_write(session: Session, item: Item, speakers: dict[str, Speaker], rooms: dict[str, Room]) -> None:
    for name in FIELDS:
        if name not in ("speakers", "room"):
            setattr(session, name, getattr(item, name))
    session.room = rooms.get(item.room)
    session.save()
    session.speakers.set([speakers[name] for name in item.speakers])
