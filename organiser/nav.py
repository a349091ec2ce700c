"""The per-event navigation of the organiser pages: (URL name, label). To add a page, add a line."""

from django.utils.translation import gettext_lazy as _

EVENT_NAV = [
    ("organiser:settings", _("Settings")),
    ("organiser:rooms", _("Rooms")),
    ("organiser:sessions", _("Sessions")),
    ("organiser:speakers", _("Speakers")),
    ("organiser:people", _("People")),
    ("organiser:agenda", _("Agenda import")),
    ("organiser:polls", _("Polls")),
    ("organiser:blocklist", _("Block list")),
    ("organiser:look", _("Look")),
    ("organiser:webhooks", _("Webhooks")),
    ("organiser:clone", _("Clone")),
    ("web:report", _("Report")),
]
