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
