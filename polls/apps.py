from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PollsConfig(AppConfig):
    name = "polls"
    verbose_name = "Live polls"

    def ready(self) -> None:
        from sessions.contributors import AudienceData, audience_data_register, demo_content_register
        from sessions.services import session_removing, session_went_live

        from . import commands, selectors, services  # noqa: F401  (registers socket commands and snapshot)
        from .demo import seed_demo_polls

        session_went_live.connect(_open_polls, dispatch_uid="polls-auto-open")
        session_removing.connect(_detach_polls, dispatch_uid="polls-session-removed")
        audience_data_register(
            "poll answers",
            AudienceData(
                counts=("responses_deleted", "responses_kept"),
                delete=services.responses_delete,
                anonymise=services.responses_keep,
                participants_kept=selectors.participants_answering,
                sessions_holding=selectors.sessions_answered,
                label=_("poll answers"),
            ),
        )
        demo_content_register("polls", seed_demo_polls)


def _open_polls(sender, session, **kwargs) -> None:
    from .services import open_polls_of_session

    open_polls_of_session(session_id=session.pk)


def _detach_polls(sender, session, **kwargs) -> None:
    from .services import polls_detach

    polls_detach(session_id=session.pk)
