from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

API_PREFIX = "/api/"
PLAIN_ERRORS = {
    404: ("not_found", "There is no such API endpoint."),
    405: ("method_not_allowed", "This endpoint does not accept that method."),
}


class JsonApiErrors:
    """Under /api/ every error is JSON in the contract's shape, also Django's own 404 and 405."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code in PLAIN_ERRORS
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = PLAIN_ERRORS[response.status_code]
            json_response = JsonResponse({"error": {"code": code, "message": message}}, status=response.status_code)
            if response.has_header("Allow"):
                json_response["Allow"] = response["Allow"]
            return json_response
        return response
