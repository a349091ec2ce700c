from django.urls import path, re_path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("e/<str:code>/", views.attend, name="attend"),
    path("e/<str:code>/manifest.webmanifest", views.attend_manifest, name="attend_manifest"),
    path("e/<str:code>/moderate/", views.moderate, name="moderate"),
    re_path(r"^e/(?P<code>[^/]+)/export\.(?P<format>xlsx|csv|json)$", views.export, name="export"),
    path("e/<str:code>/report/", views.report, name="report"),
    path("e/<str:code>/stage/", views.stage, name="stage"),
    path("e/<str:code>/screen/", views.screen, name="screen"),
    path("e/<str:code>/rooms/<str:slug>/stage/", views.stage, name="room_stage"),
    path("e/<str:code>/rooms/<str:slug>/screen/", views.screen, name="room_screen"),
    path("e/<str:code>/overlay/", views.overlay, name="overlay"),
    path("e/<str:code>/rooms/<str:slug>/overlay/", views.overlay, name="room_overlay"),
]
