"""The pages (the stage, the screen and the overlay also per room). Each renders a template that
mounts its Svelte app on an embedded snapshot."""

import tempfile
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe
from markdown_it import MarkdownIt

from exports.services import event_export, export_filename, export_scope, report_read
from livehub.errors import NotFound, Unauthorized
from livehub.i18n import use_event_language
from organiser.selectors import can_organise, event_look, organises
from sessions.models import Event, Room
from sessions.rolelinks import role_key_read
from sessions.selectors import event_get, programme, room_payload, user_role

ACCESSIBILITY_STATEMENT = Path(settings.BASE_DIR) / "docs" / "accessibility.md"

# Which roles may open each protected page (a role link's role, or the signed-in account's).
PAGE_ROLES = {
    "moderate": {"moderator"},
    "stage": {"moderator", "speaker"},
    "screen": {"moderator", "speaker", "screen"},
    # The livestream's lower third (OBS's browser source): opened like the screen.
    "overlay": {"moderator", "speaker", "screen"},
    # The event's organisers and moderators; superusers count as moderators.
    "report": {"moderator", "organiser"},
    # The data behind the report, as a download: for whoever may read the report.
    "export": {"moderator", "organiser"},
}


def _event_or_404(request: HttpRequest, code: str) -> Event | HttpResponse:
    try:
        event = event_get(code=code)
    except NotFound:
        return render(request, "web/not_found.html", {"code": code}, status=404)
    use_event_language(request, event.languages, projector=page_is_projector(request))
    return event


def page_is_projector(request: HttpRequest) -> bool:
    """The stage, the screen and the overlay speak the event's language(s), whatever the browser's."""
    match = request.resolver_match
    projector = ("stage", "screen", "overlay", "room_stage", "room_screen", "room_overlay")
    return match is not None and match.url_name in projector


def _bootstrap(event: Event, page: str, **extra: Any) -> dict[str, Any]:
    data = programme(event)
    return {
        "page": page,
        "code": event.code,
        "socket": f"/ws/events/{event.code}/",
        "join": f"/api/events/{event.code}/join",
        "initial": {
            **data,
            "you": {"role": extra.pop("role", "attendee"), "participant": None},
            "presence": {"room": 0, "online": 0},
        },
        **extra,
    }


def _page(
    request: HttpRequest, event: Event, page: str, *, context: dict[str, Any] | None = None, **extra: Any
) -> HttpResponse:
    """The page's template (`web/<page>.html`) with its bootstrap; `context` adds template values."""
    look = event_look(event)
    bootstrap = _bootstrap(event, page, look=look, **extra)
    values = {"event": event, "page": page, "bootstrap": bootstrap, "look": look, **(context or {})}
    return render(request, f"web/{page}.html", values)


def _role_for(request: HttpRequest, event: Event, page: str) -> tuple[str | None, str | None, HttpResponse | None]:
    """(role, key, refusal): a role link in `?key=` or the signed-in account's role."""
    allowed = PAGE_ROLES[page]
    key = request.GET.get("key")
    if key:
        try:
            role = role_key_read(event=event, key=key)
        except Unauthorized as error:
            return (
                None,
                None,
                render(request, "web/refused.html", {"event": event, "message": error.message}, status=403),
            )
        if role not in allowed:
            message = gettext("This link is for the %(role)s view, not this page.") % {"role": role_name(role)}
            return None, None, render(request, "web/refused.html", {"event": event, "message": message}, status=403)
        return role, key, None
    if not request.user.is_authenticated:
        return None, None, redirect_to_login(request.get_full_path())
    role = user_role(event=event, user=request.user)
    if role not in allowed and can_organise(request.user):
        if not organises(request.user, event):
            # As on the organiser pages: an event someone else organises looks like none at all.
            return None, None, render(request, "web/not_found.html", {"code": event.code}, status=404)
        if "organiser" in allowed:
            role = "organiser"
    if role not in allowed:
        message = gettext("Your account has no role that opens this page for this event.")
        return None, None, render(request, "web/refused.html", {"event": event, "message": message}, status=403)
    return role, None, None


