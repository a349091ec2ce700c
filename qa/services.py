"""Writes of the Q&A. Each persists in one transaction and publishes after commit.

Nested in a command's transaction (with its receipt), a service takes no savepoint: it applies
in full or raises, and the whole transaction rolls back with it.
"""

import re
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.db import connection, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_entries_delete, audit_log
from livehub.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from livehub.realtime.coalesce import Coalescer
from livehub.realtime.healing import announce, repair
from livehub.realtime.protocol import MODERATORS, PUBLIC, SPEAKER, participant_stream
from livehub.realtime.publish import announced, publish_announced, publish_on_commit
from livehub.realtime.receipts import one_statement, receipt_cte, receipt_params, receipt_store
from livehub.realtime.registry import Receipt
from sessions.models import Event, Participant, Session
from sessions.selectors import PARTICIPANT_GONE, event_payload, participant_locked, session_get

from .models import BlockedWord, Question, Vote
from .schemas import ANSWER_TEXT, MODERATION, QUESTION_TEXT
from .selectors import author_payload, moderator_payload, question_get, question_payload

State = Question.State
QUESTIONS_PER_MINUTE = 3
SPEAKER_ACTIONS = frozenset({"highlight", "unhighlight", "answer"})
# Sent after the commit of a written answer (its text, or "" when taken back), with `question`:
# what outgoing hooks (webhooks) listen to.
question_answered = Signal()

# Sent inside the transaction (with `question=`) when a question is approved, by a moderator or
# by the event's auto-approve, and when it is answered: other apps' work commits or rolls back
# with the change (webhooks queue their deliveries).
question_approved = Signal()
question_answered = Signal()


def recount_votes(*, event_id: int, question_ids: list[int] | None = None) -> dict[int, tuple[int, str]]:
    """Bring `vote_count` to the number of Vote rows, for some or all questions of an event.

    Returns {question id: (votes, state)}. Votes do not write the question's row (see
    `question_vote`): this is what keeps the column right, run by every coalesced flush.
    """
    questions = Question.objects.filter(event_id=event_id)
    if question_ids is not None:
        questions = questions.filter(pk__in=question_ids)
    counted = Vote.objects.filter(question=OuterRef("pk")).order_by().values("question").annotate(n=Count("id"))
    with transaction.atomic(savepoint=False):
        # Locked in id order first, as a merge locks its two questions: no deadlock between them.
        # NO KEY UPDATE does not wait for the votes in flight (they hold KEY SHARE).
        locked = list(questions.order_by("pk").select_for_update(no_key=True).values_list("pk", flat=True))
        Question.objects.filter(pk__in=locked).update(vote_count=Coalesce(Subquery(counted.values("n")), 0))
        rows = Question.objects.filter(pk__in=locked).values_list("pk", "vote_count", "state")
        return {pk: (votes, state) for pk, votes, state in rows}


@repair
def _repair_votes(event_id: int) -> None:
    # A vote's flush may have been lost with its process or with Redis: recount before healing.
    recount_votes(event_id=event_id)


def _publish_votes(event_id: int, keys: list[str]) -> None:
    totals = recount_votes(event_id=event_id, question_ids=[int(key) for key in keys])
    counts = {str(pk): votes for pk, (votes, state) in totals.items() if state in Question.PUBLIC_STATES}
    if counts:
        publish_on_commit(event_id=event_id, type="votes.updated", data={"counts": counts})


# Vote totals reach clients three times a second per event, whatever the number of votes: flushes
# at least a third of a second apart never put more than four into any one second on a client,
# even when delivery jitter brings two of them closer.
vote_totals = Coalescer("votes", _publish_votes, interval=1 / 3)


def _publish(question: Question, *, was_public: bool, type: str = "question.updated") -> None:
    """Tell each audience what it may know: moderators everything, the author their own question,
    everyone else only public questions (and that a question left public view)."""
    event_id = question.event_id
    public = question_payload(question)
    publish_on_commit(event_id=event_id, type=type, data=moderator_payload(question), stream=MODERATORS)
    if question.author_id is not None:
        publish_on_commit(
            event_id=event_id, type=type, data=author_payload(question), stream=participant_stream(question.author_id)
        )
    if question.is_public:
        publish_on_commit(event_id=event_id, type="question.updated", data=public, stream=PUBLIC)
    elif was_public:
        publish_on_commit(
            event_id=event_id, type="question.removed", data={"id": question.pk, "session": question.session_id}
        )


