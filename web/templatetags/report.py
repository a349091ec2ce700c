"""Filters of the post-event report's template."""

from typing import Any

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def duration(seconds: int | None) -> str:
    """A wait as people say it: "45 s", "2 min 5 s", "1 h 3 min"; "—" when there is none."""
    if seconds is None:
        return "—"
    minutes, rest = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return gettext("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return gettext("%(minutes)d min %(seconds)d s") % {"minutes": minutes, "seconds": rest}
    return gettext("%(seconds)d s") % {"seconds": rest}


@register.filter
def has_top(sessions: list[dict[str, Any]]) -> bool:
    return any(session["top"] for session in sessions)


@register.filter
def action_label(labels: dict[str, str], action: str) -> str:
    return labels.get(f"action_{action}", action)
