"""Errors of the domain. Services raise them; the socket and the HTTP API map each to the
contract's error code in one place (`code` is that code)."""

from typing import Any


class DomainError(Exception):
    code = "error"
    http_status = 400

    def __init__(self, message: str, *, fields: dict[str, str] | None = None) -> None:
        # str(): a lazily translated message is read now, in the language of the person it answers.
        message = str(message)
        super().__init__(message)
        self.message = message
        self.fields = {name: str(text) for name, text in (fields or {}).items()}

    def as_dict(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = self.fields
        return error


class BadRequest(DomainError):
    code = "bad_request"


class UnknownType(DomainError):
    code = "unknown_type"


class Invalid(DomainError):
    code = "invalid"
    http_status = 422


class Forbidden(DomainError):
    code = "forbidden"
    http_status = 403


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class Conflict(DomainError):
    code = "conflict"
    http_status = 409


class TooLarge(DomainError):
    code = "too_large"
    http_status = 413


class RateLimited(DomainError):
    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "retry_after": round(self.retry_after, 2)}


class Unavailable(DomainError):
    """A service the command needs (database, Redis) did not answer; retrying is safe."""

    code = "unavailable"
    http_status = 503


class Unauthorized(DomainError):
    """No credentials, or credentials that do not hold (socket close code 4401)."""

    code = "unauthorized"
    http_status = 401


class Internal(DomainError):
    """A bug on our side: the client gets this code, the log gets the traceback."""

    code = "internal"
    http_status = 500
