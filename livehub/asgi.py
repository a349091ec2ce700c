import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "livehub.settings")
django_asgi_app = get_asgi_application()  # sets Django up before the routes import models

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.sessions import CookieMiddleware  # noqa: E402

from livehub.realtime.session import SocketAuthMiddleware, SocketSessionMiddleware  # noqa: E402
from livehub.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # The session cookie identifies logged-in moderators and speakers. Channels'
        # AuthMiddlewareStack, but with a session middleware that leaves `send` unwrapped:
        # its wrapper ran once per socket per published event (docs/performance.md); and an
        # auth middleware that reads no user for sockets without a session cookie.
        "websocket": CookieMiddleware(SocketSessionMiddleware(SocketAuthMiddleware(URLRouter(websocket_urlpatterns)))),
    }
)

# Last: what is loaded by now lives as long as the process (frozen out of collections).
from livehub.collector import collector_tune  # noqa: E402

collector_tune()
