from django.apps import AppConfig


class LiveSessionsConfig(AppConfig):
    # "sessions" belongs to django.contrib.sessions.
    name = "sessions"
    label = "livesessions"
    verbose_name = "Event programme"

    def ready(self) -> None:
        from . import commands, selectors  # noqa: F401  (registers socket commands and snapshot)
