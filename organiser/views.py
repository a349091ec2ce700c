"""The organiser pages: server-rendered forms, for accounts with the "organise" permission.
Views are thin: a form checks what was typed, one service writes, errors go back on the field."""

import base64
import hashlib
from collections.abc import Callable
from functools import partial, wraps
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, available_timezones

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from agenda.services import agenda_import, agenda_preview
from livehub.errors import DomainError, Invalid, NotFound
from polls.models import Poll
from sessions import services as programme
from sessions.models import Event
from sessions.rolelinks import role_link_url
from sessions.selectors import event_get
from staff.models import RoleLink
from staff.selectors import role_link_state
from webhooks import services as hooks
from webhooks.selectors import endpoints_with_deliveries, event_endpoints

from . import services
from .forms import (
    AgendaUploadForm,
    BlocklistForm,
    CloneForm,
    EventForm,
    EventSettingsForm,
    LookForm,
    PollForm,
    RoleForm,
    RoleLinkForm,
    RoomForm,
    SessionForm,
    SpeakerForm,
    WebhookForm,
    errors_onto,
)
from .models import EventLook
from .nav import EVENT_NAV
from .selectors import (
    can_organise,
    colour_contrasts,
    event_look,
    events_organised,
    organises,
    role_label,
    sessions_by_day,
)

AGENDA_UPLOAD = "organiser.agenda_upload"
# The endpoint whose signing secret the next Webhooks page shows, once (after a creation or a rotation).
WEBHOOK_SECRET = "organiser.webhook_secret"
T = TypeVar("T")


def _actor(request: HttpRequest) -> str:
    return request.user.get_username()


def _refused(request: HttpRequest) -> HttpResponse:
    message = _("Your account may not organise events. Ask an administrator for the “organise” permission.")
    return render(request, "organiser/refused.html", {"message": message}, status=403)


