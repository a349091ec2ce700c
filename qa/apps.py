from django.apps import AppConfig


class QaConfig(AppConfig):
    name = "qa"
    verbose_name = "Audience Q&A"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from sessions.models import Event

        from . import commands, selectors  # noqa: F401  (registers socket commands and snapshot)

        # Every new event starts with the default block list.
        post_save.connect(_seed_new_event, sender=Event, dispatch_uid="qa-seed-blocklist")


def _seed_new_event(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        from .services import event_blocklist_seed

        event_blocklist_seed(event=instance)
