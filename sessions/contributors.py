"""What the other apps keep of an event, each registered by the app that owns it.

The programme knows nothing of questions or polls: when the organiser purges an event's
audience data, or the demo congress is seeded, it asks every registered app to do its part
(as the snapshot asks its contributors, livehub/realtime/snapshot.py). Apps register in their
`AppConfig.ready`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.functional import Promise

from .models import Event

Counts = dict[str, int]
StrOrPromise = str | Promise


@dataclass(frozen=True)
class AudienceData:
    """One app's rows written by an event's audience (questions and votes, poll answers).

    Each callable takes `event=` and runs inside the purge's transaction, before the event's
    participants are deleted or made nameless.
    """

    # The counts its purge reports, in the order the organiser reads them (missing ones are 0).
    counts: tuple[str, ...]
    # Deletes every row.
    delete: Callable[..., Counts]
    # Keeps what the results need and cuts every link to a person, but for `participants_kept`.
    anonymise: Callable[..., Counts]
    # The ids of the participants its anonymised rows still point at: their rows stay, nameless.
    participants_kept: Callable[..., QuerySet] | None = None
    # The ids of the event's sessions its rows belong to: an agenda import never deletes those.
    sessions_holding: Callable[..., QuerySet] | None = None
    # What an organiser reads when a session holds these rows ("questions"), translated.
    label: StrOrPromise = ""


_audience_data: dict[str, AudienceData] = {}
_demo_content: dict[str, Callable[[Event], None]] = {}


def audience_data_register(name: str, data: AudienceData) -> None:
    _audience_data[name] = data


def audience_data() -> list[AudienceData]:
    """Every app's audience data, in the order the apps registered."""
    return list(_audience_data.values())


def sessions_holding_audience_data(*, event: Event) -> dict[int, list[str]]:
    """The event's sessions that hold some app's audience data, each with what it holds
    (the names the apps registered with, e.g. "questions")."""
    holding: dict[int, list[str]] = {}
    for name, data in _audience_data.items():
        if data.sessions_holding is not None:
            for session_id in data.sessions_holding(event=event):
                holding.setdefault(session_id, []).append(name)
    return holding


def audience_data_label(name: str) -> str:
    """What the organiser reads for the app's data registered as `name`, in the active language."""
    data = _audience_data.get(name)
    return str(data.label) if data is not None and data.label else name


def demo_content_register(name: str, seed: Callable[[Event], None]) -> None:
    """`seed(event)` adds the app's part of the demo congress; running it again changes nothing."""
    _demo_content[name] = seed


def demo_content() -> list[Callable[[Event], None]]:
    return list(_demo_content.values())
