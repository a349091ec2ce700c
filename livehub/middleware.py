import logging
import random
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import split_domain_port, validate_host
from django.template.loader import render_to_string
from django.utils.translation import gettext

from livehub.views import metrics

API_PREFIX = "/api/"
METRICS_PATH = "/metrics"
PLAIN_ERRORS = {
    404: ("not_found", "There is no such API endpoint."),
    405: ("method_not_allowed", "This endpoint does not accept that method."),
}


class JsonApiErrors:
    """Under /api/ every error is JSON in the contract's shape, also Django's own 404 and 405."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code in PLAIN_ERRORS
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = PLAIN_ERRORS[response.status_code]
            json_response = JsonResponse({"error": {"code": code, "message": message}}, status=response.status_code)
            if response.has_header("Allow"):
                json_response["Allow"] = response["Allow"]
            return json_response
        return response


log = logging.getLogger(__name__)


class DatabaseUnavailable:
    """No database connection for a request (every pooled one busy for LIVEHUB_DB_POOL_TIMEOUT, or
    PostgreSQL away): 503 with Retry-After, never a 500. The wait is jittered so that a hall of
    phones that were turned away together do not come back together."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        return unavailable_response(request, exception)


def unavailable_response(request: HttpRequest, exception: Exception) -> HttpResponse:
    log.warning("database unavailable for %s %s: %s", request.method, request.path, exception.__class__.__name__)
    retry_after = random.randint(2, 6)
    message = gettext("We are very busy right now; please retry in a few seconds.")
    if request.path.startswith(API_PREFIX):
        response: HttpResponse = JsonResponse(
            {"error": {"code": "unavailable", "message": message, "retry_after": retry_after}}, status=503
        )
    else:
        html = render_to_string("web/unavailable.html", {"message": message, "retry_after": retry_after})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(retry_after)
    return response


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ApiWritesSameSite:
    """CSRF protection of the JSON API, which takes no cookies and so no CSRF token.

    A write must be JSON: a cross-site page can only send that after a CORS preflight, which
    we never grant. And when the browser says where the request comes from (Origin), it must be
    one of ALLOWED_HOSTS, the rule the socket applies too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX) and request.method in UNSAFE_METHODS:
            origin = request.headers.get("Origin")
            if origin is not None and not _origin_allowed(origin):
                return _api_error(403, "forbidden", "Cross-site requests are refused.")
            # A body that is not JSON (a form's): an empty one cannot write anything.
            if request.body and request.content_type != "application/json":
                return _api_error(400, "bad_request", "Send JSON with Content-Type: application/json.")
        return self.get_response(request)


def _origin_allowed(origin: str) -> bool:
    if "://" not in origin:
        return False  # includes "null" (sandboxed frames, file: pages)
    host, _port = split_domain_port(origin.split("://", 1)[1])
    return bool(host) and validate_host(host, settings.ALLOWED_HOSTS)


def _api_error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


class SecurityHeaders:
    """Content-Security-Policy: scripts only from our own origin (no inline script, no eval).

    Styles may be inline (the apps set style attributes). Pages may not be framed, except the
    projector page and the livestream overlay, whose views are exempt from X-Frame-Options because
    venues and stream producers embed them; a view that names the sites that may frame it
    (`response.frame_ancestors`) gets `frame-ancestors 'self'` and those.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            host = request.get_host()
            policy = [
                "default-src 'self'",
                "script-src 'self'",
                "style-src 'self' 'unsafe-inline'",
                "img-src 'self' data:",
                # The livestream player the organisers set per session (stream_url) is embedded.
                "frame-src https:",
                # The live socket: 'self' covers ws(s) of this host in CSP 3 only; older Safari needs it spelt out.
                f"connect-src 'self' ws://{host} wss://{host}",
                # The attend page's service worker and manifest (/sw.js, /e/{code}/manifest.webmanifest).
                "worker-src 'self'",
                "manifest-src 'self'",
                "object-src 'none'",
                "base-uri 'self'",
                "form-action 'self'",
            ]
            ancestors = getattr(response, "frame_ancestors", None)
            if ancestors:
                policy.append(" ".join(["frame-ancestors 'self'", *ancestors]))
            elif not getattr(response, "xframe_options_exempt", False):
                policy.append("frame-ancestors 'none'")
            response["Content-Security-Policy"] = "; ".join(policy)
        return response


class MetricsScrape:
    """/metrics before the host check and the HTTPS redirect: Prometheus reads each process at its
    own address (Host: 172.30.53.4:8000, which no ALLOWED_HOSTS names), over plain HTTP inside the
    deployment. The answer does not depend on the Host; the view's own rule (token, allow-list)
    protects it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == METRICS_PATH:
            return metrics(request)
        return self.get_response(request)
