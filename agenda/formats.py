"""Reading a programme file: the pretalx/frab schedule JSON, CSV or iCalendar, told apart by
their content. Each becomes an `Agenda`, or raises `Invalid` naming the talk or row and the field,
in the active language (the organiser's page's; `manage.py import_agenda` speaks English). The
file's own names (its fields, columns and properties) are quoted as the file writes them.

Nothing here touches the database: the plan and the import are in `services.py`.
"""

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from livehub.errors import Invalid
from sessions.models import Room, Session, Speaker

Kind = Session.Kind

# What a CSV file may have; the first four are required.
CSV_COLUMNS = ("id", "start", "end", "title", "room", "kind", "speakers", "description")
CSV_REQUIRED = CSV_COLUMNS[:4]

# pretalx submission types and CSV/iCalendar kinds are free text: the first word found decides.
_KIND_WORDS = (
    (Kind.DEBATE, ("debate", "controversy", "pro/con", "oxford")),
    (Kind.ROUNDTABLE, ("roundtable", "round table", "round-table", "panel", "discussion", "fireside")),
    (Kind.BREAK, ("break", "lunch", "coffee", "pause", "dinner", "reception", "registration")),
)

# Congresses happen in this range: a year beyond it is a typo, and would overflow the arithmetic.
_FIRST_YEAR, _LAST_YEAR = 1970, 2200
_MAX_DURATION = timedelta(days=14)

_lengths = {name: Session._meta.get_field(name).max_length for name in ("title", "external_id")}
_lengths["room"] = Room._meta.get_field("name").max_length
_SPEAKER_NAME_LENGTH = Speaker._meta.get_field("name").max_length


def kind_of(label: str | None) -> str:
    """The session kind a submission type or category means; anything else is a talk."""
    text = (label or "").strip().casefold()
    if text in Kind.values:
        return text
    for kind, words in _KIND_WORDS:
        if any(word in text for word in words):
            return kind
    return Kind.TALK


@dataclass(frozen=True)
class Item:
    """One session as the file describes it. Times without a zone are the event's local time
    (naive here; `Agenda.localised` gives them the zone)."""

    external_id: str
    title: str
    starts_at: datetime
    ends_at: datetime
    where: str  # "talk “Opening” (guid …)", "row 4", "VEVENT 3 (UID …)": for error messages
    room: str = ""
    kind: str = Kind.TALK
    speakers: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Agenda:
    format: str  # "pretalx", "csv" or "ical"
    items: list[Item]
    name: str = ""  # the congress's name, when the file gives one
    timezone: str = ""  # its time zone, when the file gives one
    rooms: tuple[str, ...] = field(default=())  # in the file's order

    def localised(self, zone_name: str) -> list[Item]:
        """The items with every time in `zone_name` where the file gave no zone."""
        zone = ZoneInfo(zone_name)
        return [
            Item(**{**item.__dict__, "starts_at": _aware(item.starts_at, zone), "ends_at": _aware(item.ends_at, zone)})
            for item in self.items
        ]


