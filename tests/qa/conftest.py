import pytest

from qa import services
from sessions.models import Participant
from sessions.services import participant_join


@pytest.fixture
def join(event):
    def make(name=None, mode="online") -> Participant:
        participant, token = participant_join(event=event, name=name, mode=mode)
        participant.token = token
        return participant

    return make


@pytest.fixture
def ask(event, roundtable):
    def make(participant, text="How will payers afford one-shot gene therapies?", anonymous=True, session=None):
        return services.question_ask(
            participant_id=participant.pk,
            event_id=event.pk,
            session_id=(session or roundtable).pk,
            text=text,
            anonymous=anonymous,
        )

    return make


@pytest.fixture
def approved(ask, event):
    def make(participant, text="How will payers afford one-shot gene therapies?"):
        question = ask(participant, text=text)
        return services.question_moderate(
            event_id=event.pk, question_id=question.pk, action="approve", actor="moderator", role="moderator"
        )

    return make
