from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sessions.models import Event, Participant, Session


class Poll(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        RATING = "rating", _("Rating")
        WORDCLOUD = "wordcloud", _("Word cloud")
        TEXT = "text", _("Open text")
        STANCE = "stance", _("Stance")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Phase(models.TextChoices):
        BEFORE = "before", _("Before")
        AFTER = "after", _("After")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="polls")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="polls")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    prompt = models.CharField(max_length=300)
    state = models.CharField(max_length=6, choices=State.choices, default=State.DRAFT)
    results_visible = models.BooleanField(default=False)
    on_screen = models.BooleanField(default=False)
    max_choices = models.PositiveSmallIntegerField(null=True, blank=True)
    scale = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Rating: 5 or 10.")
    phase = models.CharField(max_length=6, choices=Phase.choices, blank=True)
    stance_pair = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    auto_open = models.BooleanField(default=False, help_text="Open when its session goes live.")
    order = models.PositiveIntegerField(default=0)
    # The prompt and option labels in the event's other languages: {"fr": {"prompt", "options"}};
    # an empty text stands for the original (`polls.services._translations` keeps the shape).
    translations = models.JSONField(default=dict, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session"], condition=Q(on_screen=True), name="one_poll_on_screen_per_session"
            ),
        ]

    def __str__(self) -> str:
        return self.prompt


class Option(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.label


class Response(models.Model):
    """One participant's answer to one poll (changeable while the poll is open)."""

    class Review(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="responses")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="poll_responses")
    # Room or online when answered: the split of the results.
    mode = models.CharField(max_length=8)
    options = models.JSONField(default=list, blank=True)  # option ids (choice and stance polls)
    value = models.PositiveSmallIntegerField(null=True, blank=True)  # rating
    words = models.JSONField(default=list, blank=True)  # word cloud, normalised
    text = models.TextField(blank=True)  # open text
    review = models.CharField(max_length=8, choices=Review.choices, blank=True)  # open text only
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "participant"], name="one_response_per_participant")]

    def __str__(self) -> str:
        return f"{self.participant_id} → {self.poll_id}"
