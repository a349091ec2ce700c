"""The organiser's writes: accounts that organise, events and their programme, people, block
list, look, and a clone for next year. Each write is one transaction and publishes what the live
pages show after the commit."""

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext as _

from livehub.errors import Conflict, Invalid, NotFound
from livehub.realtime.publish import publish_on_commit
from polls.models import Poll
from polls.selectors import poll_translations
from polls.services import poll_create, poll_delete, poll_update
from qa.models import BlockedWord
from qa.services import event_set_moderation
from sessions.models import Event, EventRole, Room, Session, Speaker
from sessions.selectors import event_payload, session_payload
from staff.models import RoleLink
from staff.services import role_links_revoke

from .colour import nearest_passing, passes
from .models import EventLook
from .selectors import role_label

ORGANISE = ("organiser", "organise")


def organiser_create(*, username: str, password: str, event_codes: Sequence[str] = ()) -> AbstractBaseUser:
    """An account that may organise: created with `password`, or an existing account given the
    permission (and the new password). The password must pass the project's validators. It
    organises the events of `event_codes` (codes ignore case), besides those it already did."""
    users = get_user_model()
    username = username.strip()
    if not username:
        raise Invalid(_("A username is required."), fields={"username": "required"})
    events = []
    for code in event_codes:
        event = Event.objects.filter(code__iexact=code.strip()).first()
        if event is None:
            raise Invalid(_("There is no event with the code %(code)s.") % {"code": code}, fields={"event": code})
        events.append(event)
    with transaction.atomic():
        user = users._default_manager.filter(**{users.USERNAME_FIELD: username}).first()
        candidate = user or users(**{users.USERNAME_FIELD: username})
        try:
            validate_password(password, candidate)
        except ValidationError as error:
            raise Invalid(" ".join(error.messages), fields={"password": " ".join(error.messages)}) from None
        candidate.set_password(password)
        candidate.is_active = True
        candidate.save()
        candidate.user_permissions.add(
            Permission.objects.get(content_type__app_label=ORGANISE[0], codename=ORGANISE[1])
        )
        candidate.organised_events.add(*events)
    return candidate


# Events -------------------------------------------------------------------------------------

EVENT_FIELDS = (
    "code", "name", "timezone", "starts_on", "ends_on", "venue", "city", "organiser",
    "auto_approve", "require_names", "allow_self_votes", "stream_delay", "stream_url", "languages", "projector",
    "projector_interval",
)  # fmt: skip


