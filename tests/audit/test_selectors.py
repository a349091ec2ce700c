"""The console's log: moderators see the latest entries, newest first; nobody else sees any."""

import pytest

from audit.models import ModerationAction
from audit.schemas import AUDIT
from audit.selectors import audit_snapshot
from livehub.realtime.registry import CommandContext

pytestmark = pytest.mark.django_db


def context(event, role):
    return CommandContext(event_id=event.pk, event_code=event.code, role=role, actor=f"test:{role}")


def test_moderators_get_the_latest_entries_newest_first(event, another_event):
    for number in range(AUDIT.max + 5):
        ModerationAction.objects.create(event=event, actor="Mo", action="poll_create", detail={"poll": number})
    ModerationAction.objects.create(event=another_event, actor="Zed", action="poll_create", detail={"poll": -1})
    entries = audit_snapshot(context(event, "moderator"))["audit"]
    assert [entry["detail"]["poll"] for entry in entries] == list(range(AUDIT.max + 4, 4, -1))
    assert entries[0]["actor"] == "Mo" and entries[0]["action"] == "poll_create" and entries[0]["question"] is None


@pytest.mark.parametrize("role", ["attendee", "speaker", "screen"])
def test_no_one_else_gets_the_log(event, role):
    ModerationAction.objects.create(event=event, actor="Mo", action="auto_approve_on")
    assert "audit" not in audit_snapshot(context(event, role))
