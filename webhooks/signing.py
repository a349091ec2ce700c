"""The signature a receiver checks: HMAC-SHA256 of `{timestamp}.{raw body}` with the endpoint's
secret. The timestamp is inside the signed text, so a captured request cannot be replayed later
with a fresh timestamp (docs/webhooks.md, "Verifying a delivery")."""

import hashlib
import hmac

SIGNATURE_HEADER = "X-LiveHub-Signature"
TIMESTAMP_HEADER = "X-LiveHub-Timestamp"
DELIVERY_HEADER = "X-LiveHub-Delivery"
TYPE_HEADER = "X-LiveHub-Event-Type"


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(*, secret: str, timestamp: str, body: bytes, header: str, now: float, tolerance: float = 300) -> bool:
    """What a receiver does (documented, and used by the tests' receiver)."""
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent_at) > tolerance:
        return False
    return hmac.compare_digest(signature(secret=secret, timestamp=sent_at, body=body), header)
