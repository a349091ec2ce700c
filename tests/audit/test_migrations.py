"""The audit log moved from the Q&A app to its own: an installation keeps every entry."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("qa", "0003_question_rejection_reason")


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


def test_the_entries_written_before_the_move_are_the_log_after_it(event):
    old = migrate([BEFORE, ("audit", None)]).loader.project_state([BEFORE]).apps
    try:
        question = old.get_model("qa", "Question").objects.create(
            event_id=event.pk, session_id=event.sessions.first().pk, text="Who pays?"
        )
        logged = old.get_model("qa", "ModerationAction")
        logged.objects.create(event_id=event.pk, question_id=question.pk, actor="Mo", action="approve")
        logged.objects.create(event_id=event.pk, actor="Mo", action="poll_create", detail={"poll": 1})
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # the rest of the suite needs it
    from audit.models import ModerationAction

    kept = ModerationAction.objects.filter(event=event).order_by("id")
    assert list(kept.values_list("action", "question_id", "detail")) == [
        ("approve", question.pk, {}),
        ("poll_create", None, {"poll": 1}),
    ]
