from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    """The staff sign-in page's form: Django's, in our words. The lock's message comes from the backend."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That username and password did not match. Try again."),
    }
