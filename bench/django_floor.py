"""The floor of the joins scenario: LiveHub's own Django settings and middleware, and at the join
URL one trivial view (no database, no limiter). What any Django view costs on this machine.

    DJANGO_SETTINGS_MODULE=bench.django_floor uvicorn --factory django.core.asgi:get_asgi_application

It is its own URLconf, so nothing of it reaches the production URLs.
"""

import secrets
import uuid

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from livehub.settings import *  # noqa: F403

ROOT_URLCONF = "bench.django_floor"


@csrf_exempt
def join(request: HttpRequest, code: str) -> JsonResponse:
    body = {"participant": str(uuid.uuid4()), "token": secrets.token_urlsafe(32), "mode": "room", "name": None}
    return JsonResponse(body, status=201)


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [path("api/events/<str:code>/join", join), path("healthz", healthz)]
