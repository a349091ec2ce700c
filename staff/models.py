from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignIn(models.Model):
    """One attempt to sign in with a password: who it was for and how it ended. No address."""

    class Outcome(models.TextChoices):
        SUCCESS = "success"
        FAILURE = "failure"
        # Refused without checking the password: the account or the address was locked.
        LOCKED = "locked"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    username = models.CharField(max_length=150, help_text="The username as typed.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=8, choices=Outcome.choices)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "sign-in"

    def __str__(self) -> str:
        return f"{self.username}: {self.outcome}"


class RoleLink(models.Model):
    """A role link handed out. Its signed key carries this row's id, so one link can be revoked."""

    class Role(models.TextChoices):
        MODERATOR = "moderator", _("Moderator")
        SPEAKER = "speaker", _("Speaker")
        SCREEN = "screen", _("Screen")

    event = models.ForeignKey("livesessions.Event", on_delete=models.CASCADE, related_name="role_links")
    role = models.CharField(max_length=16, choices=Role.choices)
    expires_at = models.DateTimeField()
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # How it was handed out when no account did it ("manage.py rolelink", "seed_demo").
    issued_via = models.CharField(max_length=40, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.role} link #{self.pk} of {self.event.code}"
