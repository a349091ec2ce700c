"""The organiser pages' forms. They check the shape of what was typed; the services check the
rules and their `Invalid` errors are put back on the field they name (`errors_onto`)."""

import re
import zoneinfo
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from livehub.errors import DomainError
from polls.models import Poll
from sessions.models import Event, EventRole, Room, Session, Speaker, validate_stream_url
from staff.models import RoleLink
from webhooks.models import EVENT_TYPES

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$")
AGENDA_MAX_BYTES = 2 * 1024 * 1024


class StreamURLField(forms.URLField):
    """A livestream's address: a web page (http or https), nothing else URLField takes, such as ftp://."""

    default_validators = [validate_stream_url]
    default_error_messages = {"invalid": validate_stream_url.message}

    def __init__(self, **kwargs):
        kwargs["required"] = False
        super().__init__(assume_scheme="https", **kwargs)


def errors_onto(form: forms.Form, error: DomainError, field_of=lambda name: name) -> None:
    """A service's refusal shown on the field it names, `field_of` it when the form names it
    otherwise (else above the form)."""
    named = list(dict.fromkeys(field_of(name) for name in error.fields if field_of(name) in form.fields))
    if not named:
        form.add_error(None, error.message)
    for name in named:
        form.add_error(name, error.message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def code_checked(code: str) -> str:
    code = code.strip()
    if not CODE.match(code):
        raise forms.ValidationError(
            _("2 to 32 letters, digits, “-” or “_”, starting with a letter or digit, e.g. SFH2025.")
        )
    return code


def timezone_checked(name: str) -> str:
    name = name.strip()
    if name not in zoneinfo.available_timezones():
        raise forms.ValidationError(_("Not a time zone LiveHub knows: write it as Region/City, e.g. Europe/Brussels."))
    return name


class EventForm(forms.ModelForm):
    """A new event (the first fields) or its settings (all of them)."""

    class Meta:
        model = Event
        fields = ["code", "name", "timezone", "starts_on", "ends_on", "venue", "city", "organiser"]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "timezone": forms.TextInput(attrs={"list": "timezones", "autocomplete": "off"}),
        }
        labels = {
            "code": _("Code"),
            "name": _("Name"),
            "timezone": _("Time zone"),
            "starts_on": _("First day"),
            "ends_on": _("Last day"),
            "venue": _("Venue"),
            "city": _("City"),
            "organiser": _("Organiser"),
        }
        help_texts = {
            "code": _("What attendees type to join, e.g. SFH2025. Changing it stops the role links handed out so far."),
            "timezone": _("Every time on the pages and in the agenda is in this zone, e.g. Europe/Brussels."),
        }

    def clean_code(self) -> str:
        code = code_checked(self.cleaned_data["code"])
        if Event.objects.filter(code__iexact=code).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("An event with this code already exists (codes ignore case)."))
        return code

    def clean_timezone(self) -> str:
        return timezone_checked(self.cleaned_data["timezone"])

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The last day is before the first day."))
        return data


class LanguagesField(forms.CharField):
    """The event's languages typed in order, "fr, nl, en"; the model's validator checks the codes."""

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value) -> list[str]:
        return [code.lower() for code in re.split(r"[\s,]+", super().to_python(value)) if code]


class EventSettingsForm(EventForm):
    languages = LanguagesField(
        label=_("Languages"),
        help_text=_("In order, the first is the default: e.g. “fr, nl, en”. Stage and projector use the first two."),
    )

    class Meta(EventForm.Meta):
        fields = [
            *EventForm.Meta.fields,
            "languages",
            "projector",
            "projector_interval",
            "auto_approve",
            "require_names",
            "allow_self_votes",
            "stream_delay",
            "stream_url",
        ]
        labels = {
            **EventForm.Meta.labels,
            "projector": _("Bilingual projector"),
            "projector_interval": _("Seconds per language when alternating"),
            "auto_approve": _("Questions appear without moderation"),
            "require_names": _("Questions must carry the asker's name"),
            "allow_self_votes": _("Askers may upvote their own question"),
            "stream_delay": _("Livestream delay (seconds)"),
            "stream_url": _("Livestream URL"),
        }
        field_classes = {"stream_url": StreamURLField}
        help_texts = {
            **EventForm.Meta.help_texts,
            "stream_delay": _("How far the livestream lags the room: polls stay open this long for online viewers."),
            "stream_url": _(
                "The page online attendees watch, e.g. https://stream.example.org/live. A room's own livestream wins."
            ),
            # The labels say it all; the model's help texts would repeat them.
            "auto_approve": "",
            "require_names": "",
            "allow_self_votes": "",
        }

    def clean_stream_delay(self) -> int:
        delay = self.cleaned_data["stream_delay"]
        if delay > 600:
            raise forms.ValidationError(_("At most 600 seconds (10 minutes)."))
        return delay


