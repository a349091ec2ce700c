"""The HTTP JSON API (OpenAPI at /api/docs). Errors have the socket's shape: {"error": {...}}."""

import math
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from livehub.errors import DomainError, RateLimited
from livehub.middleware import unavailable_response
from livehub.realtime.protocol import SURROGATE, has_unstorable
from livehub.validation import reasons
from qa.api import router as questions_router
from sessions.api import router as events_router


class StrictJsonParser(Parser):
    """An unpaired surrogate escape (\\ud800) makes text that UTF-8 cannot encode: the body is
    refused as unparseable (400 bad_request) instead of failing in the database. (NUL is left to
    the schemas, which refuse control characters with 422.)"""

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        if has_unstorable(data, pattern=SURROGATE):
            raise ValueError("the body holds unpaired surrogates")
        return data


api = NinjaAPI(
    parser=StrictJsonParser(),
    title="LiveHub API",
    version="1",
    description="The live layer of hybrid congresses. The websocket contract is in docs/protocol.md.",
    urls_namespace="api",
)
api.add_router("/events/", events_router)
api.add_router("/events/", questions_router)


def _error(request: HttpRequest, status: int, error: dict) -> HttpResponse:
    return api.create_response(request, {"error": error}, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    response = _error(request, error.http_status, error.as_dict())
    if isinstance(error, RateLimited):
        response["Retry-After"] = str(math.ceil(error.retry_after))
    return response


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    fields = reasons(error.errors, whole="body", skip=("body", "payload"))
    return _error(request, 422, {"code": "invalid", "message": _("The request is not valid."), "fields": fields})


HTTP_CODES = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
}


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    status = error.status_code
    code = HTTP_CODES.get(status, "bad_request" if status < 500 else "internal")
    return _error(request, status, {"code": code, "message": str(error)})


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return _error(request, 401, {"code": "unauthorized", "message": _("Sign in first.")})


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_unavailable(request: HttpRequest, error: Exception) -> HttpResponse:
    return unavailable_response(request, error)
