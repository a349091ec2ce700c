from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReactionsConfig(AppConfig):
    name = "reactions"
    verbose_name = "Reactions"

    def ready(self) -> None:
        from sessions.contributors import AudienceData, audience_data_register

        from . import commands, selectors, services  # noqa: F401  (registers the socket command and snapshot)

        audience_data_register(
            "reactions",
            AudienceData(
                counts=("reactions_deleted",),
                delete=services.reactions_delete,
                anonymise=services.reactions_keep,
                sessions_holding=selectors.sessions_reacted,
                label=_("reactions"),
            ),
        )