def clean_text(text: str) -> str:
    text = text.strip()
    low, high = QUESTION_TEXT
    if not low <= len(text) <= high:
        raise Invalid(
            _("A question has %(low)s to %(high)s characters (this one has %(count)s).")
            % {"low": low, "high": high, "count": len(text)},
            fields={"text": _("must be %(low)s to %(high)s characters") % {"low": low, "high": high}},
        )
    return text


WORD = re.compile(r"\w+", re.UNICODE)


def blocked_words_in(event: Event, text: str) -> list[str]:
    blocked = {word.casefold() for word in BlockedWord.objects.filter(event=event).values_list("word", flat=True)}
    return sorted({word for word in WORD.findall(text.casefold()) if word in blocked})


def question_ask(*, participant_id: UUID, event_id: int, session_id: int, text: str, anonymous: bool) -> Question:
    """Store a question: pending for the moderators (and its author), or public with auto-approve."""
    text = clean_text(text)
    with transaction.atomic(savepoint=False):
        participant = participant_locked(participant_id=participant_id, with_event=True)
        event = participant.event
        session = session_get(event_id=event_id, session_id=session_id)
        if session.status == Session.Status.ENDED:
            raise Conflict(_("“%(session)s” has ended; questions are closed.") % {"session": session.title})
        if event.require_names and (anonymous or not participant.name):
            raise Invalid(
                _("This event asks for your name with each question: set a display name first."),
                fields={"anonymous": _("names are required at this event")},
            )
        _check_question_rate(participant)
        flagged = blocked_words_in(event, text)
        question = Question.objects.create(
            event=event,
            session=session,
            author=participant,
            author_name="" if anonymous else participant.name,
            text=text,
            flagged_words=flagged,
            state=State.APPROVED if event.auto_approve and not flagged else State.PENDING,
        )
        question.event = event
        _publish(question, was_public=False, type="question.submitted")
        if question.state == State.APPROVED:
            question_approved.send(sender=Question, question=question)
    return question


def _check_question_rate(participant: Participant) -> None:
    since = timezone.now() - timedelta(minutes=1)
    recent = list(
        Question.objects.filter(author=participant, created_at__gte=since)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:QUESTIONS_PER_MINUTE]
    )
    if len(recent) >= QUESTIONS_PER_MINUTE:
        wait = (recent[-1] + timedelta(minutes=1) - timezone.now()).total_seconds()
        raise RateLimited(
            _("At most %(count)s questions a minute; try again shortly.") % {"count": QUESTIONS_PER_MINUTE},
            retry_after=max(wait, 0.1),
        )


