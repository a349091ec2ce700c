"""Which language a person reads: their own choice (the switch's cookie), else their browser's
(Accept-Language), else the event's first language, else English.

The same rule serves the pages (the middleware below) and the live socket (its handshake carries
the same cookie and header), so a page and the errors of its socket speak one language.
"""

from collections.abc import Callable, Iterable, Sequence
from http.cookies import SimpleCookie

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

LANGUAGE_CODES: tuple[str, ...] = tuple(code for code, _name in settings.LANGUAGES)


def supported(code: str | None) -> str | None:
    """`code` (`fr`, `fr-BE`, `NL`) as one of ours, or None."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGE_CODES else None


def preferred_language(*, cookie: str | None, accept_language: str | None) -> str | None:
    """The person's language, chosen with the switch or sent by their browser; None if neither
    names one of ours."""
    chosen = supported(cookie)
    if chosen:
        return chosen
    for code, _quality in parse_accept_lang_header(accept_language or ""):
        if code != "*" and (match := supported(code)):
            return match
    return None


def language_for(preferred: str | None, event_languages: Sequence[str] = ()) -> str:
    """The language to use: the person's, else the event's default, else English."""
    if preferred:
        return preferred
    for code in event_languages:
        if match := supported(code):
            return match
    return settings.LANGUAGE_CODE


def socket_language(headers: Iterable[tuple[bytes, bytes]], event_languages: Sequence[str] = ()) -> str:
    """The language of a socket, from its handshake's Cookie and Accept-Language headers (the
    socket of a projector page speaks its page's language: messages reach the operator only)."""
    cookie = accept = None
    for name, value in headers:
        if name == b"cookie":
            jar = SimpleCookie()
            jar.load(value.decode("latin-1"))
            if settings.LANGUAGE_COOKIE_NAME in jar:
                cookie = jar[settings.LANGUAGE_COOKIE_NAME].value
        elif name == b"accept-language":
            accept = value.decode("latin-1")
    return language_for(preferred_language(cookie=cookie, accept_language=accept), event_languages)


def use_event_language(request: HttpRequest, event_languages: Sequence[str], *, projector: bool = False) -> None:
    """On an event's pages, a person whose browser names none of our languages reads the event's;
    on its projector pages (stage, screen) the browser's is not asked, only the switch's choice."""
    preferred = getattr(request, "language_chosen", None) if projector else getattr(request, "language_preferred", None)
    language = language_for(preferred, event_languages)
    if language != translation.get_language():
        translation.activate(language)
        request.LANGUAGE_CODE = language


class Language:
    """Activates the request's language (see the module's docstring); views of an event's pages
    call `use_event_language` for the event's default."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        preferred = preferred_language(
            cookie=request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME),
            accept_language=request.headers.get("Accept-Language"),
        )
        request.language_preferred = preferred
        request.language_chosen = supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        language = language_for(preferred)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
            response.headers.setdefault("Content-Language", translation.get_language())
            return response
        finally:
            translation.deactivate()
