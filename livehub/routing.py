from django.urls import path, re_path

from livehub.realtime.consumer import EventSocket, NoSuchSocket

websocket_urlpatterns = [
    path("ws/events/<str:code>/", EventSocket.as_asgi()),
    re_path(r"", NoSuchSocket.as_asgi()),
]
