from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QaConfig(AppConfig):
    name = "qa"
    verbose_name = "Audience Q&A"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from sessions.contributors import AudienceData, audience_data_register, demo_content_register
        from sessions.models import Event

        from . import commands, selectors, services  # noqa: F401  (registers socket commands and snapshot)
        from .demo import seed_demo_questions

        # Every new event starts with the default block list.
        post_save.connect(_seed_new_event, sender=Event, dispatch_uid="qa-seed-blocklist")
        audience_data_register(
            "questions",
            AudienceData(
                counts=("questions_deleted", "questions_anonymised", "votes_deleted"),
                delete=services.questions_delete,
                anonymise=services.questions_anonymise,
                sessions_holding=selectors.sessions_asked,
                label=_("questions"),
            ),
        )
        demo_content_register("questions", seed_demo_questions)


def _seed_new_event(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        from .services import event_blocklist_seed

        event_blocklist_seed(event=instance)