def _dates_checked(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise Invalid(_("The event ends before it starts."), fields={"ends_on": "must be on or after the first day"})


def _code_free(code: str, *, but: Event | None = None) -> None:
    taken = Event.objects.filter(code__iexact=code)
    if but is not None:
        taken = taken.exclude(pk=but.pk)
    if taken.exists():
        raise Invalid(
            _("An event with the code %(code)s already exists.") % {"code": code}, fields={"code": "already taken"}
        )


def event_create(
    *, by: AbstractBaseUser, code: str, name: str, timezone: str, starts_on: date, ends_on: date, **fields: Any
) -> Event:
    """A new event, organised by the account that creates it (`by`)."""
    _dates_checked(starts_on, ends_on)
    with transaction.atomic():
        _code_free(code)
        event = Event.objects.create(
            code=code, name=name, timezone=timezone, starts_on=starts_on, ends_on=ends_on, **fields
        )
        event.organisers.add(by)
    return event


def event_update(*, event: Event, actor: str, **fields: Any) -> Event:
    """Change the event's settings; the live pages hear `event.updated` (code changes revoke
    nothing, but role links carry the code and stop working: hand out new ones)."""
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise ValueError(f"not event settings: {sorted(unknown)}")
    _dates_checked(fields.get("starts_on", event.starts_on), fields.get("ends_on", event.ends_on))
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if "code" in fields:
            _code_free(fields["code"], but=event)
        auto_approve = fields.pop("auto_approve", event.auto_approve)
        for name, value in fields.items():
            setattr(event, name, value)
        event.save()
        if auto_approve != event.auto_approve:
            # The moderation log records who turned auto-approve on or off.
            event = event_set_moderation(event_id=event.pk, auto_approve=auto_approve, actor=actor)
        else:
            publish_on_commit(event_id=event.pk, type="event.updated", data=event_payload(event))
    return event


# Sessions and speakers ----------------------------------------------------------------------

SESSION_FIELDS = ("title", "description", "kind", "room", "starts_at", "ends_at", "stream_url")


def _publish_session(event: Event, session: Session) -> None:
    payload = session_payload(session, timezone=event.timezone)
    publish_on_commit(event_id=event.pk, type="session.updated", data=payload)


def session_save(*, event: Event, session: Session | None, speakers: list[Speaker], **fields: Any) -> Session:
    """Create (`session` None) or change a session; every page showing the programme hears it."""
    if fields["ends_at"] < fields["starts_at"]:
        raise Invalid(_("The session ends before it starts."), fields={"ends_at": "must be after the start"})
    if any(speaker.event_id != event.pk for speaker in speakers):
        raise Invalid(_("A speaker of another event."), fields={"speakers": "not of this event"})
    with transaction.atomic():
        if session is None:
            session = Session(event=event)
        else:
            session = Session.objects.select_for_update().get(pk=session.pk, event=event)
        for name, value in fields.items():
            setattr(session, name, value)
        running = (Session.Status.LIVE, Session.Status.PAUSED)
        if (
            session.status in running
            and event.sessions.filter(room=session.room, status__in=running).exclude(pk=session.pk).exists()
        ):
            raise Conflict(_("Another session of this room is live or paused."), fields={"room": "already running"})
        session.save()
        session.speakers.set(speakers)
        publish_on_commit(
            event_id=event.pk, type="session.updated", data=session_payload(session, timezone=event.timezone)
        )
    return session


def speaker_save(*, event: Event, speaker: Speaker | None, name: str, affiliation: str) -> Speaker:
    name = " ".join(name.split())
    with transaction.atomic():
        taken = event.speakers.filter(name=name)
        if speaker is not None:
            taken = taken.exclude(pk=speaker.pk)
        if taken.exists():
            raise Invalid(
                _("The event already has a speaker called %(name)s.") % {"name": name},
                fields={"name": "already a speaker"},
            )
        speaker = speaker or Speaker(event=event)
        speaker.name, speaker.affiliation = name, affiliation.strip()
        speaker.save()
        for session in speaker.sessions.all():
            _publish_session(event, session)
    return speaker


def speaker_delete(*, event: Event, speaker_id: int) -> None:
    with transaction.atomic():
        speaker = event.speakers.filter(pk=speaker_id).first()
        if speaker is None:
            raise NotFound(_("There is no such speaker in this event."))
        sessions = list(speaker.sessions.all())
        speaker.delete()
        for session in sessions:
            _publish_session(event, session)


# People -------------------------------------------------------------------------------------


def role_grant(*, event: Event, username: str, role: str) -> EventRole:
    users = get_user_model()
    user = users._default_manager.filter(**{users.USERNAME_FIELD: username.strip()}).first()
    if user is None:
        raise Invalid(
            _("There is no account “%(username)s”.") % {"username": username.strip()},
            fields={"username": "no such account"},
        )
    with transaction.atomic():
        grant, created = EventRole.objects.get_or_create(event=event, user=user, role=role)
    if not created:
        raise Invalid(
            _("%(user)s is already %(role)s of this event.") % {"user": user.get_username(), "role": role_label(role)},
            fields={"username": "already has it"},
        )
    return grant


def role_revoke(*, event: Event, role_id: int) -> None:
    deleted, _rows = EventRole.objects.filter(event=event, pk=role_id).delete()
    if not deleted:
        raise NotFound(_("There is no such role in this event."))


def role_link_revoke(*, event: Event, link_id: int) -> None:
    links = RoleLink.objects.filter(event=event, pk=link_id)
    if not links.exists():
        raise NotFound(_("There is no such link in this event."))
    role_links_revoke(links=links)


# Block list ---------------------------------------------------------------------------------

WORD = re.compile(r"^\w+$", re.UNICODE)


def blocklist_set(*, event: Event, text: str) -> list[str]:
    """Replace the event's block list with the words in `text` (one per line or separated by
    spaces or commas). A question's words are compared one by one, so each entry is one word."""
    words = sorted({w.casefold() for w in re.split(r"[\s,;]+", text) if w})
    bad = [w for w in words if not WORD.match(w) or len(w) > 60]
    if bad:
        raise Invalid(
            _("Each entry is one word of up to 60 letters or digits: %(words)s") % {"words": ", ".join(bad[:5])},
            fields={"words": f"not one word: {', '.join(bad[:5])}"},
        )
    with transaction.atomic():
        BlockedWord.objects.filter(event=event).exclude(word__in=words).delete()
        BlockedWord.objects.bulk_create([BlockedWord(event=event, word=w) for w in words], ignore_conflicts=True)
    return words


# Polls --------------------------------------------------------------------------------------


# The polls' services, each in its own transaction (a savepoint inside the request's): a refused
# write leaves nothing behind and the page can still be shown with the refusal.


def poll_prepare(*, event: Event, actor: str, **fields: Any) -> Poll:
    """A draft poll made ahead of the event, as the console makes one."""
    with transaction.atomic():
        return poll_create(event_id=event.pk, actor=actor, **fields)


def poll_revise(*, event: Event, actor: str, poll_id: int, **fields: Any) -> Poll:
    """Change a draft, as the console's draft edit does (`poll.updated` to the moderators)."""
    with transaction.atomic():
        return poll_update(event_id=event.pk, poll_id=poll_id, actor=actor, **fields)


def poll_discard(*, event: Event, actor: str, poll_id: int) -> None:
    """Delete a draft; open consoles drop it (`poll.removed`)."""
    with transaction.atomic():
        poll_delete(event_id=event.pk, poll_id=poll_id, actor=actor)


# Look ---------------------------------------------------------------------------------------

LOGO_MAX_BYTES = 512 * 1024
RASTER = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
SVG_FORBIDDEN = re.compile(r"^(script|foreignObject|iframe|object|embed)$", re.IGNORECASE)


def _sniffed_type(content: bytes) -> str:
    for magic, content_type in RASTER.items():
        if content.startswith(magic):
            return content_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    try:
        root = ElementTree.fromstring(content, forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException, ValueError):
        raise Invalid(
            _("The logo is not a PNG, JPEG, WebP or SVG image."), fields={"logo": "PNG, JPEG, WebP or SVG"}
        ) from None
    if root.tag.rsplit("}", 1)[-1] != "svg":
        raise Invalid(_("The logo is not a PNG, JPEG, WebP or SVG image."), fields={"logo": "PNG, JPEG, WebP or SVG"})
    # Served only as an image under a sandboxing policy, where scripts never run; refused anyway
    # so that nobody opening the file elsewhere runs them either.
    for element in root.iter():
        tag = str(element.tag).rsplit("}", 1)[-1]
        if SVG_FORBIDDEN.match(tag) or any(a.rsplit("}", 1)[-1].lower().startswith("on") for a in element.attrib):
            raise Invalid(_("The SVG logo contains scripts or embedded pages."), fields={"logo": "no scripts in SVG"})
    return "image/svg+xml"


def colour_checked(colour: str) -> str:
    colour = colour.strip().lower()
    if not re.match(r"^#[0-9a-f]{6}$", colour):
        raise Invalid(_("A colour is written #rrggbb, e.g. #0f766e."), fields={"colour": "#rrggbb"})
    if not passes(colour):
        suggestion = nearest_passing(colour)
        raise Invalid(
            _(
                "%(colour)s is hard to read on white or on the projector's dark background. "
                "%(suggestion)s is the nearest colour that passes."
            )
            % {"colour": colour, "suggestion": suggestion},
            fields={"colour": f"too little contrast; try {suggestion}"},
        )
    return colour


def look_set(
    *, event: Event, colour: str | None = None, logo: bytes | None = None, remove_logo: bool = False
) -> EventLook:
    """Set the event's colour (None: keep it, "": the default) and logo (bytes: replace it)."""
    if colour:
        colour = colour_checked(colour)
    if logo is not None and len(logo) > LOGO_MAX_BYTES:
        raise Invalid(
            _("The logo is larger than %(kb)d KB.") % {"kb": LOGO_MAX_BYTES // 1024},
            fields={"logo": f"at most {LOGO_MAX_BYTES // 1024} KB"},
        )
    logo_type = _sniffed_type(logo) if logo is not None else None
    with transaction.atomic():
        look, _created = EventLook.objects.select_for_update().get_or_create(event=event)
        if colour is not None:
            look.colour = colour
        if logo is not None:
            look.logo, look.logo_type, look.logo_updated_at = logo, logo_type, dj_timezone.now()
        elif remove_logo:
            look.logo, look.logo_type, look.logo_updated_at = None, "", None
        look.save()
    return look


def logo_etag(look: EventLook) -> str:
    return hashlib.sha256(bytes(look.logo or b"")).hexdigest()[:16]


# Clone --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cloned:
    event: Event
    rooms: int
    sessions: int
    speakers: int
    polls: int


def event_clone(*, source: Event, by: AbstractBaseUser, code: str, name: str, days: int) -> Cloned:
    """A copy of `source` for next year: settings, look, block list, rooms, speakers, sessions moved by
    `days` (scheduled, ids of the programme's source kept for the next import) and polls as drafts.
    Nothing of the audience (participants, questions, votes, answers), no roles or links; the
    account that clones (`by`) organises the copy."""
    shift = timedelta(days=days)
    with transaction.atomic():
        _code_free(code)
        copy = Event.objects.get(pk=source.pk)
        copy.pk = None
        copy.code, copy.name = code, name
        copy.starts_on, copy.ends_on = source.starts_on + shift, source.ends_on + shift
        copy.current_session = None
        copy.link_secret = Event._meta.get_field("link_secret").default()
        copy.save()  # also seeds the default block list: replaced by the source's below
        copy.organisers.add(by)
        BlockedWord.objects.filter(event=copy).delete()
        BlockedWord.objects.bulk_create(
            [BlockedWord(event=copy, word=w) for w in source.blocked_words.values_list("word", flat=True)]
        )
        look = EventLook.objects.filter(event=source).first()
        if look is not None:
            EventLook.objects.create(
                event=copy, colour=look.colour, logo=look.logo, logo_type=look.logo_type,
                logo_updated_at=look.logo_updated_at,
            )  # fmt: skip
        rooms = {
            r.pk: Room.objects.create(event=copy, name=r.name, slug=r.slug, order=r.order, stream_url=r.stream_url)
            for r in source.rooms.all()
        }
        speakers = {
            s.pk: Speaker.objects.create(event=copy, name=s.name, affiliation=s.affiliation, user=s.user)
            for s in source.speakers.all()
        }
        sessions = {}
        for s in source.sessions.prefetch_related("speakers").order_by("pk"):
            new = Session.objects.create(
                event=copy, title=s.title, description=s.description, kind=s.kind, room=rooms.get(s.room_id),
                starts_at=s.starts_at + shift, ends_at=s.ends_at + shift, stream_url=s.stream_url,
                order=s.order, external_id=s.external_id,
            )  # fmt: skip
            new.speakers.set([speakers[sp.pk] for sp in s.speakers.all()])
            sessions[s.pk] = new
        copied: dict[int, int] = {}  # the source's poll id → the copy's
        pairs = []
        for poll in source.polls.select_related("event").prefetch_related("options").order_by("pk"):
            new = poll_create(
                event_id=copy.pk, actor="clone", kind=poll.kind, prompt=poll.prompt,
                session_id=sessions[poll.session_id].pk if poll.session_id else None,
                options=[o.label for o in poll.options.all()] or None, max_choices=poll.max_choices,
                scale=poll.scale, phase=poll.phase or None, auto_open=poll.auto_open,
                translations=poll_translations(poll),
            )  # fmt: skip
            copied[poll.pk] = new.pk
            if poll.stance_pair_id:
                pairs.append((new.pk, poll.stance_pair_id))
        for new_pk, partner in pairs:
            Poll.objects.filter(pk=new_pk).update(stance_pair_id=copied[partner])
    return Cloned(event=copy, rooms=len(rooms), sessions=len(sessions), speakers=len(speakers), polls=len(copied))