def _aware(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def timezone_checked(name: str, *, where: str) -> str:
    name = (name or "").strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(
            _("%(where)s: %(value)s is not a time zone (an IANA name such as Europe/Brussels).")
            % {"where": where, "value": repr(name)}
        ) from None
    return name


def agenda_read(content: bytes) -> Agenda:
    """The agenda in `content`, whichever of the three formats it is."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Invalid(
            _("The file is not UTF-8 text (byte %(byte)s); save it as UTF-8 (CSV UTF-8 in a spreadsheet).")
            % {"byte": error.start}
        ) from None
    start = text.lstrip()
    if not start:
        raise Invalid(_("The file is empty."))
    if start[0] in "{[":
        agenda = _read_schedule_json(start)
    elif start[:15].upper() == "BEGIN:VCALENDAR":
        agenda = _read_ical(start)
    else:
        agenda = _read_csv(text)
    # Each field refuses a NUL naming itself; one anywhere else (a column's name, a kind) too.
    if "\x00" in text:
        raise Invalid(_("The file contains a NUL character: it is not a text file."))
    return agenda


# Checks shared by the three formats ----------------------------------------------------------


def _text(value: Any, *, where: str, name: str, required: bool = False, max_length: int | None = None) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise Invalid(
            _("%(where)s: field %(field)s must be text, not %(type)s.")
            % {"where": where, "field": repr(name), "type": type(value).__name__}
        )
    text = _without_nul(str(value).strip(), where=where, name=name)
    if required and not text:
        raise Invalid(_("%(where)s: field %(field)s is missing or empty.") % {"where": where, "field": repr(name)})
    if max_length is not None and len(text) > max_length:
        raise Invalid(
            _("%(where)s: field %(field)s is %(length)s characters long; at most %(max)s.")
            % {"where": where, "field": repr(name), "length": len(text), "max": max_length}
        )
    return text


def _without_nul(text: str, *, where: str, name: str) -> str:
    """PostgreSQL text cannot hold a NUL; a JSON file writes it as \\u0000, any file may hold it raw."""
    if "\x00" in text:
        raise Invalid(
            _("%(where)s: field %(field)s contains a NUL character, which is not text.")
            % {"where": where, "field": repr(name)}
        )
    return text


def _in_range(moment: datetime, *, where: str, name: str) -> datetime:
    if not _FIRST_YEAR <= moment.year <= _LAST_YEAR:
        raise Invalid(
            _("%(where)s: field %(field)s: the year %(year)s is not a congress's year.")
            % {"where": where, "field": repr(name), "year": moment.year}
        )
    return moment


def _iso_moment(value: Any, *, where: str, name: str) -> datetime:
    text = _text(value, where=where, name=name, required=True)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid(
            _("%(where)s: field %(field)s: %(value)s is not a date and time (ISO 8601, e.g. 2024-11-14T09:00).")
            % {"where": where, "field": repr(name), "value": repr(text)}
        ) from None
    return _in_range(moment, where=where, name=name)


def _ends(starts_at: datetime, ends_at: datetime, *, where: str, name: str) -> datetime:
    names = {"where": where, "field": repr(name)}
    if (starts_at.tzinfo is None) != (ends_at.tzinfo is None):
        raise Invalid(_("%(where)s: field %(field)s: give both times with a zone (an offset) or neither.") % names)
    if ends_at < starts_at:
        raise Invalid(_("%(where)s: field %(field)s: the session ends before it starts.") % names)
    if ends_at - starts_at > _MAX_DURATION:
        raise Invalid(
            _("%(where)s: field %(field)s: the session would last more than %(days)s days.")
            % {**names, "days": _MAX_DURATION.days}
        )
    return ends_at


def _speakers(names: Iterable[str], *, where: str, name: str) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for speaker in names:
        speaker = _without_nul(" ".join(speaker.split()), where=where, name=name)
        if len(speaker) > _SPEAKER_NAME_LENGTH:
            raise Invalid(
                _("%(where)s: field %(field)s: a speaker's name is longer than %(max)s.")
                % {"where": where, "field": repr(name), "max": _SPEAKER_NAME_LENGTH}
            )
        if speaker:
            found[speaker] = None
    return tuple(found)


def _check_unique_ids(items: list[Item]) -> None:
    seen: dict[str, str] = {}
    for item in items:
        if item.external_id in seen:
            raise Invalid(
                _("%(where)s has the same id %(id)s as %(other)s.")
                % {"where": item.where, "id": repr(item.external_id), "other": seen[item.external_id]}
            )
        seen[item.external_id] = item.where


def _described(title: str, *, talk: bool) -> str:
    """`talk “Title”` or `session “Title”`, the title cut short."""
    if not title:
        return _("talk") if talk else _("session")
    short = {"title": title if len(title) <= 60 else title[:59] + "…"}
    return (_("talk “%(title)s”") if talk else _("session “%(title)s”")) % short


# pretalx / frab schedule JSON -----------------------------------------------------------------

_DURATION = re.compile(r"^(?:(\d+):)?(\d{1,3}):(\d{2})(?::(\d{2}))?$")


def _duration(value: Any, *, where: str) -> timedelta:
    text = _text(value, where=where, name="duration", required=True)
    match = _DURATION.match(text)
    if match is None:
        raise Invalid(
            _("%(where)s: field %(field)s: %(value)s is not a duration (HH:MM, e.g. 00:45).")
            % {"where": where, "field": "'duration'", "value": repr(text)}
        )
    days, hours, minutes, _seconds = (int(part) if part else 0 for part in match.groups())
    if minutes >= 60:
        raise Invalid(
            _("%(where)s: field %(field)s: %(value)s has %(minutes)s minutes.")
            % {"where": where, "field": "'duration'", "value": repr(text), "minutes": minutes}
        )
    return timedelta(days=days, hours=hours, minutes=minutes)


def _talk_start(talk: dict, *, where: str) -> datetime:
    """pretalx's `date` is the local start with its offset; frab's may be the day only, with `start`."""
    raw = talk.get("date")
    text = _text(raw, where=where, name="date", required=True)
    if "T" in text or " " in text:
        return _iso_moment(text, where=where, name="date")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise Invalid(
            _("%(where)s: field %(field)s: %(value)s is not a date (ISO 8601).")
            % {"where": where, "field": "'date'", "value": repr(text)}
        ) from None
    start = _text(talk.get("start"), where=where, name="start", required=True)
    try:
        hours, minutes = (int(part) for part in start.split(":"))
        moment = datetime(day.year, day.month, day.day, hours, minutes)
    except ValueError:
        raise Invalid(
            _("%(where)s: field %(field)s: %(value)s is not a time (HH:MM).")
            % {"where": where, "field": "'start'", "value": repr(start)}
        ) from None
    return _in_range(moment, where=where, name="date")


def _persons(talk: dict, *, where: str) -> tuple[str, ...]:
    persons = talk.get("persons") or []
    if not isinstance(persons, list):
        raise Invalid(_("%(where)s: field %(field)s must be a list.") % {"where": where, "field": "'persons'"})
    names = []
    for person in persons:
        if isinstance(person, str):
            names.append(person)
        elif isinstance(person, dict):
            names.append(
                _text(person.get("public_name") or person.get("name") or person.get("full_public_name"),
                      where=where, name="persons")
            )  # fmt: skip
        else:
            raise Invalid(
                _("%(where)s: field %(field)s: each person must be an object with a %(name)s.")
                % {"where": where, "field": "'persons'", "name": "'public_name'"}
            )
    return _speakers(names, where=where, name="persons")


def _talk(talk: Any, *, room: str, day: str, position: int) -> Item:
    where = _("talk %(position)s of %(day)s, room %(room)s") % {"position": position, "day": day, "room": room}
    if not isinstance(talk, dict):
        raise Invalid(_("%(where)s must be an object.") % {"where": where})
    title = _text(talk.get("title"), where=where, name="title", required=True, max_length=_lengths["title"])
    where = _("%(talk)s (%(day)s, room %(room)s)") % {"talk": _described(title, talk=True), "day": day, "room": room}
    guid = _text(
        talk.get("guid") or talk.get("id"), where=where, name="guid", required=True, max_length=_lengths["external_id"]
    )
    starts_at = _talk_start(talk, where=where)
    try:
        ends_at = starts_at + _duration(talk.get("duration"), where=where)
    except OverflowError:
        raise Invalid(_("%(where)s: field %(field)s is too long.") % {"where": where, "field": "'duration'"}) from None
    _ends(starts_at, ends_at, where=where, name="duration")
    talk_room = _text(talk.get("room") or room, where=where, name="room", max_length=_lengths["room"])
    parts = [_text(talk.get(name), where=where, name=name) for name in ("abstract", "description")]
    description = "\n\n".join(dict.fromkeys(part for part in parts if part))
    return Item(
        external_id=guid,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        where=where,
        room=talk_room,
        kind=kind_of(_text(talk.get("type"), where=where, name="type")),
        speakers=_persons(talk, where=where),
        description=description,
    )


def _read_schedule_json(text: str) -> Agenda:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise Invalid(
            _("The JSON is broken at line %(line)s, column %(column)s: %(error)s.")
            % {"line": error.lineno, "column": error.colno, "error": error.msg}
        ) from None
    except RecursionError:
        raise Invalid(_("The JSON is nested too deeply to be a schedule.")) from None
    schedule = document.get("schedule") if isinstance(document, dict) else None
    conference = schedule.get("conference") if isinstance(schedule, dict) else None
    if not isinstance(conference, dict):
        raise Invalid(
            _("This JSON is no pretalx/frab schedule: it has no %(path)s object.")
            % {"path": "'schedule' → 'conference'"}
        )
    where = _("the conference")
    name = _text(conference.get("title"), where=where, name="title", max_length=200)
    zone = conference.get("time_zone_name")
    zone = timezone_checked(zone, where=_field(where, "'time_zone_name'")) if zone else ""
    days = conference.get("days")
    if not isinstance(days, list):
        raise Invalid(_("%(where)s: field %(field)s must be a list of days.") % {"where": where, "field": "'days'"})
    items, rooms = [], {}
    for index, day in enumerate(days, start=1):
        if not isinstance(day, dict):
            raise Invalid(_("day %(number)s of the conference must be an object.") % {"number": index})
        label = _text(day.get("date"), where=_day(index), name="date") or _day(index)
        day_rooms = day.get("rooms") or {}
        if not isinstance(day_rooms, dict):
            raise Invalid(
                _("%(where)s: field %(field)s must be an object (room name → talks).")
                % {"where": _day(label), "field": "'rooms'"}
            )
        for room, talks in day_rooms.items():
            room = _text(room, where=_day(label), name="rooms", max_length=_lengths["room"])
            if not isinstance(talks, list):
                raise Invalid(_("day %(day)s, room %(room)s: the talks must be a list.") % {"day": label, "room": room})
            rooms[room] = None
            items += [_talk(talk, room=room, day=label, position=n) for n, talk in enumerate(talks, start=1)]
    _check_unique_ids(items)
    return Agenda(format="pretalx", items=items, name=name, timezone=zone, rooms=tuple(rooms))


def _day(label: int | str) -> str:
    return _("day %(day)s") % {"day": label}


def _field(where: str, field: str) -> str:
    return _("%(where)s: field %(field)s") % {"where": where, "field": field}


# CSV ------------------------------------------------------------------------------------------


def _read_csv(text: str) -> Agenda:
    header = text.splitlines()[0]
    # Spreadsheets in much of Europe save CSV with semicolons.
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows, line = [], 1  # (line where the row starts, cells): a quoted cell may span lines
    try:
        for row in reader:
            rows.append((line, row))
            line = reader.line_num + 1
    except csv.Error as error:
        raise Invalid(
            _("The CSV is broken at line %(line)s: %(error)s.") % {"line": reader.line_num, "error": error}
        ) from None
    columns = [column.strip().casefold() for column in rows[0][1]]
    unknown = [column for column in columns if column not in CSV_COLUMNS]
    if unknown:
        raise Invalid(
            _(
                "The CSV has columns LiveHub does not know: %(unknown)s; its columns are %(known)s "
                "(the first line names them)."
            )
            % {"unknown": ", ".join(map(repr, unknown)), "known": ", ".join(CSV_COLUMNS)}
        )
    missing = [column for column in CSV_REQUIRED if column not in columns]
    if missing:
        raise Invalid(
            _("The CSV has no column %(columns)s (the first line names the columns).")
            % {"columns": ", ".join(map(repr, missing))}
        )
    doubled = sorted({column for column in columns if columns.count(column) > 1})
    if doubled:
        raise Invalid(_("The CSV names the column %(columns)s twice.") % {"columns": ", ".join(map(repr, doubled))})
    items, rooms = [], {}
    for number, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        where = _("row %(row)s") % {"row": number}
        if len(row) != len(columns):
            raise Invalid(
                ngettext(
                    "%(where)s has %(count)s cell; the header has %(columns)s.",
                    "%(where)s has %(count)s cells; the header has %(columns)s.",
                    len(row),
                )
                % {"where": where, "count": len(row), "columns": len(columns)}
            )
        cells = dict(zip(columns, row, strict=True))
        title = _text(cells["title"], where=where, name="title", required=True, max_length=_lengths["title"])
        where = _("row %(row)s (%(session)s)") % {"row": number, "session": _described(title, talk=False)}
        starts_at = _iso_moment(cells["start"], where=where, name="start")
        ends_at = _ends(starts_at, _iso_moment(cells["end"], where=where, name="end"), where=where, name="end")
        room = _text(cells.get("room"), where=where, name="room", max_length=_lengths["room"])
        rooms[room] = None
        items.append(
            Item(
                external_id=_text(
                    cells["id"], where=where, name="id", required=True, max_length=_lengths["external_id"]
                ),
                title=title,
                starts_at=starts_at,
                ends_at=ends_at,
                where=where,
                room=room,
                kind=kind_of(cells.get("kind")),
                speakers=_speakers((cells.get("speakers") or "").split(";"), where=where, name="speakers"),
                description=_text(cells.get("description"), where=where, name="description"),
            )
        )
    _check_unique_ids(items)
    return Agenda(format="csv", items=items, rooms=tuple(room for room in rooms if room))


# iCalendar ------------------------------------------------------------------------------------


def _ical_moment(component, name: str, *, where: str) -> datetime | None:
    prop = component.get(name)
    if prop is None:
        return None
    try:
        value = prop.dt
    except (AttributeError, ValueError):
        names = {"where": where, "field": name}
        raise Invalid(_("%(where)s: field %(field)s is not a date and time.") % names) from None
    if not isinstance(value, datetime):
        raise Invalid(
            _("%(where)s: field %(field)s is a whole day (%(day)s); a session needs a time.")
            % {"where": where, "field": name, "day": value}
        )
    if value.tzinfo is not None and value.utcoffset() == timedelta(0):
        value = value.astimezone(UTC)
    return _in_range(value, where=where, name=name)


def _read_ical(text: str) -> Agenda:
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise Invalid(_("The iCalendar file is broken: %(error)s.") % {"error": error}) from None
    zone = calendar.get("X-WR-TIMEZONE")
    zone = timezone_checked(str(zone), where=_field(_("the calendar"), "X-WR-TIMEZONE")) if zone else ""
    name = _text(str(calendar.get("X-WR-CALNAME") or ""), where=_("the calendar"), name="X-WR-CALNAME", max_length=200)
    items, rooms = [], {}
    for number, component in enumerate(calendar.walk("VEVENT"), start=1):
        where = _("VEVENT %(number)s") % {"number": number}
        title = _text(
            str(component.get("SUMMARY") or ""), where=where, name="SUMMARY", required=True,
            max_length=_lengths["title"],
        )  # fmt: skip
        uid = _text(
            str(component.get("UID") or ""), where=where, name="UID", required=True, max_length=_lengths["external_id"]
        )
        where = _("VEVENT %(number)s (%(session)s, UID %(uid)s)") % {
            "number": number,
            "session": _described(title, talk=False),
            "uid": uid[:40],
        }
        starts_at = _ical_moment(component, "DTSTART", where=where)
        if starts_at is None:
            raise Invalid(_("%(where)s: field %(field)s is missing.") % {"where": where, "field": "DTSTART"})
        ends_at = _ical_moment(component, "DTEND", where=where)
        if ends_at is None:
            duration = component.get("DURATION")
            if duration is None or not isinstance(getattr(duration, "dt", None), timedelta):
                raise Invalid(
                    _("%(where)s: field %(field)s is missing (and no %(other)s).")
                    % {"where": where, "field": "DTEND", "other": "DURATION"}
                )
            try:
                ends_at = starts_at + duration.dt
            except OverflowError:
                names = {"where": where, "field": "DURATION"}
                raise Invalid(_("%(where)s: field %(field)s is too long.") % names) from None
        _ends(starts_at, ends_at, where=where, name="DTEND")
        room = _text(str(component.get("LOCATION") or ""), where=where, name="LOCATION", max_length=_lengths["room"])
        rooms[room] = None
        categories = component.get("CATEGORIES")
        category = ""
        if categories is not None:
            cats = categories if isinstance(categories, list) else [categories]
            category = " ".join(str(value) for cat in cats for value in getattr(cat, "cats", [cat]))
        items.append(
            Item(
                external_id=uid,
                title=title,
                starts_at=starts_at,
                ends_at=ends_at,
                where=where,
                room=room,
                kind=kind_of(category),
                description=_text(str(component.get("DESCRIPTION") or ""), where=where, name="DESCRIPTION"),
            )
        )
    _check_unique_ids(items)
    return Agenda(format="ical", items=items, name=name, timezone=zone, rooms=tuple(room for room in rooms if room))
