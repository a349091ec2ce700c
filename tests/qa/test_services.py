"""Q&A services: every action and every refusal, with exact arithmetic."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from audit.models import ModerationAction
from livehub.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from qa import services
from qa.models import BlockedWord, Question, Vote
from sessions.models import Session

pytestmark = pytest.mark.django_db(transaction=True)


def moderate(event, question, action, role="moderator"):
    return services.question_moderate(event_id=event.pk, question_id=question.pk, action=action, actor="Mo", role=role)


# --- asking -------------------------------------------------------------------------------------


def test_a_new_question_awaits_moderation_and_is_anonymous_by_default(join, ask):
    question = ask(join("Ana"))
    assert question.state == "pending" and question.author_name == ""


def test_a_named_question_carries_the_participants_name(join, ask):
    assert ask(join("Ana"), anonymous=False).author_name == "Ana"


def test_auto_approve_makes_questions_public_at_once(event, join, ask):
    event.auto_approve = True
    event.save()
    assert ask(join()).state == "approved"


def test_a_question_with_a_blocked_word_is_flagged_and_never_auto_approved(event, join, ask):
    event.auto_approve = True
    event.save()
    question = ask(join(), text="Why is this pricing such BULLSHIT?")
    assert question.state == "pending" and question.flagged_words == ["bullshit"]


def test_new_events_get_the_default_block_list(event, another_event):
    words = set(BlockedWord.objects.filter(event=another_event).values_list("word", flat=True))
    assert {"merde", "klootzak", "fuck"} <= words
    assert "kanker" not in words  # Dutch for cancer, at a health congress


@pytest.mark.parametrize("text", ["", "  ", "ab", "  ab  ", "x" * 501])
def test_text_outside_3_to_500_characters_is_invalid(join, ask, text):
    with pytest.raises(Invalid) as error:
        ask(join(), text=text)
    assert "text" in error.value.fields
    assert Question.objects.count() == 0


def test_text_is_trimmed_but_otherwise_kept_as_typed(join, ask):
    typed = "<script>alert('x')</script> ‮RTL‬ zero\u200bwidth 🧬 " + "a" * 300
    assert ask(join(), text=f"   {typed}  \n").text == typed


def test_asking_in_an_ended_session_is_a_conflict(event, join, ask, roundtable):
    Session.objects.filter(pk=roundtable.pk).update(status="ended")
    with pytest.raises(Conflict):
        ask(join())


@pytest.mark.parametrize("status", ["scheduled", "live", "paused"])
def test_asking_while_the_session_is_not_over_is_allowed(join, ask, roundtable, status):
    Session.objects.filter(pk=roundtable.pk).update(status=status)
    assert ask(join()).pk


def test_asking_in_a_session_of_another_event_is_not_found(join, ask, another_event):
    foreign = Session.objects.create(
        event=another_event, title="x", starts_at="2023-01-01T10:00Z", ends_at="2023-01-01T11:00Z"
    )
    with pytest.raises(NotFound):
        ask(join(), session=foreign)


def test_an_event_that_requires_names_refuses_anonymous_questions(event, join, ask):
    event.require_names = True
    event.save()
    with pytest.raises(Invalid):
        ask(join("Ana"), anonymous=True)
    with pytest.raises(Invalid):
        ask(join(None), anonymous=False)
    assert ask(join("Ana"), anonymous=False).author_name == "Ana"


def test_a_fourth_question_within_a_minute_is_rate_limited(join, ask):
    asker = join()
    first = ask(asker, text="first question")
    ask(asker, text="second question")
    ask(asker, text="third question")
    with pytest.raises(RateLimited) as error:
        ask(asker, text="fourth question")
    assert 0 < error.value.retry_after <= 60
    Question.objects.filter(pk=first.pk).update(created_at=first.created_at - timedelta(minutes=2))
    assert ask(asker, text="fourth question, a minute later").pk


# --- voting -------------------------------------------------------------------------------------


def vote(event, participant, question, up=True):
    return services.question_vote(participant_id=participant.pk, event_id=event.pk, question_id=question.pk, up=up)


@pytest.fixture(params=["postgresql", "portable"])
def vote_path(request, monkeypatch):
    """Both ways of voting: one statement on PostgreSQL, the ORM for the embedded SQLite."""
    if request.param == "portable":
        monkeypatch.setattr(services, "one_statement", lambda: False)
    return request.param


def test_votes_toggle_and_count_once_per_participant(event, join, approved, vote_path):
    question = approved(join())
    voter = join()
    assert vote(event, voter, question) == (1, True)
    assert vote(event, voter, question) == (1, True)  # again: still one
    assert vote(event, voter, question, up=False) == (0, False)
    assert vote(event, voter, question, up=False) == (0, False)
    assert Vote.objects.count() == 0


def test_a_participant_who_is_gone_cannot_vote(event, join, approved, vote_path):
    question = approved(join())
    voter = join()
    type(voter).objects.filter(pk=voter.pk).delete()  # the instance keeps its id
    for up in (True, False):
        with pytest.raises(Forbidden, match="join again"):
            vote(event, voter, question, up=up)
    assert Vote.objects.count() == 0


def test_the_count_in_the_reply_includes_everyone_elses_votes(event, join, approved, vote_path):
    question = approved(join())
    first, second = join(), join()
    assert vote(event, first, question) == (1, True)
    assert vote(event, second, question) == (2, True)
    assert vote(event, first, question, up=False) == (1, False)


@pytest.mark.parametrize("state", ["pending", "rejected", "archived"])
def test_voting_on_a_question_that_is_not_public_is_a_conflict(event, join, ask, state, vote_path):
    question = ask(join())
    Question.objects.filter(pk=question.pk).update(state=state)
    with pytest.raises(Conflict):
        vote(event, join(), question)
    with pytest.raises(Conflict):
        vote(event, join(), question, up=False)
    assert Vote.objects.count() == 0


def test_voting_on_a_question_of_another_event_or_none_is_not_found(event, another_event, join, approved, vote_path):
    question = approved(join())
    with pytest.raises(NotFound):
        services.question_vote(participant_id=join().pk, event_id=another_event.pk, question_id=question.pk, up=True)
    with pytest.raises(NotFound):
        services.question_vote(participant_id=join().pk, event_id=event.pk, question_id=question.pk + 999, up=True)
    assert Vote.objects.count() == 0


def test_an_ended_sessions_questions_are_kept_as_they_were_votes_included(event, join, approved, vote_path):
    question = approved(join())
    voter = join()
    assert vote(event, voter, question) == (1, True)
    Session.objects.filter(pk=question.session_id).update(status=Session.Status.ENDED)
    for up, who in ((True, join()), (False, voter)):
        with pytest.raises(Conflict, match="has ended"):
            vote(event, who, question, up=up)
    assert Vote.objects.filter(question=question).count() == 1


def test_voting_on_an_answered_question_is_allowed(event, join, approved, vote_path):
    question = approved(join())
    moderate(event, question, "answer")
    assert vote(event, join(), question) == (1, True)


def test_authors_may_not_upvote_their_own_unless_the_event_allows_it(event, join, approved, vote_path):
    author = join()
    question = approved(author)
    with pytest.raises(Conflict):
        vote(event, author, question)
    assert vote(event, author, question, up=False) == (0, False)  # withdrawing nothing is fine
    event.allow_self_votes = True
    event.save()
    assert vote(event, author, question) == (1, True)


def test_fifty_participants_voting_at_once_give_exactly_fifty(event, join, approved):
    question = approved(join())
    voters = [join() for _ in range(50)]
    barrier = threading.Barrier(50)
    errors, replies = [], []

    def cast(voter):
        try:
            barrier.wait()
            replies.append(vote(event, voter, question))
            vote(event, voter, question)  # a double click on top
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=cast, args=(voter,)) for voter in voters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Vote.objects.filter(question=question).count() == 50
    # Each saw its own vote and those committed before it (not yet the flushed total).
    assert len(replies) == 50 and all(1 <= votes <= 50 and voted for votes, voted in replies)
    assert services.recount_votes(event_id=event.pk) == {question.pk: (50, "approved")}
    question.refresh_from_db()
    assert question.vote_count == 50


def _in_open_transaction(work, *, release: threading.Event, done: threading.Event):
    """Run `work` in a transaction on another connection and keep it open until `release`."""
    from django.db import transaction

    def run():
        try:
            with transaction.atomic():
                work()
                done.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_vote_does_not_wait_for_another_vote_on_the_same_question(event, join, approved):
    question = approved(join())
    first, second = join(), join()
    release, done = threading.Event(), threading.Event()
    thread = _in_open_transaction(lambda: vote(event, first, question), release=release, done=done)
    try:
        assert done.wait(10)
        from django.db import transaction

        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '500ms'")  # a queue on the row would fail here
            assert vote(event, second, question) == (1, True)  # the first is not committed yet
    finally:
        release.set()
        thread.join()
    assert Vote.objects.filter(question=question).count() == 2


def test_a_rejection_waits_for_the_votes_in_flight_and_counts_them(event, join, approved):
    question = approved(join())
    voter = join()
    release, done = threading.Event(), threading.Event()
    thread = _in_open_transaction(lambda: vote(event, voter, question), release=release, done=done)
    assert done.wait(10)
    rejected = []

    def reject():
        try:
            rejected.append(moderate(event, question, "reject"))
        finally:
            connection.close()

    moderator = threading.Thread(target=reject)
    moderator.start()
    try:
        with connection.cursor() as cursor:
            for _ in range(100):  # until the moderator's lock request queues behind the vote
                cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
                if cursor.fetchone()[0]:
                    break
                threading.Event().wait(0.05)
            else:
                pytest.fail("the rejection did not wait for the vote in flight")
        assert not rejected
    finally:
        release.set()
        thread.join()
        moderator.join()
    assert rejected[0].state == "rejected" and rejected[0].vote_count == 1  # the vote counted, exactly
    with pytest.raises(Conflict):
        vote(event, join(), question)  # and none after it


def test_recounting_repairs_a_stale_total_and_healing_recounts(event, join, approved, monkeypatch):
    from livehub.realtime.healing import healer

    question = approved(join())
    vote(event, join(), question)
    vote(event, join(), question)
    Question.objects.filter(pk=question.pk).update(vote_count=7)  # a flush lost with its process
    monkeypatch.setattr(healer, "mark", lambda event_id: healer._events.add(event_id))  # no thread
    healer.mark(event.pk)
    assert healer.heal_now()
    question.refresh_from_db()
    assert question.vote_count == 2


# --- moderating ---------------------------------------------------------------------------------


ALLOWED = [
    ("pending", "approve", "approved"),
    ("rejected", "approve", "approved"),
    ("pending", "reject", "rejected"),
    ("approved", "reject", "rejected"),
    ("approved", "answer", "answered"),
    ("pending", "archive", "archived"),
    ("approved", "archive", "archived"),
    ("answered", "archive", "archived"),
    ("rejected", "archive", "archived"),
    ("archived", "restore", "approved"),
    ("rejected", "restore", "approved"),
]
REFUSED = [
    ("approved", "approve"),
    ("answered", "approve"),
    ("archived", "approve"),
    ("rejected", "reject"),
    ("archived", "reject"),
    ("answered", "reject"),
    ("pending", "answer"),
    ("answered", "answer"),
    ("rejected", "answer"),
    ("archived", "archive"),
    ("pending", "restore"),
    ("approved", "restore"),
    ("pending", "highlight"),
    ("rejected", "highlight"),
    ("archived", "highlight"),
    ("approved", "unhighlight"),
    ("answered", "highlight"),
]


@pytest.mark.parametrize(("start", "action", "end"), ALLOWED)
def test_moderation_action(event, join, ask, start, action, end):
    question = ask(join())
    Question.objects.filter(pk=question.pk).update(state=start)
    assert moderate(event, question, action).state == end
    entry = ModerationAction.objects.get()
    assert (entry.action, entry.actor, entry.question_id) == (action, "Mo", question.pk)


@pytest.mark.parametrize(("start", "action"), REFUSED)
def test_impossible_moderation_is_a_conflict_and_logs_nothing(event, join, ask, start, action):
    question = ask(join())
    Question.objects.filter(pk=question.pk).update(state=start)
    with pytest.raises(Conflict):
        moderate(event, question, action)
    assert Question.objects.get(pk=question.pk).state == start
    assert ModerationAction.objects.count() == 0


def test_one_highlighted_question_per_session(event, join, approved):
    first, second = approved(join(), "first question?"), approved(join(), "second question?")
    moderate(event, first, "highlight")
    moderate(event, second, "highlight")
    assert list(Question.objects.filter(highlighted=True).values_list("pk", flat=True)) == [second.pk]
    moderate(event, second, "unhighlight")
    assert not Question.objects.filter(highlighted=True).exists()


def test_answering_or_archiving_takes_the_highlight_away(event, join, approved):
    question = approved(join())
    moderate(event, question, "highlight")
    assert moderate(event, question, "answer").highlighted is False


@pytest.mark.parametrize("action", ["highlight", "answer"])
def test_speakers_may_highlight_and_answer(event, join, approved, action):
    assert moderate(event, approved(join()), action, role="speaker")


@pytest.mark.parametrize("action", ["approve", "reject", "archive", "restore"])
def test_speakers_may_not_curate(event, join, ask, action):
    question = ask(join())
    with pytest.raises(Forbidden):
        moderate(event, question, action, role="speaker")


def test_editing_keeps_the_original_and_marks_the_question_edited(event, join, approved):
    question = approved(join(), "how will payers aford it")
    services.question_edit(event_id=event.pk, question_id=question.pk, text="How will payers afford it?", actor="Mo")
    services.question_edit(event_id=event.pk, question_id=question.pk, text="How will payers afford them?", actor="Mo")
    question.refresh_from_db()
    assert question.text == "How will payers afford them?"
    assert question.original_text == "how will payers aford it"


def test_editing_refusals(event, join, approved):
    question = approved(join(), "same text?")
    with pytest.raises(Conflict):
        services.question_edit(event_id=event.pk, question_id=question.pk, text="same text?", actor="Mo")
    with pytest.raises(Invalid):
        services.question_edit(event_id=event.pk, question_id=question.pk, text="no", actor="Mo")
    moderate(event, question, "archive")
    with pytest.raises(Conflict):
        services.question_edit(event_id=event.pk, question_id=question.pk, text="new text?", actor="Mo")


def test_merging_joins_votes_without_counting_anyone_twice(event, join, approved):
    target, duplicate = approved(join(), "Who pays for gene therapy?"), approved(join(), "Who pays for gene therapies?")
    both, only_target, only_duplicate = join(), join(), join()
    for voter in (both, only_target):
        vote(event, voter, target)
    for voter in (both, only_duplicate):
        vote(event, voter, duplicate)
    merged = services.question_merge(event_id=event.pk, question_id=duplicate.pk, into_id=target.pk, actor="Mo")
    assert merged.vote_count == 3 == Vote.objects.filter(question=target).count()
    duplicate.refresh_from_db()
    assert (duplicate.state, duplicate.merged_into_id, duplicate.vote_count) == ("archived", target.pk, 0)
    assert not Vote.objects.filter(question=duplicate).exists()


def test_merge_refusals(event, join, approved, ask, roundtable):
    target, duplicate = approved(join(), "question one?"), approved(join(), "question two?")
    with pytest.raises(Invalid):
        services.question_merge(event_id=event.pk, question_id=target.pk, into_id=target.pk, actor="Mo")
    services.question_merge(event_id=event.pk, question_id=duplicate.pk, into_id=target.pk, actor="Mo")
    with pytest.raises(Conflict):
        services.question_merge(event_id=event.pk, question_id=duplicate.pk, into_id=target.pk, actor="Mo")
    with pytest.raises(Conflict):  # restoring a merged question would resurrect moved votes
        moderate(event, Question.objects.get(pk=duplicate.pk), "restore")
    debate = event.sessions.get(kind="debate")
    elsewhere = ask(join(), text="another session?", session=debate)
    with pytest.raises(Conflict):
        services.question_merge(event_id=event.pk, question_id=elsewhere.pk, into_id=target.pk, actor="Mo")


def test_auto_approve_switch_is_logged(event):
    services.event_set_moderation(event_id=event.pk, auto_approve=True, actor="Mo")
    event.refresh_from_db()
    assert event.auto_approve
    assert ModerationAction.objects.get().action == "auto_approve_on"


def test_similar_questions_are_offered_for_pending_ones(event, join, approved, ask):
    from qa.selectors import moderator_payload

    existing = approved(join(), "How can gene therapies become affordable for patients?")
    approved(join(), "What about manufacturing capacity in Belgium?")
    pending = ask(join(), text="How can gene therapies be made affordable for patients?")
    pending.event = event
    similar = moderator_payload(pending)["similar"]
    assert [item["id"] for item in similar] == [existing.pk]


def test_an_author_may_always_withdraw_their_own_vote(event, join, approved, vote_path):
    author = join()
    question = approved(author)
    event.allow_self_votes = True
    event.save()
    vote(event, author, question)
    event.allow_self_votes = False
    event.save()
    assert vote(event, author, question, up=False) == (0, False)


def test_restoring_an_answered_then_archived_question_clears_its_answer_time(event, join, approved):
    question = approved(join())
    moderate(event, question, "answer")
    moderate(event, question, "archive")
    restored = moderate(event, question, "restore")
    assert (restored.state, restored.answered_at) == ("approved", None)


def test_a_rejection_keeps_its_reason_until_the_question_is_published(event, join, ask):
    question = ask(join())
    rejected = services.question_moderate(
        event_id=event.pk, question_id=question.pk, action="reject", actor="m", role="moderator", reason="duplicate"
    )
    assert rejected.rejection_reason == "duplicate"
    assert ModerationAction.objects.filter(question=question, action="reject").get().detail == {"reason": "duplicate"}
    assert moderate(event, question, "approve").rejection_reason == ""


def test_only_a_rejection_takes_a_reason(event, join, ask):
    question = ask(join())
    with pytest.raises(Invalid):
        services.question_moderate(
            event_id=event.pk,
            question_id=question.pk,
            action="approve",
            actor="m",
            role="moderator",
            reason="duplicate",
        )
    question.refresh_from_db()
    assert question.state == "pending"
