"""GET /api/events/{code}/sessions/{id}/questions: public questions only, in the asked order."""

import pytest

from qa import services
from qa.models import Question

pytestmark = pytest.mark.django_db(transaction=True)


def test_public_questions_by_votes_or_time_with_answered_last(client, event, roundtable, join, ask, approved):
    low = approved(join(), "low votes?")
    high = approved(join(), "high votes?")
    answered = approved(join(), "answered already?")
    newest = approved(join(), "newest question?")
    ask(join(), text="still pending?")
    for question, votes in ((high, 5), (answered, 9), (newest, 1)):
        Question.objects.filter(pk=question.pk).update(vote_count=votes)
    services.question_moderate(
        event_id=event.pk, question_id=answered.pk, action="answer", actor="Mo", role="moderator"
    )
    url = f"/api/events/SFH2022/sessions/{roundtable.pk}/questions"
    top = client.get(url).json()["questions"]
    assert [q["id"] for q in top] == [high.pk, newest.pk, low.pk, answered.pk]
    recent = client.get(f"{url}?order=recent").json()["questions"]
    assert [q["id"] for q in recent] == [newest.pk, high.pk, low.pk, answered.pk]
    assert all("mine" not in q and "flagged" not in q for q in top)


def test_unknown_session_and_bad_order(client, event, roundtable):
    assert client.get("/api/events/SFH2022/sessions/999999/questions").status_code == 404
    response = client.get(f"/api/events/SFH2022/sessions/{roundtable.pk}/questions?order=loudest")
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid"