# One round trip per vote, and no write to the question's row: 2,000 votes for one question
# within seconds would otherwise queue on that row's lock one transaction at a time. KEY SHARE
# lets votes run side by side while a moderator's FOR UPDATE (reject, merge...) waits for those
# in flight and holds new ones back, so a vote never lands on a question as it leaves public view.
# Its receipt is one more CTE, its reply as `vote_reply` builds it (the count does not see this
# statement's own change): in autocommit, no transaction's BEGIN, COMMIT and INSERT round trips.
_VOTE_RECEIPT = receipt_cte(
    reply="""json_build_object('question', allowed.id, 'voted', %(up)s, 'votes',
        (SELECT count(*) FROM qa_vote v WHERE v.question_id = allowed.id)
        + (SELECT count(*) FROM added) - (SELECT count(*) FROM removed))""",
    source="allowed",
)
_VOTE_SQL = f"""
WITH q AS (
    SELECT q.id, q.state, q.author_id, e.allow_self_votes, s.status = %(ended)s AS ended
    FROM qa_question q JOIN livesessions_event e ON e.id = q.event_id
        JOIN livesessions_session s ON s.id = q.session_id
    WHERE q.id = %(question)s AND q.event_id = %(event)s
    FOR KEY SHARE OF q
), voter AS (
    SELECT 1 FROM livesessions_participant WHERE id = %(participant)s FOR KEY SHARE
), allowed AS (
    SELECT q.id FROM q WHERE q.state = ANY(%(public)s) AND NOT q.ended AND EXISTS (SELECT 1 FROM voter)
        AND (NOT %(up)s OR q.author_id IS DISTINCT FROM %(participant)s OR q.allow_self_votes)
), added AS (
    INSERT INTO qa_vote (question_id, participant_id, created_at)
    SELECT allowed.id, %(participant)s, now() FROM allowed WHERE %(up)s
    ON CONFLICT (question_id, participant_id) DO NOTHING RETURNING 1
), removed AS (
    DELETE FROM qa_vote v USING allowed
    WHERE NOT %(up)s AND v.question_id = allowed.id AND v.participant_id = %(participant)s RETURNING 1
), {_VOTE_RECEIPT}
SELECT q.state, q.author_id = %(participant)s, q.allow_self_votes,
       (SELECT count(*) FROM added) + (SELECT count(*) FROM removed),
       (SELECT count(*) FROM qa_vote v WHERE v.question_id = q.id),
       EXISTS (SELECT 1 FROM voter), q.ended
FROM q
"""  # noqa: S608 - what it splices in is this module's own constant


# (state, is the author, self votes allowed, rows changed, votes counted before the change,
# the voter is still a participant, its session has ended)
VoteRow = tuple[str, bool, bool, int, int, bool, bool] | None


def _vote_row_postgresql(
    *, participant_id: UUID, event_id: int, question_id: int, up: bool, receipt: Receipt | None
) -> VoteRow:
    params = {
        **receipt_params(receipt),
        "question": question_id,
        "event": event_id,
        "participant": participant_id,
        "up": up,
        "public": list(Question.PUBLIC_STATES),
        "ended": Session.Status.ENDED,
    }
    with connection.cursor() as cursor:
        cursor.execute(_VOTE_SQL, params)
        return cursor.fetchone()


def _vote_row_portable(*, participant_id: UUID, event_id: int, question_id: int, up: bool) -> VoteRow:
    """The same with the ORM, for the embedded SQLite (one process, writes serialized anyway)."""
    question = Question.objects.filter(event_id=event_id, pk=question_id).select_related("event", "session").first()
    if question is None:
        return None
    own = question.author_id == participant_id
    votes = Vote.objects.filter(question=question)
    counted = votes.count()
    present = Participant.objects.filter(pk=participant_id).exists()
    ended = question.session.status == Session.Status.ENDED
    allowed = present and question.is_public and not ended and (not up or not own or question.event.allow_self_votes)
    changed = 0
    if allowed and up and not votes.filter(participant_id=participant_id).exists():
        Vote.objects.create(question=question, participant_id=participant_id)
        changed = 1
    elif allowed and not up:
        changed, _by_model = votes.filter(participant_id=participant_id).delete()
    return question.state, own, question.event.allow_self_votes, changed, counted, present, ended


def question_vote(
    *, participant_id: UUID, event_id: int, question_id: int, up: bool, receipt: Receipt | None = None
) -> tuple[int, bool]:
    """Upvote (or withdraw the upvote of) a public question; one vote per participant.

    Returns the question's number of votes (as seen by this statement) and whether this
    participant now votes for it. `Question.vote_count` is brought up to date by the coalesced
    flush (`vote_totals`) a third of a second later, not here. With a `receipt` (the command's
    `ref`), its reply (`vote_reply`) is stored with the vote: on PostgreSQL one autocommit
    statement writes both, or nothing when the vote is refused.
    """
    if not one_statement():
        return _question_vote_portable(
            participant_id=participant_id, event_id=event_id, question_id=question_id, up=up, receipt=receipt
        )
    with announced(event_id) as member:
        row = _vote_row_postgresql(
            participant_id=participant_id, event_id=event_id, question_id=question_id, up=up, receipt=receipt
        )
        votes, changed = _vote_counted(row, question_id=question_id, up=up)
    _publish_vote(
        member, event_id=event_id, participant_id=participant_id, question_id=question_id, up=up, changed=changed
    )
    return votes, up


