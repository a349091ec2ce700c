"""The session cookie on the socket, read once at connect, with `send` left alone.

Channels' SessionMiddleware wraps `send` so that it can save the session on HTTP responses;
on a socket that wrapper runs for every frame, i.e. once per socket per published event,
and it only ever finds nothing to save: sockets never change the session.
"""

from importlib import import_module
from typing import Any

from channels.auth import AuthMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser


class SocketSessionMiddleware:
    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.store = import_module(settings.SESSION_ENGINE).SessionStore

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        key = scope.get("cookies", {}).get(settings.SESSION_COOKIE_NAME)
        # Lazy: the store reads the database only when the user is resolved, in a worker thread.
        return await self.inner({**scope, "session": self.store(key)}, receive, send)


class SocketAuthMiddleware(AuthMiddleware):
    """Channels' AuthMiddleware without its trip to a worker thread when the socket has no
    session cookie (every attendee): with no session there is no user to read."""

    async def resolve_scope(self, scope: dict[str, Any]) -> None:
        if scope["session"].session_key is None:
            scope["user"]._wrapped = AnonymousUser()
            return
        await super().resolve_scope(scope)