@require_safe
def landing(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("code", "").strip()
    error = None
    if code:
        event = Event.objects.filter(code__iexact=code).first()
        if event is not None:
            return redirect("web:attend", code=event.code)
        error = gettext(
            "There is no event with the code “%(code)s”. Check the code on the screen or your invitation."
        ) % {"code": code}
    # 200 even when the code is unknown: the page is there, the message says what went wrong.
    return render(request, "web/landing.html", {"code": code, "error": error})


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement: docs/accessibility.md, one text for the repository and the site."""
    statement = MarkdownIt("commonmark", {"html": False}).render(ACCESSIBILITY_STATEMENT.read_text(encoding="utf-8"))
    return render(request, "web/accessibility.html", {"statement": statement})


@require_safe
def attend(request: HttpRequest, code: str) -> HttpResponse:
    event = _event_or_404(request, code)
    if isinstance(event, HttpResponse):
        return event
    if event.code != code:
        return redirect(f"{reverse('web:attend', args=[event.code])}?{request.GET.urlencode()}")
    # Without a mode in the link (a typed code, a shared link) the page asks where the person is.
    mode = request.GET.get("mode")
    # A room's QR code (`?room=slug`): the phone follows that room from now on.
    room = request.GET.get("room")
    follow = room if room and event.rooms.filter(slug=room).exists() else None
    return _page(request, event, "attend", mode=mode if mode in ("room", "online") else None, follow=follow)


@require_safe
def attend_manifest(request: HttpRequest, code: str) -> HttpResponse:
    """The web app manifest of an event's attend page: installed, it opens that event."""
    event = _event_or_404(request, code)
    if isinstance(event, HttpResponse):
        return event
    start = reverse("web:attend", args=[event.code])
    manifest = {
        "id": start,
        "name": event.name,
        "short_name": event.name if len(event.name) <= 12 else event.code,
        "description": gettext("Questions, polls and the live programme of %(name)s.") % {"name": event.name},
        "lang": "en",
        "start_url": start,
        "scope": start,
        "display": "standalone",
        "background_color": "#f6f7f9",
        "theme_color": "#1d4ed8",
        # The icon's drawing stays inside the central 80 %: the large one doubles as the maskable one.
        "icons": [
            {"src": static(f"icons/livehub-{n}.png"), "sizes": f"{n}x{n}", "type": "image/png", "purpose": purpose}
            for n, purpose in ((192, "any"), (512, "any"), (512, "maskable"))
        ],
    }
    return JsonResponse(manifest, content_type="application/manifest+json")


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """The attend page's service worker (built from frontend/src/sw.ts), served outside /static/
    so that its scope can cover /e/."""
    path = finders.find("sw.js")
    if path is None:
        raise Http404("The frontend is not built.")
    with open(path, "rb") as built:
        response = HttpResponse(built.read(), content_type="text/javascript; charset=utf-8")
    # Browsers look for a new worker on each visit; no cached copy may hide it.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/e/"
    return response


def _protected(page: str):
    @require_safe
    def view(request: HttpRequest, code: str, slug: str | None = None) -> HttpResponse:
        event = _event_or_404(request, code)
        if isinstance(event, HttpResponse):
            return event
        room = None
        if slug is not None:
            room = event.rooms.filter(slug=slug).first()
            if room is None:
                return _room_not_found(request, event, page, slug)
        role, key, refusal = _role_for(request, event, page)
        if refusal is not None:
            return refusal
        # The page knows its room: it shows that room's session, and its screen that room's code.
        extra: dict[str, Any] = {"room": room_payload(room)} if room else {}
        if page == "screen":
            url = join_url(request, event, room=room)
            title = gettext("Join %(event)s") % {"event": event.name}
            qr = {"qr_svg": join_qr_svg(url, title=title), "join_url": url, "room": room}
            return _page(request, event, page, context=qr, role=role, key=key, join_url=url, **extra)
        return _page(request, event, page, context={"room": room}, role=role, key=key, **extra)

    view.__name__ = page
    return view


def _room_not_found(request: HttpRequest, event: Event, page: str, slug: str) -> HttpResponse:
    """A mistyped room: the event's rooms, each a link to the same page (with the same key)."""
    query = f"?{request.GET.urlencode()}" if request.GET else ""
    rooms = [
        {"name": room.name, "url": reverse(f"web:room_{page}", args=[event.code, room.slug]) + query}
        for room in event.rooms.all()
    ]
    values = {"event": event, "slug": slug, "rooms": rooms}
    return render(request, "web/room_not_found.html", values, status=404)


def role_name(role: str) -> str:
    names = {
        "attendee": gettext("attendee"),
        "moderator": gettext("moderator"),
        "speaker": gettext("speaker"),
        "screen": gettext("screen"),
    }
    return names.get(role, role)


def join_url(request: HttpRequest, event: Event, *, room: Room | None = None) -> str:
    """Where the room's QR code points: the attend page in room mode (following that room)."""
    query = urlencode({"mode": "room", "room": room.slug}) if room else "mode=room"
    path = f"{reverse('web:attend', args=[event.code])}?{query}"
    base = settings.LIVEHUB_PUBLIC_URL
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def join_qr_svg(url: str, *, title: str) -> str:
    """The room's QR code as inline SVG that scales to its box (viewBox, no fixed size)."""
    return segno.make(url, error="m").svg_inline(border=2, dark="#111", light="#fff", omitsize=True, title=title)


EXPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "application/zip",
    "json": "application/json",
}


def _actor(request: HttpRequest, role: str | None, key: str | None) -> str:
    """Who the audit log names: the account, or the kind of role link used."""
    return request.user.get_username() if request.user.is_authenticated and not key else f"{role} link"


