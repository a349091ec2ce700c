"""Q&A reads: what a moderator's copy of a question offers."""

import pytest
from django.db import transaction

from livehub.errors import Conflict
from qa import services
from qa.models import Question
from qa.schemas import MODERATION
from qa.selectors import moderator_payload

pytestmark = pytest.mark.django_db

# Every state a question can be in, highlighted where it can be, merged where it can be.
CASES = [(state, False, False) for state in Question.State.values]
CASES += [("approved", True, False), ("answered", True, False), ("archived", False, True)]


class Undo(Exception):
    pass


def accepted(event, question) -> list[str]:
    """The actions `question_moderate` applies to the question as it is (each one undone)."""
    found = []
    for action in MODERATION:
        try:
            with transaction.atomic():
                services.question_moderate(
                    event_id=event.pk, question_id=question.pk, action=action, actor="Mo", role="moderator"
                )
                raise Undo
        except Undo:
            found.append(action)
        except Conflict:
            pass
    return found


@pytest.mark.parametrize(("state", "highlighted", "merged"), CASES)
def test_a_moderators_copy_offers_exactly_the_actions_the_server_accepts(event, join, ask, state, highlighted, merged):
    other = ask(join(), "Who pays for gene therapy in the end?")
    question = ask(join())
    Question.objects.filter(pk=question.pk).update(
        state=state, highlighted=highlighted, merged_into=other if merged else None
    )
    question.refresh_from_db()
    offered = moderator_payload(question)["actions"]
    assert offered == accepted(event, question)