def organiser_only(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_organise(request.user):
            return _refused(request)
        return view(request, *args, **kwargs)

    return wrapped


def for_event(view: Callable) -> Callable:
    """An organiser page of one event: the event in place of its code, 404 for an unknown one
    or one the account does not organise."""

    @organiser_only
    @wraps(view)
    def wrapped(request: HttpRequest, code: str, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            event = event_get(code=code)
        except NotFound:
            event = None
        # An event the account does not organise looks like one that does not exist.
        if event is None or not organises(request.user, event):
            return render(request, "organiser/not_found.html", {"code": code}, status=404)
        return view(request, event, *args, **kwargs)

    return wrapped


def _page(request: HttpRequest, event: Event, template: str, section: str = "", **context: Any) -> HttpResponse:
    status = context.pop("status", 200)
    nav = [(reverse(name, args=[event.code]), label, name == f"organiser:{section}") for name, label in EVENT_NAV]
    values = {"event": event, "nav": nav, "section": section, **context}
    # Every time on an event's pages is shown in the event's zone, as the organiser typed it.
    with dj_timezone.override(ZoneInfo(event.timezone)):
        return render(request, f"organiser/{template}", values, status=status)


def _invalid(form) -> int:
    return 400 if form.errors else 200


def _item(request: HttpRequest, event: Event, items: QuerySet, pk: int | None) -> tuple[Any, HttpResponse | None]:
    """The event's item to edit (None for a new one), or the 404 page when it has no such item."""
    if pk is None:
        return None, None
    found = items.filter(pk=pk).first()
    return found, None if found is not None else render(
        request, "organiser/not_found.html", {"code": event.code}, status=404
    )


def _act(request: HttpRequest, event: Event, write: Callable[[], object], *, done: str, back: str) -> HttpResponse:
    """A one-click write (delete, revoke): its refusal or `done` as a message, then back to the list."""
    try:
        write()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect(back, code=event.code)


def _saved(form, write: Callable[[], T], field_of: Callable[[str], str] = lambda name: name) -> T | None:
    """What `write` saved, or None with its refusal shown on the form's field (`field_of` the
    service's name for it)."""
    try:
        return write()
    except DomainError as error:
        errors_onto(form, error, field_of)
        return None


# Events -------------------------------------------------------------------------------------


@organiser_only
@require_http_methods(["GET", "HEAD", "POST"])
def events(request: HttpRequest) -> HttpResponse:
    form = EventForm(request.POST or None, instance=Event())
    if request.method == "POST" and form.is_valid():
        event = _saved(form, lambda: services.event_create(by=request.user, **form.cleaned_data))
        if event is not None:
            messages.success(
                request, _("%(name)s is created. Add its sessions or import its agenda.") % {"name": event.name}
            )
            return redirect("organiser:settings", code=event.code)
    return render(
        request,
        "organiser/events.html",
        {
            "events": events_organised(request.user).order_by("-starts_on", "code"),
            "form": form,
            "timezones": sorted(available_timezones()),
        },
        status=_invalid(form),
    )


@for_event
@require_http_methods(["GET", "HEAD", "POST"])
def settings(request: HttpRequest, event: Event) -> HttpResponse:
    form = EventSettingsForm(request.POST or None, instance=Event.objects.get(pk=event.pk))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        updated = _saved(form, lambda: services.event_update(event=event, actor=_actor(request), **fields))
        if updated is not None:
            messages.success(request, _("The settings are saved."))
            return redirect("organiser:settings", code=updated.code)
    return _page(
        request,
        event,
        "settings.html",
        "settings",
        form=form,
        timezones=sorted(available_timezones()),
        status=_invalid(form),
    )


# Sessions -----------------------------------------------------------------------------------


@for_event
@require_safe
def sessions(request: HttpRequest, event: Event) -> HttpResponse:
    return _page(request, event, "sessions.html", "sessions", days=sessions_by_day(event))


@for_event
@require_http_methods(["GET", "HEAD", "POST"])
def session_edit(request: HttpRequest, event: Event, session_id: int | None = None) -> HttpResponse:
    session, missing = _item(request, event, event.sessions.all(), session_id)
    if missing:
        return missing
    initial = SessionForm.initial_for(session, event.timezone) if session else {}
    form = SessionForm(request.POST or None, event=event, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        speakers = list(data.pop("speakers"))
        saved = _saved(form, lambda: services.session_save(event=event, session=session, speakers=speakers, **data))
        if saved is not None:
            messages.success(request, _("“%(title)s” is saved.") % {"title": saved.title})
            return redirect("organiser:sessions", code=event.code)
    return _page(request, event, "session_form.html", "sessions", form=form, session=session, status=_invalid(form))


@for_event
@require_POST
def session_delete(request: HttpRequest, event: Event, session_id: int) -> HttpResponse:
    return _act(
        request,
        event,
        lambda: programme.session_delete(event=event, session_id=session_id),
        done=_("The session is deleted."),
        back="organiser:sessions",
    )


# Rooms --------------------------------------------------------------------------------------


@for_event
@require_http_methods(["GET", "HEAD", "POST"])
def rooms(request: HttpRequest, event: Event, room_id: int | None = None) -> HttpResponse:
    room, missing = _item(request, event, event.rooms.all(), room_id)
    if missing:
        return missing
    initial = {} if room else {"order": (max(event.rooms.values_list("order", flat=True), default=0) + 1)}
    form = RoomForm(request.POST or None, instance=room, initial=initial, event=event)
    if request.method == "POST" and form.is_valid():
        saved = _saved(form, lambda: programme.room_save(room=form.instance))
        if saved is not None:
            messages.success(request, _("%(name)s is saved.") % {"name": saved.name})
            return redirect("organiser:rooms", code=event.code)
    listed = event.rooms.annotate(session_count=Count("sessions"))
    return _page(request, event, "rooms.html", "rooms", form=form, room=room, rooms=listed, status=_invalid(form))


@for_event
@require_POST
def room_delete(request: HttpRequest, event: Event, room_id: int) -> HttpResponse:
    return _act(
        request,
        event,
        lambda: programme.room_delete(event=event, room_id=room_id),
        done=_("The room is deleted."),
        back="organiser:rooms",
    )


# Speakers -----------------------------------------------------------------------------------


@for_event
@require_http_methods(["GET", "HEAD", "POST"])
def speakers(request: HttpRequest, event: Event, speaker_id: int | None = None) -> HttpResponse:
    speaker, missing = _item(request, event, event.speakers.all(), speaker_id)
    if missing:
        return missing
    initial = {"name": speaker.name, "affiliation": speaker.affiliation} if speaker else {}
    form = SpeakerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _saved(form, lambda: services.speaker_save(event=event, speaker=speaker, **form.cleaned_data))
        if saved is not None:
            messages.success(request, _("%(name)s is saved.") % {"name": saved.name})
            return redirect("organiser:speakers", code=event.code)
    listed = event.speakers.prefetch_related("sessions")
    return _page(
        request, event, "speakers.html", "speakers", form=form, speaker=speaker, speakers=listed, status=_invalid(form)
    )


@for_event
@require_POST
def speaker_delete(request: HttpRequest, event: Event, speaker_id: int) -> HttpResponse:
    return _act(
        request,
        event,
        lambda: services.speaker_delete(event=event, speaker_id=speaker_id),
        done=_("The speaker is removed."),
        back="organiser:speakers",
    )


# People -------------------------------------------------------------------------------------


def _people(request: HttpRequest, event: Event, *, role_form=None, link_form=None, new_link=None) -> HttpResponse:
    links = [(link, role_link_state(link)) for link in RoleLink.objects.filter(event=event).select_related("issued_by")]
    bad = (role_form and role_form.errors) or (link_form and link_form.errors)
    return _page(
        request,
        event,
        "people.html",
        "people",
        roles=event.roles.select_related("user").order_by("role", "user__username"),
        links=links,
        role_form=role_form or RoleForm(),
        link_form=link_form or RoleLinkForm(prefix="link"),
        new_link=new_link,
        status=400 if bad else 200,
    )


@for_event
@require_safe
def people(request: HttpRequest, event: Event) -> HttpResponse:
    return _people(request, event)


@for_event
@require_POST
def role_grant(request: HttpRequest, event: Event) -> HttpResponse:
    form = RoleForm(request.POST)
    if form.is_valid():
        grant = _saved(form, lambda: services.role_grant(event=event, **form.cleaned_data))
        if grant is not None:
            messages.success(
                request,
                _("%(user)s is now %(role)s.") % {"user": grant.user.get_username(), "role": role_label(grant.role)},
            )
            return redirect("organiser:people", code=event.code)
    return _people(request, event, role_form=form)


@for_event
@require_POST
def role_revoke(request: HttpRequest, event: Event, role_id: int) -> HttpResponse:
    return _act(
        request,
        event,
        lambda: services.role_revoke(event=event, role_id=role_id),
        done=_("The role is revoked."),
        back="organiser:people",
    )


@for_event
@require_POST
def link_create(request: HttpRequest, event: Event) -> HttpResponse:
    form = RoleLinkForm(request.POST, prefix="link")
    if not form.is_valid():
        return _people(request, event, link_form=form)
    url = role_link_url(
        event=event, role=form.cleaned_data["role"], hours=form.cleaned_data["hours"], issued_by=request.user
    )
    # Shown once, on this answer: the link is the key, it is not stored.
    return _people(request, event, new_link=url)


@for_event
@require_POST
def link_revoke(request: HttpRequest, event: Event, link_id: int) -> HttpResponse:
    return _act(
        request,
        event,
        lambda: services.role_link_revoke(event=event, link_id=link_id),
        done=_("The link is revoked: it opens nothing from now on."),
        back="organiser:people",
    )


# Block list ---------------------------------------------------------------------------------


@for_event
@require_http_methods(["GET", "HEAD", "POST"])
def blocklist(request: HttpRequest, event: Event) -> HttpResponse:
    current = "\n".join(event.blocked_words.values_list("word", flat=True))
    form = BlocklistForm(request.POST or None, initial={"words": current})
    if request.method == "POST" and form.is_valid():
        words = _saved(form, lambda: services.blocklist_set(event=event, text=form.cleaned_data["words"]))
        if words is not None:
            saved = ngettext(
                "The block list is saved (%(count)d word).", "The block list is saved (%(count)d words).", len(words)
            )
            messages.success(request, saved % {"count": len(words)})
            return redirect("organiser:blocklist", code=event.code)
    return _page(request, event, "blocklist.html", "blocklist", form=form, status=_invalid(form))


# Polls --------------------------------------------------------------------------------------


@for_event
@require_http_methods(["GET", "HEAD", "POST"])
def polls(request: HttpRequest, event: Event, poll_id: int | None = None) -> HttpResponse:
    """The event's polls; prepare a draft, or edit the draft in the URL (an opened poll is the console's)."""
    listed = Poll.objects.filter(event=event).select_related("session").prefetch_related("options")
    poll, missing = _item(request, event, listed, poll_id)
    if missing:
        return missing
    if poll is not None and poll.state != Poll.State.DRAFT:
        messages.error(request, _("Only drafts can be edited; this poll has been opened."))
        return redirect("organiser:polls", code=event.code)
    initial = PollForm.initial_for(poll) if poll else {"session": request.GET.get("session")}
    form = PollForm(request.POST or None, event=event, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "kind": data["kind"], "prompt": data["prompt"], "options": form.option_labels(),
            "session_id": data["session"].pk if data["session"] else None, "max_choices": data["max_choices"],
            "scale": data["scale"], "phase": data["phase"] or None, "auto_open": data["auto_open"],
            "translations": form.translations(),
        }  # fmt: skip
        if poll is None:
            saved = _saved(
                form,
                lambda: services.poll_prepare(event=event, actor=_actor(request), **fields),
                form.translation_field,
            )
            done = _("The poll is prepared as a draft.")
        else:
            saved = _saved(
                form,
                lambda: services.poll_revise(event=event, actor=_actor(request), poll_id=poll.pk, **fields),
                form.translation_field,
            )
            done = _("The draft is saved.")
        if saved is not None:
            messages.success(request, done)
            return redirect("organiser:polls", code=event.code)
    return _page(
        request, event, "polls.html", "polls", form=form, poll=poll, polls=listed.order_by("session__starts_at", "pk"),
        status=_invalid(form),
    )  # fmt: skip


@for_event
@require_POST
def poll_delete(request: HttpRequest, event: Event, poll_id: int) -> HttpResponse:
    discard = partial(services.poll_discard, event=event, actor=_actor(request), poll_id=poll_id)
    return _act(request, event, discard, done=_("The draft is deleted."), back="organiser:polls")


# Agenda -------------------------------------------------------------------------------------


@for_event
@require_http_methods(["GET", "HEAD", "POST"])
def agenda(request: HttpRequest, event: Event) -> HttpResponse:
    """Upload a programme: the preview of what it changes, kept (the file in the signed session)
    until the organiser applies it."""
    form = AgendaUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["file"].read()
        prune = form.cleaned_data["prune"]
        try:
            plan = agenda_preview(code=event.code, content=content, prune=prune)
        except Invalid as error:
            form.add_error("file", error.message)
        else:
            digest = hashlib.sha256(content).hexdigest()
            request.session[AGENDA_UPLOAD] = {
                "event": event.pk,
                "digest": digest,
                "prune": prune,
                "name": form.cleaned_data["file"].name[:200],
                "content": base64.b64encode(content).decode(),
            }
            return _page(request, event, "agenda_preview.html", "agenda", plan=plan, digest=digest,
                         filename=form.cleaned_data["file"].name)  # fmt: skip
    return _page(request, event, "agenda.html", "agenda", form=form, status=_invalid(form))


@for_event
@require_POST
def agenda_apply(request: HttpRequest, event: Event) -> HttpResponse:
    upload = request.session.get(AGENDA_UPLOAD)
    if not upload or upload["event"] != event.pk or upload["digest"] != request.POST.get("digest"):
        messages.error(request, _("That preview is no longer there: upload the file again."))
        return redirect("organiser:agenda", code=event.code)
    try:
        plan = agenda_import(code=event.code, content=base64.b64decode(upload["content"]), prune=upload["prune"])
    except Invalid as error:
        # The event changed since the preview (a session went live…): nothing was written.
        messages.error(request, error.message)
        return redirect("organiser:agenda", code=event.code)
    del request.session[AGENDA_UPLOAD]
    removed = len(plan.removed) if plan.prune else 0
    messages.success(
        request,
        _("The agenda is imported. Created: %(created)d, changed: %(changed)d, removed: %(removed)d.")
        % {"created": len(plan.created), "changed": len(plan.changed), "removed": removed},
    )
    return redirect("organiser:sessions", code=event.code)


# Look ---------------------------------------------------------------------------------------


@for_event
@require_http_methods(["GET", "HEAD", "POST"])
def look(request: HttpRequest, event: Event) -> HttpResponse:
    saved = EventLook.objects.filter(event=event).only("colour").first()
    form = LookForm(request.POST or None, request.FILES or None, initial={"colour": saved.colour if saved else ""})
    if request.method == "POST" and form.is_valid():
        logo = form.cleaned_data["logo"]
        try:
            services.look_set(
                event=event,
                colour=form.cleaned_data["colour"],
                logo=logo.read(services.LOGO_MAX_BYTES + 1) if logo else None,
                remove_logo=form.cleaned_data["remove_logo"],
            )
        except DomainError as error:
            errors_onto(form, error)
        else:
            messages.success(request, _("The look is saved: the live pages show it when they next load."))
            return redirect("organiser:look", code=event.code)
    shown = event_look(event)
    contrasts = colour_contrasts(shown["colour"]) if "colour" in shown else None
    return _page(request, event, "look.html", "look", form=form, look=shown, contrasts=contrasts, status=_invalid(form))


@require_safe
def logo(request: HttpRequest, code: str) -> HttpResponse:
    """The event's logo, public (the attend page shows it). An SVG is served under a sandboxing
    policy: opened on its own it can run nothing and reach nothing."""
    found = EventLook.objects.filter(event__code__iexact=code, logo__isnull=False).first()
    if found is None or not found.logo_type:
        return HttpResponse(status=404)
    etag = f'"{services.logo_etag(found)}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(bytes(found.logo), content_type=found.logo_type)
    response["ETag"] = etag
    # The pages ask for ?v=<when it changed>: a new logo is a new address.
    response["Cache-Control"] = "public, max-age=31536000, immutable" if request.GET.get("v") else "public, max-age=300"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Clone --------------------------------------------------------------------------------------


@for_event
@require_http_methods(["GET", "HEAD", "POST"])
def clone(request: HttpRequest, event: Event) -> HttpResponse:
    form = CloneForm(request.POST or None, initial={"days": 364})
    if request.method == "POST" and form.is_valid():
        cloned = _saved(form, lambda: services.event_clone(source=event, by=request.user, **form.cleaned_data))
        if cloned is not None:
            messages.success(
                request,
                _("%(name)s is ready. Sessions: %(sessions)d, speakers: %(speakers)d, draft polls: %(polls)d.")
                % {
                    "name": cloned.event.name,
                    "sessions": cloned.sessions,
                    "speakers": cloned.speakers,
                    "polls": cloned.polls,
                },
            )
            return redirect("organiser:settings", code=cloned.event.code)
    return _page(request, event, "clone.html", "clone", form=form, status=_invalid(form))


# Webhooks -----------------------------------------------------------------------------------


def _secret_once(request: HttpRequest, event: Event) -> Any:
    """The endpoint just created or rotated, whose secret this page shows; only this once."""
    endpoint_id = request.session.pop(WEBHOOK_SECRET, None)
    return event_endpoints(event=event).filter(pk=endpoint_id).first() if endpoint_id else None


@for_event
@require_http_methods(["GET", "HEAD", "POST"])
def webhooks(request: HttpRequest, event: Event, endpoint_id: int | None = None) -> HttpResponse:
    """The event's endpoints with their latest deliveries; add one, or edit the one in the URL."""
    endpoint, missing = _item(request, event, event_endpoints(event=event), endpoint_id)
    if missing:
        return missing
    initial = {"url": endpoint.url, "events": endpoint.events, "active": endpoint.active} if endpoint else {}
    form = WebhookForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if endpoint is None:
            saved = _saved(form, lambda: hooks.endpoint_register(event=event, **form.cleaned_data))
            done = _("The endpoint is added. Copy its signing secret now: it is shown only this once.")
        else:
            saved = _saved(
                form, lambda: hooks.endpoint_update(event=event, endpoint_id=endpoint.pk, **form.cleaned_data)
            )
            done = _("The endpoint is saved.")
        if saved is not None:
            if endpoint is None:
                request.session[WEBHOOK_SECRET] = saved.pk
            messages.success(request, done)
            return redirect("organiser:webhooks", code=event.code)
    return _page(
        request, event, "webhooks.html", "webhooks", form=form, endpoint=endpoint,
        endpoints=endpoints_with_deliveries(event=event), new_secret=_secret_once(request, event),
        status=_invalid(form),
    )  # fmt: skip


@for_event
@require_POST
def webhook_rotate(request: HttpRequest, event: Event, endpoint_id: int) -> HttpResponse:
    def rotate() -> None:
        request.session[WEBHOOK_SECRET] = hooks.secret_rotate(event=event, endpoint_id=endpoint_id).pk

    done = _("The signing secret is replaced: give your receiver the new one, shown below only this once.")
    return _act(request, event, rotate, done=done, back="organiser:webhooks")


@for_event
@require_POST
def webhook_test(request: HttpRequest, event: Event, endpoint_id: int) -> HttpResponse:
    return _act(
        request,
        event,
        lambda: hooks.endpoint_ping(event=event, endpoint_id=endpoint_id),
        done=_("A test delivery is queued. Reload this page in a few seconds to see how it was answered."),
        back="organiser:webhooks",
    )


@for_event
@require_http_methods(["GET", "HEAD", "POST"])
def webhook_delete(request: HttpRequest, event: Event, endpoint_id: int) -> HttpResponse:
    """GET asks for confirmation; only the POST of that page deletes."""
    if request.method == "POST":
        return _act(
            request,
            event,
            lambda: hooks.endpoint_delete(event=event, endpoint_id=endpoint_id),
            done=_("The endpoint is deleted, with its deliveries."),
            back="organiser:webhooks",
        )
    endpoint, missing = _item(request, event, event_endpoints(event=event), endpoint_id)
    return missing or _page(request, event, "webhook_delete.html", "webhooks", endpoint=endpoint)
