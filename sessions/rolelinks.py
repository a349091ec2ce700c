"""Signed role links for moderators and speakers: `?key=...` on a page or the socket.

A key names its event and role and carries its own expiry. It is signed with the site's
SECRET_KEY salted with the event's link secret, so rotating that secret revokes every link.
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing

from livehub.errors import Unauthorized

from .models import Event, EventRole

# The page each role's link opens. "screen" is for the projector: it only reads the public stream.
ROLE_PAGES = {EventRole.Role.MODERATOR: "moderate", EventRole.Role.SPEAKER: "stage", "screen": "screen"}
MAX_HOURS = 24 * 14


def _salt(event: Event) -> str:
    return f"livehub.rolelink:{event.pk}:{event.link_secret}"


def role_key_make(*, event: Event, role: str, hours: float) -> str:
    if role not in ROLE_PAGES:
        raise ValueError(f"role must be one of {', '.join(ROLE_PAGES)}")
    if not 0 < hours <= MAX_HOURS:
        raise ValueError(f"hours must be between 0 and {MAX_HOURS}")
    expires = int(time.time() + hours * 3600)
    return signing.dumps({"e": event.code, "r": role, "x": expires}, salt=_salt(event))


def role_key_read(*, event: Event, key: str) -> str:
    """The role a key grants on this event; Unauthorized when forged, revoked or expired."""
    try:
        claims = signing.loads(key, salt=_salt(event))
    except signing.BadSignature:
        raise Unauthorized("This role link is not valid for this event (or was revoked).") from None
    if not isinstance(claims, dict) or claims.get("e") != event.code or claims.get("r") not in ROLE_PAGES:
        raise Unauthorized("This role link is not valid for this event.")
    if not isinstance(claims.get("x"), int) or claims["x"] < time.time():
        raise Unauthorized("This role link has expired; ask the organisers for a new one.")
    return claims["r"]


def role_link_url(*, event: Event, role: str, hours: float) -> str:
    key = role_key_make(event=event, role=role, hours=hours)
    return f"{settings.LIVEHUB_BASE_URL}/e/{event.code}/{ROLE_PAGES[role]}/?{urlencode({'key': key})}"