def vote_reply(*, question_id: int, voted: bool, votes: int) -> dict[str, Any]:
    """The `question.vote` command's reply (the vote's statement builds the same as its receipt)."""
    return {"question": question_id, "voted": voted, "votes": votes}


def _vote_counted(row: VoteRow, *, question_id: int, up: bool) -> tuple[int, int]:
    """The votes after this one and how many rows it changed, or the refusal (nothing written)."""
    if row is None:
        raise NotFound(_("There is no question %(id)s in this event.") % {"id": question_id})
    state, own, self_votes_allowed, changed, counted, present, ended = row
    if not present:
        raise Forbidden(PARTICIPANT_GONE)
    if state not in Question.PUBLIC_STATES:
        raise Conflict(_("Only approved questions can be voted on."))
    if ended:
        raise Conflict(_("This session has ended: its questions are kept as they were, votes included."))
    if up and own and not self_votes_allowed:
        raise Conflict(_("You cannot vote for your own question at this event."))
    # The count did not see this statement's own change.
    return counted + (changed if up else -changed), changed


def _publish_vote(
    member: str | None, *, event_id: int, participant_id: UUID, question_id: int, up: bool, changed: int
) -> None:
    # The totals are marked with the publish (first, in its round trip) when the votes changed.
    publish_announced(
        member,
        event_id=event_id,
        type="vote.updated",
        data={"question": question_id, "voted": up},
        stream=participant_stream(participant_id),
        mark=(vote_totals, str(question_id)) if changed else None,
    )


def _question_vote_portable(
    *, participant_id: UUID, event_id: int, question_id: int, up: bool, receipt: Receipt | None
) -> tuple[int, bool]:
    """The same with the ORM in a transaction, for the embedded SQLite (one process, writes serialized anyway)."""
    with transaction.atomic(savepoint=False):
        row = _vote_row_portable(participant_id=participant_id, event_id=event_id, question_id=question_id, up=up)
        votes, changed = _vote_counted(row, question_id=question_id, up=up)
        if receipt is not None:
            receipt_store(receipt=receipt, reply=vote_reply(question_id=question_id, voted=up, votes=votes))
        _publish_vote(
            announce(event_id),
            event_id=event_id,
            participant_id=participant_id,
            question_id=question_id,
            up=up,
            changed=changed,
        )
    return votes, up


def _locked(*, event_id: int, question_id: int) -> Question:
    """The question, locked for a moderator's change, with its exact number of votes: its lock
    waited for the votes in flight (they hold KEY SHARE) and holds back new ones."""
    question = question_get(event_id=event_id, question_id=question_id, for_update=True)
    votes = Vote.objects.filter(question=question).count()
    if votes != question.vote_count:
        question.vote_count = votes
        Question.objects.filter(pk=question.pk).update(vote_count=votes)
    return question


