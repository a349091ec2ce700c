from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from polls.services import poll_closed
        from qa.services import question_answered, question_approved
        from sessions.services import session_status_changed

        from . import receivers

        # Each receiver queues its deliveries inside the action's transaction.
        question_approved.connect(receivers.on_question_approved, dispatch_uid="webhooks-question-approved")
        question_answered.connect(receivers.on_question_answered, dispatch_uid="webhooks-question-answered")
        poll_closed.connect(receivers.on_poll_closed, dispatch_uid="webhooks-poll-closed")
        session_status_changed.connect(receivers.on_session_status, dispatch_uid="webhooks-session-status")
