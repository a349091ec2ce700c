"""Sign-in with a password, behind the rule: every login view (ours, the admin's, any later one)
calls `authenticate()`, so every one of them gets the rule from here."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from redis.exceptions import RedisError

from . import services


class ThrottledModelBackend(ModelBackend):
    """Django's ModelBackend, refusing a locked account or address before any password is checked
    (SignInLocked, shown on the form), and counting and recording every attempt."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        # REMOTE_ADDR is the client's behind the proxy (--proxy-headers); counted hashed, never stored.
        address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
        try:
            services.signin_check(username=username, address=address)
        except services.SignInLocked as locked:
            if request is not None:
                request.signin_retry_after = locked.retry_after  # SignInLockedStatus answers 429
            raise
        except RedisError:
            raise self._unavailable(request) from None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        try:
            if user is None:
                services.signin_fail(username=username, address=address)
            else:
                services.signin_succeed(username=username, user=user)
        except RedisError:
            raise self._unavailable(request) from None  # an uncounted attempt does not sign in
        return user

    @staticmethod
    def _unavailable(request) -> services.SignInUnavailable:
        refusal = services.SignInUnavailable()
        if request is not None:
            request.signin_retry_after = refusal.retry_after
            request.signin_status = 503
        return refusal