def question_moderate(
    *, event_id: int, question_id: int, action: str, actor: str, role: str, reason: str | None = None
) -> Question:
    """Approve, reject, highlight, unhighlight, answer, archive or restore a question.

    A rejection may carry a `reason` (Question.RejectionReason), which its author is told."""
    if reason is not None and action != "reject":
        raise Invalid(_("Only a rejection takes a reason."), fields={"reason": _("only with the action reject")})
    if role == SPEAKER and action not in SPEAKER_ACTIONS:
        raise Forbidden(
            _("Speakers may %(actions)s, not %(action)s.")
            % {"actions": ", ".join(sorted(SPEAKER_ACTIONS)), "action": action}
        )
    states, target = MODERATION[action]["from"], MODERATION[action]["to"]
    with transaction.atomic(savepoint=False):
        question = _locked(event_id=event_id, question_id=question_id)
        if question.state not in states:
            raise Conflict(
                _("Cannot %(action)s a question that is %(state)s.") % {"action": action, "state": question.state}
            )
        if action == "restore" and question.merged_into_id:
            raise Conflict(
                _("This question was merged into question %(id)s; its votes moved there.")
                % {"id": question.merged_into_id}
            )
        if action == "highlight" and question.highlighted:
            raise Conflict(_("This question is already highlighted."))
        if action == "unhighlight" and not question.highlighted:
            raise Conflict(_("This question is not highlighted."))
        was_public = question.is_public
        if action == "highlight":
            _unhighlight_others(question)
            question.highlighted = True
        elif action in {"unhighlight", "answer", "reject", "archive"}:
            question.highlighted = False  # only a question on the floor is shown big
        if target is not None:
            question.state = target
        question.rejection_reason = (reason or "") if action == "reject" else ""
        if action == "answer":
            question.answered_at = timezone.now()
        elif target == State.APPROVED:
            question.answered_at = None
        question.save(update_fields=["state", "highlighted", "answered_at", "rejection_reason"])
        _publish(question, was_public=was_public)
        if question.is_public and not was_public:
            _tell_voters(question)  # votes are kept while a question is out of view
        if action == "approve":
            question_approved.send(sender=Question, question=question)
        elif action == "answer":
            question_answered.send(sender=Question, question=question)
        audit_log(
            event=question.event,
            question_id=question.pk,
            actor=actor,
            action=action,
            **({"reason": reason} if reason else {}),
        )
    return question


def _tell_voters(question: Question, *, voted: bool = True) -> None:
    """Each voter's own `voted` flag, for a question that (re)appears or whose votes moved."""
    for participant_id in Vote.objects.filter(question=question).values_list("participant_id", flat=True):
        publish_on_commit(
            event_id=question.event_id,
            type="vote.updated",
            data={"question": question.pk, "voted": voted},
            stream=participant_stream(participant_id),
        )


def _unhighlight_others(question: Question) -> None:
    for other in Question.objects.select_for_update().filter(session_id=question.session_id, highlighted=True):
        other.highlighted = False
        other.save(update_fields=["highlighted"])
        other.event = question.event
        _publish(other, was_public=other.is_public)


def question_edit(*, event_id: int, question_id: int, text: str, actor: str) -> Question:
    """Correct a question's text; the original is kept and the question shows as edited."""
    text = clean_text(text)
    with transaction.atomic(savepoint=False):
        question = _locked(event_id=event_id, question_id=question_id)
        if question.state == State.ARCHIVED:
            raise Conflict(_("Archived questions cannot be edited; restore it first."))
        if text == question.text:
            raise Conflict(_("The text is unchanged."))
        question.original_text = question.original_text or question.text
        question.text = text
        question.save(update_fields=["text", "original_text"])
        _publish(question, was_public=question.is_public)
        audit_log(event=question.event, question_id=question.pk, actor=actor, action="edit", text=text)
    return question


def question_answer_in_writing(*, event_id: int, question_id: int, text: str, role: str, actor: str) -> Question:
    """Answer a public question in writing (moderators, speakers): another text replaces the answer,
    an empty one takes it back. Its author, the audience and the consoles see it under the question;
    the session may have ended (an online question answered afterwards)."""
    text = text.strip()
    if len(text) > ANSWER_TEXT.max:
        raise Invalid(
            _("An answer has at most %(max)s characters (this one has %(length)s).")
            % {"max": ANSWER_TEXT.max, "length": len(text)},
            fields={"text": _("at most %(max)s characters") % {"max": ANSWER_TEXT.max}},
        )
    with transaction.atomic(savepoint=False):
        question = _locked(event_id=event_id, question_id=question_id)
        if not question.is_public:
            raise Conflict(_("Only published questions are answered in writing; this one is not (or no longer)."))
        if text == question.answer_text:
            raise Conflict(_("The answer is unchanged.") if text else _("This question has no written answer."))
        question.answer_text = text
        question.answer_by = role if text else ""
        question.answer_at = timezone.now() if text else None
        question.save(update_fields=["answer_text", "answer_by", "answer_at"])
        _publish(question, was_public=True)
        audit_log(
            event=question.event,
            question_id=question.pk,
            actor=actor,
            action="answer_in_writing" if text else "answer_removed",
            **({"text": text} if text else {}),
        )
        transaction.on_commit(
            lambda: question_answered.send(sender=Question, question=question, text=text), robust=True
        )
    return question


