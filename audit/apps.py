from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Moderation audit log"

    def ready(self) -> None:
        from . import selectors  # noqa: F401  (registers the console's log in the snapshot)
