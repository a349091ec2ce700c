from django.db import models

from sessions.models import Event, Session


class ReactionTotal(models.Model):
    """How many reactions of one kind a session got from the room or from online: a copy of the
    counters in Redis, written by each coalesced flush (at most a third of a second behind)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="reaction_totals")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="reaction_totals")
    kind = models.CharField(max_length=10)
    mode = models.CharField(max_length=6)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "kind", "mode"], name="one_total_per_kind_and_mode")]

    def __str__(self) -> str:
        return f"{self.session_id} {self.kind} {self.mode}: {self.count}"
