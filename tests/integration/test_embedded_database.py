"""The embedded default (SQLite, no Redis) takes the same writes as PostgreSQL: votes and answers."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration

SCRIPT = """
import json
from polls import services as polls
from polls.selectors import poll_results
from qa import services as qa
from qa.models import Question
from sessions.models import Event, Session
from sessions.services import participant_join

event = Event.objects.get(code="SFH2022")
session = Session.objects.filter(event=event).first()
people = [participant_join(event=event, name=f"P{i}", mode=("room" if i % 2 else "online"))[0] for i in range(3)]
question = qa.question_ask(participant_id=people[0].pk, event_id=event.pk, session_id=session.pk,
                           text="Who pays for one-shot gene therapies?", anonymous=True)
qa.question_moderate(event_id=event.pk, question_id=question.pk, action="approve", actor="Mo", role="moderator")
def vote(who, up):
    return qa.question_vote(participant_id=who.pk, event_id=event.pk, question_id=question.pk, up=up)
replies = [vote(people[1], True), vote(people[2], True), vote(people[1], True), vote(people[2], False)]
totals = qa.recount_votes(event_id=event.pk, question_ids=[question.pk])
poll = polls.poll_create(event_id=event.pk, actor="Mo", kind="single", session_id=session.pk,
                         prompt="Who should pay?", options=["Insurers", "Industry"])
poll = polls.poll_open(event_id=event.pk, poll_id=poll.pk, actor="Mo")
first, second = (option.pk for option in poll.options.all())
for p in people:
    polls.poll_respond(participant_id=p.pk, event_id=event.pk, poll_id=poll.pk, options=[first])
polls.poll_respond(participant_id=people[0].pk, event_id=event.pk, poll_id=poll.pk, options=[second])
results = poll_results(poll, for_moderators=False)
print("RESULT " + json.dumps({"replies": replies, "votes": totals[question.pk][0],
      "total": results["total"], "counts": results["counts"], "split": results["split"]}))
"""


def test_sqlite_takes_votes_and_answers(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env["SQLITE_PATH"] = str(tmp_path / "embedded.sqlite3")

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        )

    manage("migrate", "--noinput", "-v0")
    manage("seed_demo")
    out = manage("shell", "-c", SCRIPT).stdout
    result = json.loads(out.split("RESULT ", 1)[1])
    assert result["replies"] == [[1, True], [2, True], [2, True], [1, False]]
    assert result["votes"] == 1
    assert result["total"] == 3
    first, second = sorted(result["counts"], key=int)
    assert result["counts"] == {first: 2, second: 1}
    assert result["split"]["online"]["total"] == 2 and result["split"]["room"]["total"] == 1
