import hashlib
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models.functions import Upper
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _


def new_link_secret() -> str:
    return secrets.token_urlsafe(24)


def default_languages() -> list[str]:
    return ["en"]


def validate_languages(value: object) -> None:
    codes = [code for code, _name in settings.LANGUAGES]
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one language."))
    unknown = [code for code in value if code not in codes]
    if unknown:
        raise ValidationError(
            _("Unknown language %(codes)s: choose among %(choices)s."),
            params={"codes": ", ".join(map(str, unknown)), "choices": ", ".join(codes)},
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("Each language may be listed once."))


# A livestream is watched in a browser: ftp:// and other schemes URLField takes would not play.
validate_stream_url = URLValidator(
    schemes=["http", "https"], message=_("Enter a valid web address starting with https:// (or http://).")
)


class Event(models.Model):
    code = models.CharField(max_length=32, unique=True, help_text="Short code people type, e.g. SFH2022.")
    name = models.CharField(max_length=200)
    organiser = models.CharField(max_length=200, blank=True)
    venue = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    timezone = models.CharField(max_length=64, default="Europe/Brussels")
    starts_on = models.DateField()
    ends_on = models.DateField()
    online = models.BooleanField(default=True, help_text="Online participation is possible.")
    # Signs role links; rotating it revokes every link handed out so far.
    link_secret = models.CharField(max_length=64, default=new_link_secret)
    auto_approve = models.BooleanField(default=False, help_text="Questions are visible without moderation.")
    require_names = models.BooleanField(default=False, help_text="Questions must carry the asker's name.")
    allow_self_votes = models.BooleanField(default=False, help_text="Authors may upvote their own question.")
    # Online viewers hear a question this many seconds after the room: polls stay open for them.
    stream_delay = models.PositiveSmallIntegerField(default=20, help_text="Livestream latency in seconds.")
    # The event's livestream for online attendees; a room's own stream, when it has one, wins.
    stream_url = models.URLField(blank=True, validators=[validate_stream_url], help_text="The event's livestream.")
    current_session = models.ForeignKey("Session", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Who may open this event's organiser pages (with the "organise" permission); superusers open all.
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="organised_events",
        help_text="Accounts with the “organise” permission that organise this event.",
    )
    languages = models.JSONField(
        default=default_languages,
        validators=[validate_languages],
        help_text='The event\'s languages in order, the first its default: e.g. ["fr", "nl", "en"].',
    )

    class Projector(models.TextChoices):
        OFF = "off", _("One language")
        SIDE_BY_SIDE = "side_by_side", _("Two languages side by side")
        ALTERNATING = "alternating", _("Two languages in turn")

    # Brussels: the screen and stage show the event's first two languages at once or in turn.
    projector = models.CharField(
        max_length=16, choices=Projector.choices, default=Projector.OFF, help_text="Bilingual projector."
    )
    projector_interval = models.PositiveSmallIntegerField(
        default=10, help_text="Seconds each language stays on the projector when they alternate."
    )

    class Meta:
        ordering = ["starts_on", "code"]
        # People type codes in any case: "sfh2022" and "SFH2022" must not be two events.
        constraints = [
            models.UniqueConstraint(
                Upper("code"),
                name="event_code_unique_ignoring_case",
                violation_error_message="An event with this code already exists (codes ignore case).",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


def room_slug(name: str, taken: set[str]) -> str:
    """A URL slug for a room called `name`, unlike every slug in `taken` ("Salle 1" → "salle-1",
    a second one "salle-1-2"; a name with no latin letters gives "room")."""
    base = slugify(name)[:90] or "room"
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


class Room(models.Model):
    """Where sessions happen in parallel: each room has its own current and live session."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, help_text="In the room's addresses: /e/CODE/rooms/SLUG/stage/.")
    order = models.PositiveIntegerField(default=0)
    stream_url = models.URLField(
        blank=True, validators=[validate_stream_url], help_text="The room's livestream, if it has one."
    )
    current_session = models.ForeignKey("Session", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["order", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "slug"],
                name="room_unique_slug",
                violation_error_message="Another room of this event has this slug.",
            ),
            models.UniqueConstraint(
                fields=["event", "name"],
                name="room_unique_name",
                violation_error_message="Another room of this event has this name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Speaker(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="speakers")
    name = models.CharField(max_length=200)
    affiliation = models.CharField(max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["event", "name"], name="speaker_unique_name")]

    def __str__(self) -> str:
        return f"{self.name}, {self.affiliation}" if self.affiliation else self.name


class Session(models.Model):
    class Kind(models.TextChoices):
        TALK = "talk", _("Talk")
        ROUNDTABLE = "roundtable", _("Roundtable")
        DEBATE = "debate", _("Debate")
        BREAK = "break", _("Break")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        LIVE = "live", _("Live")
        PAUSED = "paused", _("Paused")
        ENDED = "ended", _("Ended")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TALK)
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # When the session first went live and when it ended: the stage clock runs on these.
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    stream_url = models.URLField(blank=True, validators=[validate_stream_url])
    order = models.PositiveIntegerField(default=0)
    speakers = models.ManyToManyField(Speaker, blank=True, related_name="sessions")
    # The id the programme's source gives it (pretalx guid, CSV id, iCalendar UID): a re-import
    # updates this session instead of adding a second one. NULL, not "", when there is none: the
    # unique constraint holds only between ids that are set.
    external_id = models.CharField(max_length=200, null=True, blank=True, default=None)  # noqa: DJ001
    # The chair's countdown (session.timer): its length, when it started, when it was paused
    # (None while it runs) and the seconds spent paused before that; every client counts down
    # from these and the server's clock.
    timer_seconds = models.IntegerField(null=True, blank=True)
    timer_started_at = models.DateTimeField(null=True, blank=True)
    timer_paused_at = models.DateTimeField(null=True, blank=True)
    timer_paused_seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["order", "starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")), name="session_ends_after_start"
            ),
            # One room, one running session. Sessions without a room count as one room (NULLS NOT
            # DISTINCT): an event needs no room until it has parallel ones.
            models.UniqueConstraint(
                fields=["event", "room"],
                condition=models.Q(status__in=["live", "paused"]),
                nulls_distinct=False,
                name="session_one_running_per_room",
                violation_error_message="Another session of this room is live or paused.",
            ),
            models.UniqueConstraint(
                fields=["event", "external_id"],
                name="session_external_id_unique",
                violation_error_message="Another session of this event has this external id.",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EventRole(models.Model):
    class Role(models.TextChoices):
        MODERATOR = "moderator", _("Moderator")
        SPEAKER = "speaker", _("Speaker")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_roles")
    role = models.CharField(max_length=16, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "user", "role"], name="event_role_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} of {self.event.code}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Participant(models.Model):
    """Someone in the audience. Anonymous unless they give a name; only the token's hash is kept."""

    class Mode(models.TextChoices):
        ROOM = "room", _("In the room")
        ONLINE = "online", _("Online")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    name = models.CharField(max_length=60, blank=True)
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.ONLINE)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name or f"Anonymous {str(self.id)[:8]}"

    @staticmethod
    def new_token() -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return token, hash_token(token)


class Note(models.Model):
    """A backstage note from the moderators to the speakers of a session ("5 minutes left")."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="notes")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="notes")
    text = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text
