from django.urls import path

from . import views

app_name = "organiser"

urlpatterns = [
    path("organise/", views.events, name="events"),
    path("organise/<str:code>/", views.settings, name="settings"),
    path("organise/<str:code>/sessions/", views.sessions, name="sessions"),
    path("organise/<str:code>/sessions/new/", views.session_edit, name="session_new"),
    path("organise/<str:code>/sessions/<int:session_id>/", views.session_edit, name="session_edit"),
    path("organise/<str:code>/sessions/<int:session_id>/delete/", views.session_delete, name="session_delete"),
    path("organise/<str:code>/rooms/", views.rooms, name="rooms"),
    path("organise/<str:code>/rooms/<int:room_id>/", views.rooms, name="room_edit"),
    path("organise/<str:code>/rooms/<int:room_id>/delete/", views.room_delete, name="room_delete"),
    path("organise/<str:code>/speakers/", views.speakers, name="speakers"),
    path("organise/<str:code>/speakers/<int:speaker_id>/", views.speakers, name="speaker_edit"),
    path("organise/<str:code>/speakers/<int:speaker_id>/delete/", views.speaker_delete, name="speaker_delete"),
    path("organise/<str:code>/people/", views.people, name="people"),
    path("organise/<str:code>/people/grant/", views.role_grant, name="role_grant"),
    path("organise/<str:code>/people/<int:role_id>/revoke/", views.role_revoke, name="role_revoke"),
    path("organise/<str:code>/links/", views.link_create, name="link_create"),
    path("organise/<str:code>/links/<int:link_id>/revoke/", views.link_revoke, name="link_revoke"),
    path("organise/<str:code>/blocklist/", views.blocklist, name="blocklist"),
    path("organise/<str:code>/polls/", views.polls, name="polls"),
    path("organise/<str:code>/polls/<int:poll_id>/", views.polls, name="poll_edit"),
    path("organise/<str:code>/polls/<int:poll_id>/delete/", views.poll_delete, name="poll_delete"),
    path("organise/<str:code>/agenda/", views.agenda, name="agenda"),
    path("organise/<str:code>/agenda/apply/", views.agenda_apply, name="agenda_apply"),
    path("organise/<str:code>/look/", views.look, name="look"),
    path("organise/<str:code>/clone/", views.clone, name="clone"),
    path("organise/<str:code>/webhooks/", views.webhooks, name="webhooks"),
    path("organise/<str:code>/webhooks/<int:endpoint_id>/", views.webhooks, name="webhook_edit"),
    path("organise/<str:code>/webhooks/<int:endpoint_id>/test/", views.webhook_test, name="webhook_test"),
    path("organise/<str:code>/webhooks/<int:endpoint_id>/rotate/", views.webhook_rotate, name="webhook_rotate"),
    path("organise/<str:code>/webhooks/<int:endpoint_id>/delete/", views.webhook_delete, name="webhook_delete"),
    path("e/<str:code>/logo", views.logo, name="logo"),
]
