from django.db import models

from sessions.models import Event


class ModerationAction(models.Model):
    """The audit log: who did what to which question or poll of an event, when."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="moderation_actions")
    # A poll's entries name it in `detail`; a question's point at it, and go when it is purged.
    question = models.ForeignKey("qa.Question", null=True, on_delete=models.SET_NULL, related_name="actions")
    actor = models.CharField(max_length=120)
    action = models.CharField(max_length=32)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        # The table the Q&A app created: the log moved here with its rows.
        db_table = "qa_moderationaction"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor} {self.action} {self.question_id}"
