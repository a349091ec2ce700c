from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class SignInLockedStatus:
    """A sign-in refused by the rule is answered 429 with Retry-After, whichever view showed the form
    (503 when the rule's counters could not be reached)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        retry_after = getattr(request, "signin_retry_after", None)
        if retry_after and response.status_code == 200:
            response.status_code = getattr(request, "signin_status", 429)
            response["Retry-After"] = str(retry_after)
        return response
