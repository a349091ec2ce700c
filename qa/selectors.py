"""Reads of the Q&A: payloads (the same for snapshot and events), visibility, duplicate hints."""

import difflib
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from livehub.errors import NotFound
from livehub.realtime.protocol import MODERATOR, dumps
from livehub.realtime.registry import CommandContext
from livehub.realtime.snapshot import Raw, SharedPart, shared_contributor
from sessions.selectors import local_iso

from .models import Question
from .schemas import MODERATION

SIMILAR_LIMIT = 3
TRIGRAM_THRESHOLD = 0.3
FALLBACK_THRESHOLD = 0.6


def question_get(*, event_id: int, question_id: int, for_update: bool = False) -> Question:
    questions = Question.objects.filter(event_id=event_id, pk=question_id).select_related("event")
    question = (questions.select_for_update(of=("self",)) if for_update else questions).first()
    if question is None:
        raise NotFound(_("There is no question %(id)s in this event.") % {"id": question_id})
    return question


def question_payload(question: Question) -> dict[str, Any]:
    """What everyone who may see the question sees (no per-viewer or moderator fields)."""
    timezone = question.event.timezone
    return {
        "id": question.pk,
        "session": question.session_id,
        "text": question.text,
        "author": question.author_name or None,
        "state": question.state,
        "votes": question.vote_count,
        "highlighted": question.highlighted,
        "edited": bool(question.original_text),
        "created_at": local_iso(question.created_at, timezone),
        "answered_at": local_iso(question.answered_at, timezone),
        "merged_into": question.merged_into_id,
        "answer": written_answer(question, timezone),
    }


def written_answer(question: Question, timezone: str) -> dict[str, Any] | None:
    if not question.answer_text:
        return None
    return {"text": question.answer_text, "by": question.answer_by, "at": local_iso(question.answer_at, timezone)}


def author_payload(question: Question) -> dict[str, Any]:
    """The author's copy of their own question: the public fields and why it was rejected."""
    return {**question_payload(question), "mine": True, "rejection_reason": question.rejection_reason or None}


def moderation_actions(question: Question) -> list[str]:
    """The `question.moderate` actions `question_moderate` accepts for the question as it is."""
    unless = {
        "highlight": question.highlighted,
        "unhighlight": not question.highlighted,
        "restore": question.merged_into_id is not None,  # its votes moved to the other question
    }
    return [
        action
        for action, move in MODERATION.items()
        if question.state in move["from"] and not unless.get(action, False)
    ]


def moderator_payload(question: Question) -> dict[str, Any]:
    payload = question_payload(question)
    payload.update(
        rejection_reason=question.rejection_reason or None,
        flagged=question.flagged,
        flagged_words=list(question.flagged_words),
        original_text=question.original_text or None,
        similar=similar_questions(question) if question.state == Question.State.PENDING else [],
        actions=moderation_actions(question),
    )
    return payload


def similar_questions(question: Question) -> list[dict[str, Any]]:
    """Up to three existing questions of the same session that look like this one."""
    candidates = (
        Question.objects.filter(session_id=question.session_id, merged_into__isnull=True)
        .exclude(pk=question.pk)
        .exclude(state__in=[Question.State.REJECTED, Question.State.ARCHIVED])
    )
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        found = (
            candidates.annotate(similarity=TrigramSimilarity("text", question.text))
            .filter(similarity__gte=TRIGRAM_THRESHOLD)
            .order_by("-similarity", "created_at")[:SIMILAR_LIMIT]
        )
    else:  # SQLite, the embedded default: compare with the latest questions in Python
        text = question.text.casefold()
        scored = [
            (difflib.SequenceMatcher(None, text, other.text.casefold()).ratio(), other)
            for other in candidates.order_by("-created_at")[:300]
        ]
        found = [other for score, other in sorted(scored, key=lambda pair: -pair[0]) if score >= FALLBACK_THRESHOLD]
        found = found[:SIMILAR_LIMIT]
    return [{"id": other.pk, "text": other.text, "votes": other.vote_count} for other in found]


def public_questions(*, session, order: str = "top") -> QuerySet[Question]:
    """A session's public questions: by votes (ties: older first) or newest first; answered last."""
    questions = Question.objects.filter(session=session, state__in=Question.PUBLIC_STATES).select_related("event")
    by = ["-vote_count", "created_at"] if order == "top" else ["-created_at"]
    # Answered questions sink to their own group at the end.
    return questions.annotate(answered=Q(state=Question.State.ANSWERED)).order_by("answered", *by)