def question_merge(*, event_id: int, question_id: int, into_id: int, actor: str) -> Question:
    """Fold a duplicate into another question; each participant's vote counts once."""
    if question_id == into_id:
        raise Invalid(_("A question cannot be merged into itself."), fields={"into": _("must be another question")})
    with transaction.atomic(savepoint=False):
        first, second = sorted([question_id, into_id])  # lock in id order: no deadlock between merges
        locked = {q.pk: q for q in [_locked(event_id=event_id, question_id=pk) for pk in (first, second)]}
        duplicate, target = locked[question_id], locked[into_id]
        if duplicate.merged_into_id:
            raise Conflict(
                _("This question was already merged into question %(id)s.") % {"id": duplicate.merged_into_id}
            )
        if target.state in {State.ARCHIVED, State.REJECTED}:
            raise Conflict(_("Cannot merge into a question that is %(state)s.") % {"state": target.state})
        if target.session_id != duplicate.session_id:
            raise Conflict(_("Both questions must belong to the same session."))
        was_public = duplicate.is_public
        already = Vote.objects.filter(question=target).values("participant_id")
        moved = list(Vote.objects.filter(question=duplicate).values_list("participant_id", flat=True))
        Vote.objects.filter(question=duplicate).exclude(participant_id__in=already).update(question=target)
        Vote.objects.filter(question=duplicate).delete()
        target.vote_count = Vote.objects.filter(question=target).aggregate(n=Count("id"))["n"]
        target.save(update_fields=["vote_count"])
        duplicate.state = State.ARCHIVED
        duplicate.highlighted = False
        duplicate.merged_into = target
        duplicate.vote_count = 0
        duplicate.save(update_fields=["state", "highlighted", "merged_into", "vote_count"])
        _publish(duplicate, was_public=was_public)
        _publish(target, was_public=target.is_public)
        for participant_id in moved:  # their vote now counts for the target
            for question, voted in ((duplicate, False), (target, True)):
                publish_on_commit(
                    event_id=event_id,
                    type="vote.updated",
                    data={"question": question.pk, "voted": voted},
                    stream=participant_stream(participant_id),
                )
        audit_log(event=duplicate.event, question_id=duplicate.pk, actor=actor, action="merge", into=target.pk)
    return target


def event_set_moderation(*, event_id: int, auto_approve: bool, actor: str) -> Event:
    with transaction.atomic(savepoint=False):
        event = Event.objects.select_for_update().get(pk=event_id)
        if event.auto_approve == auto_approve:
            return event
        event.auto_approve = auto_approve
        event.save(update_fields=["auto_approve"])
        publish_on_commit(event_id=event.pk, type="event.updated", data=event_payload(event))
        audit_log(event=event, actor=actor, action="auto_approve_on" if auto_approve else "auto_approve_off")
    return event


def event_blocklist_seed(*, event: Event) -> None:
    """Give an event the default block list (words already there are kept)."""
    from .blocklist import default_words

    BlockedWord.objects.bulk_create(
        [BlockedWord(event=event, word=word) for word in default_words()], ignore_conflicts=True
    )


def questions_delete(*, event: Event) -> dict[str, int]:
    """Purge: the event's questions, their votes and the audit entries that quote them."""
    questions = Question.objects.filter(event=event)
    votes_deleted = Vote.objects.filter(question__event=event).delete()[0]
    audit_entries_delete(question_ids=questions.values("pk"))
    questions_deleted = questions.delete()[1].get(Question._meta.label, 0)
    return {"questions_deleted": questions_deleted, "votes_deleted": votes_deleted}


def questions_anonymise(*, event: Event) -> dict[str, int]:
    """Purge keeping the results: the questions stay without author; the votes go, their
    totals stay in `vote_count`."""
    votes_deleted = Vote.objects.filter(question__event=event).delete()[0]
    anonymised = Question.objects.filter(event=event).update(author=None, author_name="")
    return {"questions_anonymised": anonymised, "votes_deleted": votes_deleted}
