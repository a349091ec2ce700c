from django.db import models


class CommandReceipt(models.Model):
    """The reply to an applied command, kept so that a retry with the same `ref` is applied once.

    Written in the command's own transaction: a receipt exists exactly when the command's
    effects were committed.
    """

    actor = models.CharField(max_length=80)
    ref = models.CharField(max_length=64)
    type = models.CharField(max_length=64)
    reply = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["actor", "ref"], name="receipt_once_per_ref")]

    def __str__(self) -> str:
        return f"{self.actor} {self.ref} {self.type}"


class PresenceSample(models.Model):
    """How many were connected to an event, in the room and online, in one minute (all processes):
    the exports' and the report's attendance. The first process to write the minute keeps it."""

    event = models.ForeignKey("livesessions.Event", on_delete=models.CASCADE, related_name="presence_samples")
    minute = models.DateTimeField()
    room = models.PositiveIntegerField()
    online = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "minute"], name="one_presence_sample_a_minute")]

    def __str__(self) -> str:
        return f"{self.event_id} {self.minute:%H:%M} room {self.room} online {self.online}"