def sessions_asked(*, event) -> QuerySet:
    """The ids of the event's sessions with a question (any state: a rejected one is still
    something a person wrote)."""
    return Question.objects.filter(event=event).values_list("session_id", flat=True).distinct()


def _question_order(item: dict[str, Any]) -> tuple[datetime, int]:
    return datetime.fromisoformat(item["created_at"]), item["id"]


def _marked(fragment: str, *, voted: bool, mine: bool, reasons: dict[int, str] | None, question_id: int) -> str:
    """A question's JSON text (without its closing brace) with this participant's two marks and,
    on an attendee's own question, why a moderator rejected it (as `author_payload` has it;
    moderators' payloads carry it already)."""
    marks = f',"voted":{"true" if voted else "false"},"mine":{"true" if mine else "false"}'
    if mine and reasons is not None:
        marks += f',"rejection_reason":{dumps(reasons.get(question_id) or None)}'
    return f"{fragment}{marks}}}"


def _own_questions(ctx: CommandContext, shared: SharedPart, rows: list[tuple]) -> dict[str, Any]:
    """The participant's part: their questions nobody else sees yet, and what they voted for."""
    if ctx.participant_id is None:
        return {}
    items = shared.data["questions"]
    reasons = {row[0]: row[2] for row in rows if row[1] == "asked"}
    voted = {row[0] for row in rows if row[1] == "voted"}
    if not reasons and not voted:  # most sockets: the same text for all of them
        unmarked = shared.memo("questions:unmarked", lambda: _questions_text(shared, [], voted=set(), reasons={}))
        return {"questions": unmarked}
    extra: list[dict[str, Any]] = []
    if ctx.role != MODERATOR:
        held = shared.memo("questions:ids", lambda: {item["id"] for item in items})
        if set(reasons) - held:
            own = Question.objects.filter(pk__in=set(reasons) - held).select_related("event")
            extra = [question_payload(question) for question in own]
    mine: dict[int, str] | set[int] = reasons if ctx.role != MODERATOR else set(reasons)
    return {"questions": _questions_text(shared, extra, voted=voted, reasons=mine)}


def _questions_text(
    shared: SharedPart, extra: list[dict[str, Any]], *, voted: set, reasons: dict[int, str] | set[int]
) -> Raw:
    """The shared questions and `extra` ones in order, each marked `voted` and `mine` (the keys of
    `reasons`; a set, for a moderator, marks without the reason), as JSON.

    The shared questions are serialized once per shared part; a socket only adds its marks.
    """
    items = shared.data["questions"]
    said = reasons if isinstance(reasons, dict) else None
    fragments = shared.memo("questions:fragments", lambda: [dumps(item)[:-1] for item in items])
    texts = [
        _marked(text, voted=item["id"] in voted, mine=item["id"] in reasons, reasons=said, question_id=item["id"])
        for item, text in zip(items, fragments, strict=True)
    ]
    if extra:
        order = shared.memo("questions:order", lambda: [_question_order(item) for item in items])
        marked = [
            _marked(dumps(item)[:-1], voted=item["id"] in voted, mine=True, reasons=said, question_id=item["id"])
            for item in extra
        ]
        own = zip(map(_question_order, extra), marked, strict=True)
        entries = sorted([*zip(order, texts, strict=True), *own], key=lambda entry: entry[0])
        texts = [text for _order, text in entries]
    return Raw(f"[{','.join(texts)}]")


@shared_contributor(
    personalize=_own_questions,
    own_rows="""
SELECT id, 'asked', CAST(rejection_reason AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT),
       CAST(NULL AS TEXT)
FROM qa_question WHERE event_id = %(event)s AND author_id = %(participant)s
UNION ALL
SELECT v.question_id, 'voted', CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT),
       CAST(NULL AS TEXT)
FROM qa_vote v JOIN qa_question q ON q.id = v.question_id
WHERE v.participant_id = %(participant)s AND q.event_id = %(event)s
""",
)
def questions_snapshot(ctx: CommandContext) -> dict[str, Any]:
    if ctx.role == MODERATOR:
        questions = Question.objects.filter(event_id=ctx.event_id).select_related("event")
    else:
        questions = Question.objects.filter(event_id=ctx.event_id, state__in=Question.PUBLIC_STATES)
    render = moderator_payload if ctx.role == MODERATOR else question_payload
    ordered = questions.select_related("event").order_by("created_at", "id")
    return {"questions": [render(question) for question in ordered]}
