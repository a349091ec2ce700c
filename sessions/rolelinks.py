"""Role links for moderators, speakers and the projector: `?key=...` on a page or the socket.

Each link handed out is recorded (staff.RoleLink: event, role, expiry, who issued it), and its
key carries that row's id, its event, role and expiry, signed with the site's SECRET_KEY salted
with the event's link secret. Revoking the row refuses that one link; rotating the secret
refuses them all. A key without a recorded id (signed before links were recorded) is refused.
"""

import time
from datetime import UTC, datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.utils.translation import gettext as _

from livehub.errors import Unauthorized
from staff.models import RoleLink
from staff.services import role_link_issue

from .models import Event, EventRole

# The page each role's link opens. "screen" is for the projector: it only reads the public stream.
ROLE_PAGES = {EventRole.Role.MODERATOR: "moderate", EventRole.Role.SPEAKER: "stage", "screen": "screen"}
MAX_HOURS = 24 * 14


def _salt(event: Event) -> str:
    return f"livehub.rolelink:{event.pk}:{event.link_secret}"


def role_key_make(
    *, event: Event, role: str, hours: float, issued_by: AbstractBaseUser | None = None, issued_via: str = ""
) -> str:
    """Record a new link and return its key."""
    if role not in ROLE_PAGES:
        raise ValueError(f"role must be one of {', '.join(ROLE_PAGES)}")
    if not 0 < hours <= MAX_HOURS:
        raise ValueError(f"hours must be between 0 and {MAX_HOURS}")
    expires = int(time.time() + hours * 3600)
    link = role_link_issue(
        event=event,
        role=role,
        expires_at=datetime.fromtimestamp(expires, UTC),
        issued_by=issued_by,
        issued_via=issued_via,
    )
    return signing.dumps({"e": event.code, "r": role, "x": expires, "i": link.pk}, salt=_salt(event))


def role_key_read(*, event: Event, key: str) -> str:
    """The role a key grants on this event; Unauthorized when forged, revoked or expired."""
    try:
        claims = signing.loads(key, salt=_salt(event))
    except signing.BadSignature:
        raise Unauthorized(_("This role link is not valid for this event (or was revoked).")) from None
    if not isinstance(claims, dict) or claims.get("e") != event.code or claims.get("r") not in ROLE_PAGES:
        raise Unauthorized(_("This role link is not valid for this event."))
    if not isinstance(claims.get("x"), int) or claims["x"] < time.time():
        raise Unauthorized(_("This role link has expired; ask the organisers for a new one."))
    link_id = claims.get("i")
    recorded = (
        RoleLink.objects.filter(pk=link_id, event_id=event.pk, role=claims["r"]).values_list("revoked_at").first()
        if isinstance(link_id, int) and not isinstance(link_id, bool) and 0 < link_id < 2**63
        else None
    )
    if recorded is None:
        raise Unauthorized(_("This role link is not valid for this event (or was revoked)."))
    if recorded[0] is not None:
        raise Unauthorized(_("This role link was revoked; ask the organisers for a new one."))
    return claims["r"]


def role_link_url(
    *, event: Event, role: str, hours: float, issued_by: AbstractBaseUser | None = None, issued_via: str = ""
) -> str:
    key = role_key_make(event=event, role=role, hours=hours, issued_by=issued_by, issued_via=issued_via)
    return f"{settings.LIVEHUB_BASE_URL}/e/{event.code}/{ROLE_PAGES[role]}/?{urlencode({'key': key})}"
