from django.db import models
from django.db.models import Q

from sessions.models import Event, Participant, Session


class Question(models.Model):
    class State(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        REJECTED = "rejected"
        ANSWERED = "answered"
        ARCHIVED = "archived"

    class RejectionReason(models.TextChoices):
        OFF_TOPIC = "off_topic"
        DUPLICATE = "duplicate"
        ALREADY_ANSWERED = "already_answered"
        INAPPROPRIATE = "inappropriate"

    PUBLIC_STATES = (State.APPROVED, State.ANSWERED)

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(Participant, null=True, on_delete=models.SET_NULL, related_name="questions")
    # The name shown with the question, fixed when it was asked ("" = anonymous).
    author_name = models.CharField(max_length=60, blank=True)
    text = models.TextField()
    original_text = models.TextField(blank=True, help_text="The text as asked, when a moderator edited it.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    highlighted = models.BooleanField(default=False)
    # Why a moderator rejected it ("" = no reason given); only its author and the moderators see it.
    rejection_reason = models.CharField(max_length=20, choices=RejectionReason.choices, blank=True)
    flagged_words = models.JSONField(default=list, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged")
    # The number of Vote rows, brought up to date by each coalesced flush of vote totals (at
    # most a third of a second behind), by moderators' changes (exact, under the row's lock)
    # and when an event is healed; votes themselves never write this row (see question_vote).
    vote_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # A written answer (question.answer) by a moderator or a speaker, for questions not taken
    # live; "" = none. `answer_by` is the role that wrote it, `answer_at` when it last changed.
    answer_text = models.TextField(blank=True)
    answer_by = models.CharField(max_length=10, blank=True)
    answer_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-vote_count", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session"], condition=Q(highlighted=True), name="one_highlighted_question_per_session"
            ),
        ]
        indexes = [models.Index(fields=["session", "state"])]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_public(self) -> bool:
        return self.state in self.PUBLIC_STATES

    @property
    def flagged(self) -> bool:
        return bool(self.flagged_words)


class Vote(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "participant"], name="one_vote_per_participant")]

    def __str__(self) -> str:
        return f"{self.participant_id} → {self.question_id}"


class BlockedWord(models.Model):
    """A word that flags a question for the moderators (never drops it silently)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="blocked_words")
    word = models.CharField(max_length=60)

    class Meta:
        ordering = ["word"]
        constraints = [models.UniqueConstraint(fields=["event", "word"], name="blocked_word_once")]

    def __str__(self) -> str:
        return self.word