@require_safe
def export(request: HttpRequest, code: str, format: str) -> HttpResponse:
    """The event's data (or `?session=`'s) for its moderators and organisers, as one download."""
    event = _event_or_404(request, code)
    if isinstance(event, HttpResponse):
        return event
    role, key, refusal = _role_for(request, event, "export")
    if refusal is not None:
        return refusal
    session = request.GET.get("session") or None
    if session is not None and not session.isdigit():
        return JsonResponse(
            {"code": "invalid", "message": gettext("session must be a session's id."), "fields": {"session": session}},
            status=400,
        )
    try:
        scope = export_scope(event=event, session_id=int(session) if session else None)
    except NotFound as error:
        return JsonResponse({"code": error.code, "message": error.message}, status=404)
    actor = _actor(request, role, key)
    # Written to a temporary file, then sent from it: a big event never sits in memory.
    out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    event_export(scope=scope, format=format, out=out, actor=actor)
    out.seek(0)
    name = export_filename(scope=scope, format=format)
    return FileResponse(out, as_attachment=True, filename=name, content_type=EXPORT_TYPES[format])


@require_safe
def report(request: HttpRequest, code: str) -> HttpResponse:
    """The post-event report for the event's staff: figures as tables, drawn as charts by its script."""
    event = _event_or_404(request, code)
    if isinstance(event, HttpResponse):
        return event
    role, key, refusal = _role_for(request, event, "report")
    if refusal is not None:
        return refusal
    figures = report_read(scope=export_scope(event=event, session_id=None), actor=_actor(request, role, key))
    empty = not (figures["participation"] or figures["polls"] or any(s["questions"] for s in figures["sessions"]))
    connected = any(five["connected_room"] is not None for five in figures["participation"])
    values = {
        "event": event,
        "report": figures,
        "labels": report_labels(),
        "empty": empty,
        "key": key,
        "role": role,
        "exports": export_links(event, key=key) if role in PAGE_ROLES["export"] else [],
        "connected": connected,
    }
    return render(request, "web/report.html", values)


def export_links(event: Event, *, key: str | None) -> list[dict[str, str]]:
    """The report's downloads of its data, one per format; a role link's key goes along."""
    query = f"?{urlencode({'key': key})}" if key else ""
    labels = {
        "xlsx": gettext("Excel workbook (.xlsx)"),
        "csv": gettext("CSV files (.zip)"),
        "json": gettext("JSON"),
    }
    return [
        {"format": format, "label": label, "url": reverse("web:export", args=[event.code, format]) + query}
        for format, label in labels.items()
    ]


def report_labels() -> dict[str, str]:
    """The words the report's charts draw (the tables' words are in its template)."""
    return {
        "room": gettext("In the room"),
        "online": gettext("Online"),
        "questions": gettext("Questions"),
        "votes": gettext("Votes"),
        "answers": gettext("Poll answers"),
        "joined": gettext("Joined"),
        "connected": gettext("Connected"),
        "connected_chart": gettext("The most attendees connected at once, per 5 minutes, in the room and online"),
        "time": gettext("Time"),
        "count": gettext("Count"),
        "per_five": gettext("Per 5 minutes"),
        "before": gettext("Before"),
        "after": gettext("After"),
        "joined_chart": gettext("Attendees who joined, per 5 minutes, in the room and online"),
        "activity_chart": gettext("Questions, votes and poll answers per 5 minutes"),
        "sessions_chart": gettext("Questions and votes per session"),
        "moderation_chart": gettext("Moderation actions"),
        **{f"action_{action}": label for action, label in MODERATION_ACTIONS.items()},
    }


MODERATION_ACTIONS = {
    "approve": gettext_lazy("Approved"),
    "reject": gettext_lazy("Rejected"),
    "answer": gettext_lazy("Marked answered"),
    "archive": gettext_lazy("Archived"),
    "restore": gettext_lazy("Restored"),
    "highlight": gettext_lazy("Highlighted"),
    "unhighlight": gettext_lazy("Unhighlighted"),
    "edit": gettext_lazy("Edited"),
    "merge": gettext_lazy("Merged"),
    "answer_in_writing": gettext_lazy("Answered in writing"),
    "answer_removed": gettext_lazy("Written answer taken back"),
    "auto_approve": gettext_lazy("Published at once (auto-publish)"),
}


def _framed_by_producers(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Any site may frame the overlay, or only those the operator lists
    (LIVEHUB_OVERLAY_FRAME_ANCESTORS); its refusals too, so they show in the producer's frame."""

    @wraps(view)
    def framed(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if settings.LIVEHUB_OVERLAY_FRAME_ANCESTORS:
            response.frame_ancestors = settings.LIVEHUB_OVERLAY_FRAME_ANCESTORS
        return response

    return xframe_options_exempt(framed)


moderate = _protected("moderate")
stage = _protected("stage")
# Venues embed the projector page; OBS browser sources and stream producers' pages embed the
# overlay, so its refusals (an unknown event, a bad or expired link) show in their frame too.
screen = xframe_options_exempt(_protected("screen"))
overlay = _framed_by_producers(_protected("overlay"))