class SessionForm(forms.Form):
    title = forms.CharField(max_length=300, label=_("Title"))
    kind = forms.ChoiceField(choices=Session.Kind.choices, label=_("Kind"))
    room = forms.ModelChoiceField(queryset=Room.objects.none(), required=False, label=_("Room"))
    starts_at = forms.DateTimeField(label=_("Starts"), widget=LocalDateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=LocalDateTimeInput())
    speakers = forms.ModelMultipleChoiceField(
        queryset=Speaker.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label=_("Speakers")
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}), label=_("Description"))
    stream_url = StreamURLField(
        label=_("Livestream URL"),
        help_text=_("An https address of the player the online audience sees with this session."),
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["speakers"].queryset = event.speakers.all()
        self.fields["room"].queryset = event.rooms.all()
        self.fields["room"].empty_label = _("No room")
        for name in ("starts_at", "ends_at"):
            self.fields[name].help_text = _("In the event's time zone, %(zone)s.") % {"zone": event.timezone}

    def full_clean(self) -> None:
        # Typed times are the event's local times, whatever the server's zone is.
        with timezone.override(ZoneInfo(self.event.timezone)):
            super().full_clean()

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The session must end after it starts."))
        return data

    @staticmethod
    def initial_for(session: Session, zone: str) -> dict:
        tz = ZoneInfo(zone)
        return {
            "title": session.title, "kind": session.kind, "room": session.room_id,
            "starts_at": session.starts_at.astimezone(tz).replace(tzinfo=None),
            "ends_at": session.ends_at.astimezone(tz).replace(tzinfo=None),
            "speakers": list(session.speakers.all()), "description": session.description,
            "stream_url": session.stream_url,
        }  # fmt: skip


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "slug", "order", "stream_url"]
        labels = {"name": _("Name"), "slug": _("Slug"), "order": _("Order"), "stream_url": _("Livestream URL")}
        field_classes = {"stream_url": StreamURLField}
        help_texts = {
            "slug": _("In the room's addresses, e.g. /e/CODE/rooms/silver-hall/stage/. Letters, digits and “-”."),
            "order": _("Rooms are listed from the lowest number."),
        }

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.event = event
        self.fields["slug"].required = False
        self.fields["slug"].help_text += " " + _("Left empty, it is made from the name.")
        self.others = event.rooms.exclude(pk=self.instance.pk) if self.instance.pk else event.rooms.all()

    # The event is no field of the form, so Django's own unique checks would skip these.
    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if self.others.filter(name=name).exists():
            raise forms.ValidationError(_("Another room of this event has this name."))
        return name

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug and self.others.filter(slug=slug).exists():
            raise forms.ValidationError(_("Another room of this event has this slug."))
        return slug


class SpeakerForm(forms.Form):
    name = forms.CharField(max_length=200, label=_("Name"))
    affiliation = forms.CharField(max_length=200, required=False, label=_("Affiliation"))


class RoleForm(forms.Form):
    username = forms.CharField(max_length=150, label=_("Account (username)"))
    role = forms.ChoiceField(choices=EventRole.Role.choices, label=_("Role"))


class RoleLinkForm(forms.Form):
    """Shown beside RoleForm on one page: used with prefix="link", so that no two fields share an id."""

    role = forms.ChoiceField(choices=RoleLink.Role.choices, label=_("Opens the page of a"))
    hours = forms.IntegerField(
        min_value=1, max_value=24 * 14, initial=24, label=_("Valid for (hours)"),
        help_text=_("1 to 336 hours (two weeks)."),
    )  # fmt: skip


class BlocklistForm(forms.Form):
    words = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 12}), label=_("Blocked words"),
        help_text=_("One word per line. A question with one of them is flagged for the moderators, never dropped."),
    )  # fmt: skip


