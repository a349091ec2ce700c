import secrets
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from sessions.models import Event

# The event types an organiser may subscribe to (docs/webhooks.md has one schema per type).
EVENT_TYPES = {
    "question.approved": _("Question approved"),
    "question.answered": _("Question answered"),
    "poll.closed": _("Poll closed (with results)"),
    "session.status_changed": _("Session status changed"),
}
# Sent to one endpoint when an organiser asks for a test delivery; nobody subscribes to it.
PING = "ping"
TYPE_LABELS = {**EVENT_TYPES, PING: _("Test delivery")}


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Endpoint(models.Model):
    """A URL an organiser registered to hear of some of an event's changes."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("URL"), max_length=500)
    # The key of the HMAC-SHA256 signature; the receiver holds a copy.
    secret = models.CharField(_("signing secret"), max_length=100, default=new_secret)
    events = models.JSONField(_("events subscribed"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")

    def __str__(self) -> str:
        return self.url

    def event_labels(self) -> list[str]:
        return [str(EVENT_TYPES.get(name, name)) for name in self.events]


class Delivery(models.Model):
    """One event for one endpoint: the persistent queue's row and the delivery log's line."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    # Sent as the body's `id` and the X-LiveHub-Delivery header: the receiver's key to drop repeats.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    type = models.CharField(max_length=40)
    # The exact bytes signed and sent, the same on every attempt.
    body = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            # The worker's claim: the due rows of the queue only.
            models.Index(fields=["next_attempt_at"], name="webhook_delivery_due", condition=models.Q(state="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.type} → {self.endpoint_id} ({self.state})"

    def type_label(self) -> str:
        return str(TYPE_LABELS.get(self.type, self.type))
