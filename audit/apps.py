from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Moderation audit log"

    def ready(self) -> None:
        from livehub.realtime.snapshot import shared_contributor

        from . import schemas  # noqa: F401  (declares the log's payloads in the contract)
        from .selectors import audit_snapshot

        # Registered here, not where it is defined: the apps that log import this app first, and
        # the snapshot's keys keep the order of INSTALLED_APPS.
        shared_contributor()(audit_snapshot)