class PollForm(forms.Form):
    session = forms.ModelChoiceField(queryset=Session.objects.none(), required=False, label=_("Session"))
    kind = forms.ChoiceField(choices=Poll.Kind.choices, label=_("Kind"))
    prompt = forms.CharField(max_length=300, label=_("Question"))
    options = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 5}), label=_("Options"),
        help_text=_(
            "Choice and stance polls: one option per line "
            "(stance: 3 or 5 positions, or empty for agree/neutral/disagree)."
        ),
    )  # fmt: skip
    max_choices = forms.IntegerField(required=False, min_value=1, label=_("At most this many choices (multiple)"))
    scale = forms.TypedChoiceField(
        choices=[("", "—"), ("5", _("1 to 5")), ("10", _("1 to 10"))], coerce=int, empty_value=None, required=False,
        label=_("Scale (rating)"),
    )  # fmt: skip
    phase = forms.ChoiceField(choices=[("", "—"), *Poll.Phase.choices], required=False, label=_("Phase (stance)"))
    auto_open = forms.BooleanField(required=False, label=_("Open when its session goes live"))

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = event.sessions.select_related("room").order_by("starts_at", "pk")
        self.fields["session"].empty_label = _("No session")
        zone = ZoneInfo(event.timezone)

        def label(session: Session) -> str:
            when = date_format(session.starts_at.astimezone(zone), "D j M H:i")
            return f"{when} · {session.room.name} · {session.title}" if session.room_id else f"{when} · {session.title}"

        self.fields["session"].label_from_instance = label

        # The event's other languages: a prompt and the labels in each (the poll itself is in its first).
        names = dict(settings.LANGUAGES)
        self.languages = list(event.languages[1:])
        for code in self.languages:
            name = names.get(code, code)
            self.fields[f"prompt_{code}"] = forms.CharField(
                required=False, max_length=300, label=_("Question (%(language)s)") % {"language": name},
                widget=forms.TextInput(attrs={"lang": code}),
            )  # fmt: skip
            self.fields[f"options_{code}"] = forms.CharField(
                required=False, strip=False, label=_("Options (%(language)s)") % {"language": name},
                widget=forms.Textarea(attrs={"rows": 5, "lang": code}),
                help_text=_(
                    "Optional. One line per option, in the same order; an empty line shows the option as written."
                ),
            )  # fmt: skip
        translated = [f"{part}_{code}" for code in self.languages for part in ("prompt", "options")]
        self.order_fields(["session", "kind", "prompt", "options", *translated])

    @staticmethod
    def initial_for(poll: Poll) -> dict:
        return {
            "session": poll.session_id, "kind": poll.kind, "prompt": poll.prompt,
            "options": "\n".join(option.label for option in poll.options.all()),
            "max_choices": poll.max_choices, "scale": poll.scale or "", "phase": poll.phase,
            "auto_open": poll.auto_open,
            # The stored translations, as the form's per-language fields.
            **{
                f"{part}_{language}": text["prompt"] if part == "prompt" else "\n".join(text.get("options") or [])
                for language, text in (poll.translations or {}).items()
                for part in ("prompt", "options")
            },
        }  # fmt: skip

    def option_labels(self) -> list[str] | None:
        lines = [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]
        return lines or None

    def translations(self) -> dict[str, dict[str, object]]:
        """By language: the prompt and the labels, line by line (an empty line keeps the original)."""
        given = {}
        for code in self.languages:
            lines = [line.strip() for line in self.cleaned_data[f"options_{code}"].splitlines()]
            while lines and not lines[-1]:
                lines.pop()
            given[code] = {"prompt": self.cleaned_data[f"prompt_{code}"], "options": lines}
        return given

    @staticmethod
    def translation_field(name: str) -> str:
        """The form's field for a service's `translations.fr.options.2` (the language's labels)."""
        parts = name.split(".")
        if parts[0] != "translations" or len(parts) < 3:
            return name
        return f"{parts[2]}_{parts[1]}"


class AgendaUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Programme file"),
        help_text=_("pretalx/frab schedule.json, CSV or iCalendar (.ics), at most 2 MB."),
    )
    prune = forms.BooleanField(
        required=False, label=_("Delete the sessions that are gone from the file"),
        help_text=_("Never one with questions or poll answers, nor one that is live."),
    )  # fmt: skip

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > AGENDA_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload


class LookForm(forms.Form):
    colour = forms.CharField(
        required=False, max_length=7, label=_("Primary colour"),
        help_text=_("#rrggbb. Buttons and highlights; it must be readable on white and on the projector."),
        widget=forms.TextInput(attrs={"placeholder": "#0f766e", "spellcheck": "false", "autocomplete": "off"}),
    )  # fmt: skip
    logo = forms.FileField(
        required=False, label=_("Logo"),
        help_text=_("PNG, JPEG, WebP or SVG, at most 512 KB; shown in the header of every page."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/svg+xml"}),
    )  # fmt: skip
    remove_logo = forms.BooleanField(required=False, label=_("Remove the logo"))


class WebhookForm(forms.Form):
    """An endpoint's shape; its service checks where the URL leads (`webhooks.addresses`)."""

    url = forms.URLField(
        max_length=500, assume_scheme="https", label=_("URL"),
        help_text=_(
            "Where LiveHub sends the signed JSON, e.g. https://crm.example.org/livehub. Public addresses only."
        ),
    )  # fmt: skip
    events = forms.MultipleChoiceField(
        choices=list(EVENT_TYPES.items()), widget=forms.CheckboxSelectMultiple, label=_("Send when"),
        error_messages={"required": _("Tick at least one event type.")},
    )  # fmt: skip
    active = forms.BooleanField(
        required=False, initial=True, label=_("Active"),
        help_text=_("An inactive endpoint is sent nothing; what was queued for it is marked failed."),
    )  # fmt: skip


class CloneForm(forms.Form):
    code = forms.CharField(max_length=32, label=_("New code"))
    name = forms.CharField(max_length=200, label=_("New name"))
    days = forms.IntegerField(
        min_value=-3660, max_value=3660, label=_("Move every date by (days)"),
        help_text=_("364 keeps the weekdays a year later."),
    )  # fmt: skip

    def clean_code(self) -> str:
        return code_checked(self.cleaned_data["code"])
