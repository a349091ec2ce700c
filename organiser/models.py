from django.db import models


class EventLook(models.Model):
    """An event's logo and primary colour. The logo is stored in the database (not on disk) so
    that it is in every backup the database is."""

    event = models.OneToOneField("livesessions.Event", on_delete=models.CASCADE, primary_key=True, related_name="look")
    colour = models.CharField(max_length=7, blank=True, help_text="Primary colour, #rrggbb.")
    logo = models.BinaryField(null=True, blank=True, editable=False)
    logo_type = models.CharField(max_length=32, blank=True)
    logo_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "event look"
        # The organiser pages' permission: granted in the admin or by `manage.py createorganiser`.
        permissions = [("organise", "Can organise events (the organiser pages)")]

    def __str__(self) -> str:
        return f"Look of {self.event_id}"
