from django.apps import AppConfig


class PollsConfig(AppConfig):
    name = "polls"
    verbose_name = "Live polls"

    def ready(self) -> None:
        from sessions.services import session_went_live

        from . import commands, selectors  # noqa: F401  (registers socket commands and snapshot)

        session_went_live.connect(_open_polls, dispatch_uid="polls-auto-open")


def _open_polls(sender, session, **kwargs) -> None:
    from .services import open_polls_of_session

    open_polls_of_session(session_id=session.pk)
