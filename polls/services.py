"""Writes of the polls. Each persists in one transaction and publishes after commit.

Nested in a command's transaction (with its receipt), a service takes no savepoint: it applies
in full or raises, and the whole transaction rolls back with it.
"""

import json
import re
import unicodedata
from typing import Any
from uuid import UUID

from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_log
from livehub.errors import Conflict, Forbidden, Invalid, NotFound
from livehub.realtime.coalesce import Coalescer
from livehub.realtime.healing import announce
from livehub.realtime.protocol import MODERATORS, PUBLIC, participant_stream
from livehub.realtime.publish import announced, publish_announced, publish_on_commit
from livehub.realtime.receipts import one_statement, receipt_cte, receipt_params, receipt_store
from livehub.realtime.registry import Receipt
from livehub.sql import uuid_param
from sessions.models import Event, Participant
from sessions.selectors import PARTICIPANT_GONE, session_get

from .models import Option, Poll, Response
from .schemas import ANSWER_TEXT, OPTION_LABEL, OPTIONS, PROMPT, WORD, WORDS
from .selectors import fresh_results, grace_until, poll_get, poll_payload, respond_reply, response_payload

Kind, State = Poll.Kind, Poll.State
CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE)
STANCE_LABELS = {
    3: ["Agree", "Undecided", "Disagree"],
    5: ["Strongly agree", "Agree", "Undecided", "Disagree", "Strongly disagree"],
}
# Sent inside the transaction (with `poll=`) when a poll closes: webhooks queue its results.
poll_closed = Signal()


def _publish_results(event_id: int, keys: list[str]) -> None:
    for poll in Poll.objects.filter(event_id=event_id, pk__in=[int(key) for key in keys]).select_related("event"):
        _send_results(poll)


def _send_results(poll: Poll) -> None:
    """One frame per flush for every client: moderators read the public copy when results are
    shown, except for open text, whose moderators' copy (pending answers too) is sent after it.
    A draft's results stay with the moderators, shown or not: the public does not see drafts."""
    public = poll.results_visible and poll.state != State.DRAFT
    if public:
        publish_on_commit(event_id=poll.event_id, type="poll.results", data=fresh_results(poll, for_moderators=False))
    if not public or poll.kind == Kind.TEXT:
        publish_on_commit(
            event_id=poll.event_id,
            type="poll.results",
            data=fresh_results(poll, for_moderators=True),
            stream=MODERATORS,
        )


# Results reach clients three times a second per event (so also per poll); see vote_totals.
poll_totals = Coalescer("polls", _publish_results, interval=1 / 3)


def _publish(poll: Poll) -> None:
    payload = poll_payload(poll)
    publish_on_commit(event_id=poll.event_id, type="poll.updated", data=payload, stream=MODERATORS)
    if poll.state != State.DRAFT:
        publish_on_commit(event_id=poll.event_id, type="poll.updated", data=payload, stream=PUBLIC)


def _labels(kind: str, options: list[str] | None) -> list[str]:
    if kind == Kind.STANCE and options is None:
        return STANCE_LABELS[3]
    if kind in CHOICE_KINDS or kind == Kind.STANCE:
        labels = [_fold(label) for label in options or []]
        if kind == Kind.STANCE and len(labels) not in STANCE_LABELS:
            raise Invalid(_("A stance poll has 3 or 5 positions."), fields={"options": _("3 or 5 positions")})
        if not OPTIONS.min <= len(labels) <= OPTIONS.max:
            between = _("%(min)s to %(max)s options") % {"min": OPTIONS.min, "max": OPTIONS.max}
            raise Invalid(_("A choice poll has %(between)s.") % {"between": between}, fields={"options": between})
        if any(not OPTION_LABEL.min <= len(label) <= OPTION_LABEL.max for label in labels):
            between = _("%(min)s to %(max)s characters") % {"min": OPTION_LABEL.min, "max": OPTION_LABEL.max}
            raise Invalid(_("Each option has %(between)s.") % {"between": between}, fields={"options": between})
        # "Yes" and "yes" would be two bars nobody can tell apart.
        if len({label.casefold() for label in labels}) != len(labels):
            raise Invalid(_("Options must differ."), fields={"options": _("duplicate option")})
        return labels
    if options:
        raise Invalid(_("A %(kind)s poll has no options.") % {"kind": kind}, fields={"options": _("not for this kind")})
    return []


def _fold(text: str) -> str:
    return " ".join(text.split())


def _translations(event: Event, given: dict[str, Any], labels: list[str]) -> dict[str, dict[str, Any]]:
    """The translations to store: for the event's languages after its first (the poll's own),
    prompts and labels as long as the originals', as many labels as options ("" keeps the
    original); a language left wholly empty is not stored."""
    own, others = event.languages[0], event.languages[1:]
    kept: dict[str, dict[str, Any]] = {}
    for language, translation in given.items():
        where = f"translations.{language}"
        if language == own:
            raise Invalid(
                _("The poll itself is in the event's first language: translate it into the other ones."),
                fields={where: _("the poll's own language")},
            )
        if language not in others:
            raise Invalid(
                _("Translations are for the event's other languages: %(languages)s.")
                % {"languages": ", ".join(others) or _("none")},
                fields={where: _("not one of the event's languages")},
            )
        prompt = _fold(translation.get("prompt") or "")
        if prompt and not PROMPT.min <= len(prompt) <= PROMPT.max:
            between = _("%(min)s to %(max)s characters") % {"min": PROMPT.min, "max": PROMPT.max}
            raise Invalid(
                _("The question of a poll has %(between)s.") % {"between": between}, fields={f"{where}.prompt": between}
            )
        options = [_fold(label) for label in translation.get("options") or []]
        if any(options) and not labels:
            raise Invalid(
                _("This kind of poll has no options to translate."), fields={f"{where}.options": _("not for this kind")}
            )
        if any(options) and len(options) != len(labels):
            count = _("%(count)s labels") % {"count": len(labels)}
            raise Invalid(
                _("A translation has one label per option: %(count)s.") % {"count": count},
                fields={f"{where}.options": count},
            )
        seen: dict[str, int] = {}
        for index, (label, original) in enumerate(zip(options, labels, strict=False)):
            if len(label) > OPTION_LABEL.max:
                between = _("%(min)s to %(max)s characters") % {"min": OPTION_LABEL.min, "max": OPTION_LABEL.max}
                raise Invalid(
                    _("Each option has %(between)s.") % {"between": between},
                    fields={f"{where}.options.{index}": between},
                )
            # Two bars that read the same in this language; the translated one of the two is named
            # (the originals differ already).
            shown = (label or original).casefold()
            if shown in seen:
                blamed = index if label else seen[shown]
                raise Invalid(_("Options must differ."), fields={f"{where}.options.{blamed}": _("duplicate option")})
            seen[shown] = index
        options = options if any(options) else []
        if prompt or options:
            kept[language] = {"prompt": prompt, "options": options}
    return kept


def _kept_translations(poll: Poll, *, labels: list[str], old_labels: list[str]) -> dict[str, dict[str, Any]]:
    """A draft's translations when an edit does not send them: the prompts stay, labels stay only
    with the same options (they translated the old ones), and only the event's other languages."""
    others = poll.event.languages[1:]
    kept = {}
    for language, translation in (poll.translations or {}).items():
        options = translation.get("options", []) if labels == old_labels else []
        if language in others and (translation.get("prompt") or options):
            kept[language] = {"prompt": translation.get("prompt", ""), "options": options}
    return kept


def _configure(
    poll: Poll,
    *,
    kind: str,
    prompt: str,
    options: list[str] | None,
    max_choices: int | None,
    scale: int | None,
    phase: str | None,
) -> list[str]:
    prompt = _fold(prompt)
    if not PROMPT.min <= len(prompt) <= PROMPT.max:
        between = _("%(min)s to %(max)s characters") % {"min": PROMPT.min, "max": PROMPT.max}
        raise Invalid(_("The question of a poll has %(between)s.") % {"between": between}, fields={"prompt": between})
    labels = _labels(kind, options)
    if kind == Kind.MULTIPLE and max_choices is not None and not 1 <= max_choices <= len(labels):
        raise Invalid(
            _("The maximum of choices is between 1 and the number of options."),
            fields={"max_choices": _("out of range")},
        )
    if kind == Kind.RATING and (scale or 5) not in (5, 10):
        raise Invalid(_("A rating goes from 1 to 5 or from 1 to 10."), fields={"scale": _("5 or 10")})
    if kind == Kind.STANCE and phase not in (Poll.Phase.BEFORE, Poll.Phase.AFTER):
        raise Invalid(_("A stance poll is taken before or after the debate."), fields={"phase": _("before or after")})
    poll.kind, poll.prompt = kind, prompt
    poll.max_choices = max_choices if kind == Kind.MULTIPLE else None
    poll.scale = (scale or 5) if kind == Kind.RATING else None
    poll.phase = phase if kind == Kind.STANCE else ""
    return labels


def _partners(poll: Poll) -> set[int]:
    """The polls paired with `poll`, whichever of the two holds the link."""
    ids = set(Poll.objects.filter(stance_pair=poll).values_list("pk", flat=True))
    return ids | {poll.stance_pair_id} if poll.stance_pair_id else ids


def _pair(poll: Poll, stance_pair_id: int | None) -> None:
    """Link a before poll and an after poll, or unlink `poll` (None). The "after" poll holds the
    link and payloads show it from both sides, so every other poll whose partner changed is
    published too; the caller publishes `poll`."""
    touched = _partners(poll)
    Poll.objects.filter(stance_pair=poll).update(stance_pair=None)
    poll.stance_pair = None
    if stance_pair_id is not None:
        other = poll_get(event_id=poll.event_id, poll_id=stance_pair_id, for_update=True)
        if poll.kind != Kind.STANCE or other.kind != Kind.STANCE or other.phase == poll.phase or other.pk == poll.pk:
            raise Invalid(
                _("Pair a before stance poll with an after stance poll."),
                fields={"stance_pair": _("needs a stance poll of the other phase")},
            )
        touched |= {other.pk} | _partners(other)
        if poll.phase == Poll.Phase.AFTER:
            # One pair each: the before poll leaves the after poll it had.
            Poll.objects.filter(stance_pair=other).update(stance_pair=None)
            poll.stance_pair = other
        else:
            Poll.objects.filter(pk=other.pk).update(stance_pair=poll)
    poll.save(update_fields=["stance_pair"])
    touched.discard(poll.pk)
    for partner in Poll.objects.filter(pk__in=touched):
        _publish(partner)


def poll_create(
    *,
    event_id: int,
    actor: str,
    kind: str,
    prompt: str,
    session_id: int | None = None,
    options: list[str] | None = None,
    max_choices: int | None = None,
    scale: int | None = None,
    phase: str | None = None,
    stance_pair_id: int | None = None,
    auto_open: bool = False,
    translations: dict[str, Any] | None = None,
) -> Poll:
    """A draft poll, prepared before the event or on the spot."""
    with transaction.atomic(savepoint=False):
        event = Event.objects.get(pk=event_id)
        session = session_get(event_id=event_id, session_id=session_id) if session_id is not None else None
        poll = Poll(event=event, session=session, auto_open=auto_open and session is not None)
        labels = _configure(
            poll, kind=kind, prompt=prompt, options=options, max_choices=max_choices, scale=scale, phase=phase
        )
        poll.translations = _translations(event, translations or {}, labels)
        poll.save()
        if stance_pair_id is not None:
            _pair(poll, stance_pair_id)
        Option.objects.bulk_create([Option(poll=poll, label=label, order=i) for i, label in enumerate(labels)])
        _publish(poll)
        _send_results(poll)  # moderators hold results (zeros) for every poll
        audit_log(event=event, actor=actor, action="poll_create", poll=poll.pk)
    return poll


def poll_update(*, event_id: int, poll_id: int, actor: str, **fields: Any) -> Poll:
    """Edit a draft (the fields given replace the old ones)."""
    with transaction.atomic(savepoint=False):
        poll = poll_get(event_id=event_id, poll_id=poll_id, for_update=True)
        if poll.state != State.DRAFT:
            raise Conflict(_("Only drafts can be edited; this poll has been opened."))
        current = {
            "kind": poll.kind,
            "prompt": poll.prompt,
            "max_choices": poll.max_choices,
            "scale": poll.scale,
            "phase": poll.phase or None,
            "options": [o.label for o in poll.options.all()],
        }
        pair_given, pair = "stance_pair_id" in fields, fields.pop("stance_pair_id", None)
        translations_given, translations = "translations" in fields, fields.pop("translations", None)
        if "session_id" in fields:
            session_id = fields.pop("session_id")
            poll.session = session_get(event_id=event_id, session_id=session_id) if session_id else None
        poll.auto_open = fields.pop("auto_open", poll.auto_open) and poll.session is not None
        merged = {**current, **fields}
        if fields.get("kind") and "options" not in fields and merged["kind"] != current["kind"]:
            merged["options"] = None
        labels = _configure(poll, **merged)
        if translations_given:
            poll.translations = _translations(poll.event, translations or {}, labels)
        else:
            poll.translations = _kept_translations(poll, labels=labels, old_labels=current["options"])
        poll.save()
        if pair_given:
            _pair(poll, pair)
        elif (poll.kind, poll.phase or None) != (current["kind"], current["phase"]):
            _pair(poll, None)  # no longer a stance poll of that phase: no longer paired
        if labels != current["options"]:
            poll.options.all().delete()
            Option.objects.bulk_create([Option(poll=poll, label=label, order=i) for i, label in enumerate(labels)])
        _publish(poll)
        _send_results(poll)
    return poll


def poll_delete(*, event_id: int, poll_id: int, actor: str) -> None:
    """Delete a draft (never answered: drafts take no answers). It was the moderators' only, so
    `poll.removed` goes to them; a stance partner it leaves gets its `poll.updated`."""
    with transaction.atomic(savepoint=False):
        poll = poll_get(event_id=event_id, poll_id=poll_id, for_update=True)
        if poll.state != State.DRAFT:
            raise Conflict(_("Only drafts can be deleted; this poll has been opened."))
        _pair(poll, None)
        event = poll.event
        poll.delete()
        publish_on_commit(event_id=event_id, type="poll.removed", data={"id": poll_id}, stream=MODERATORS)
        audit_log(event=event, actor=actor, action="poll_delete", poll=poll_id)


def poll_open(*, event_id: int, poll_id: int, actor: str) -> Poll:
    with transaction.atomic(savepoint=False):
        poll = poll_get(event_id=event_id, poll_id=poll_id, for_update=True)
        if poll.state == State.OPEN:
            raise Conflict(_("This poll is already open."))
        reopening = poll.state == State.CLOSED
        poll.state, poll.opened_at, poll.closed_at = State.OPEN, timezone.now(), None
        poll.save(update_fields=["state", "opened_at", "closed_at"])
        _publish(poll)
        if poll.results_visible and not reopening:
            _send_results(poll)  # shown from the start: the public has had none while it was a draft
        audit_log(event=poll.event, actor=actor, action="poll_reopen" if reopening else "poll_open", poll=poll.pk)
    return poll


def poll_close(*, event_id: int, poll_id: int, actor: str) -> Poll:
    with transaction.atomic(savepoint=False):
        poll = poll_get(event_id=event_id, poll_id=poll_id, for_update=True)
        if poll.state != State.OPEN:
            raise Conflict(_("Only an open poll can be closed; this one is %(state)s.") % {"state": poll.state})
        poll.state, poll.closed_at = State.CLOSED, timezone.now()
        poll.save(update_fields=["state", "closed_at"])
        _publish(poll)
        _send_results(poll)  # final numbers (and the swing of a debate) at once
        audit_log(event=poll.event, actor=actor, action="poll_close", poll=poll.pk)
        poll_closed.send(sender=Poll, poll=poll)
    return poll


def poll_set_results_visible(*, event_id: int, poll_id: int, visible: bool, actor: str) -> Poll:
    with transaction.atomic(savepoint=False):
        poll = poll_get(event_id=event_id, poll_id=poll_id, for_update=True)
        if poll.results_visible != visible:
            poll.results_visible = visible
            poll.save(update_fields=["results_visible"])
            _publish(poll)
            if visible:
                _send_results(poll)
            audit_log(event=poll.event, actor=actor, action="poll_show" if visible else "poll_hide", poll=poll.pk)
    return poll


def poll_set_on_screen(*, event_id: int, poll_id: int, on_screen: bool, actor: str) -> Poll:
    """Put a poll on the room's screen (one per session) or take it off."""
    with transaction.atomic(savepoint=False):
        poll = poll_get(event_id=event_id, poll_id=poll_id, for_update=True)
        if poll.state == State.DRAFT and on_screen:
            raise Conflict(_("Open the poll before putting it on screen."))
        if on_screen and poll.session_id is not None:
            for other in (
                Poll.objects.select_for_update().filter(session_id=poll.session_id, on_screen=True).exclude(pk=poll.pk)
            ):
                other.on_screen = False
                other.save(update_fields=["on_screen"])
                _publish(other)
        if poll.on_screen != on_screen:
            poll.on_screen = on_screen
            poll.save(update_fields=["on_screen"])
            _publish(poll)
    return poll


def open_polls_of_session(*, session_id: int) -> None:
    """The session went live: its polls marked to open automatically open now."""
    for poll in Poll.objects.filter(session_id=session_id, auto_open=True, state=State.DRAFT).select_related("event"):
        poll_open(event_id=poll.event_id, poll_id=poll.pk, actor="auto-open")


def polls_detach(*, session_id: int) -> None:
    """The session is being deleted: its polls stay in the event, as polls of no session (and so
    no longer open with it), and every client holding them hears it."""
    polls = list(Poll.objects.select_for_update().filter(session_id=session_id))
    for poll in polls:
        poll.session, poll.auto_open = None, False
        poll.save(update_fields=["session", "auto_open"])
        _publish(poll)


WORD_EDGES = re.compile(r"^[\W_]+|[\W_]+$", re.UNICODE)


def normalise_words(text: str) -> list[str]:
    """Word cloud answers: lower case, surrounding punctuation off, accents kept, 3 words at most."""
    words = []
    for raw in unicodedata.normalize("NFC", text).split():
        word = WORD_EDGES.sub("", raw.casefold())
        if word and word not in words:
            words.append(word)
    return words


def poll_respond(
    *,
    participant_id: UUID,
    event_id: int,
    poll_id: int,
    options: list[int] | None = None,
    value: int | None = None,
    text: str | None = None,
    receipt: Receipt | None = None,
) -> Response:
    """Answer a poll, or change one's answer while it is open (online: also during the grace).

    Two statements: the poll and the participant's mode are read, the answer checked, then one
    autocommit statement writes it (a first answer or a changed one) and, with a `receipt` (the
    command's `ref`), its reply (`respond_reply`), only if the poll is still as the checks saw it.
    """
    if not one_statement():
        return _poll_respond_portable(
            participant_id=participant_id,
            event_id=event_id,
            poll_id=poll_id,
            options=options,
            value=value,
            text=text,
            receipt=receipt,
        )
    for _attempt in range(3):
        poll, response = _checked_response(
            participant_id=participant_id, event_id=event_id, poll_id=poll_id, options=options, value=value, text=text
        )
        try:
            with announced(event_id) as member:
                if not _write_response(response, state=poll.state, receipt=receipt):
                    raise _PollChanged("changed since the checks")  # nothing written, announcement crossed off
        except _PollChanged:
            continue
        _publish_response(member, event_id=event_id, response=response)
        return response
    raise Conflict(_("This poll is closed."))


class _PollChanged(Conflict):
    """The poll's state changed between the checks and the write (a moderator opened or closed it)."""


def _checked_response(
    *, participant_id: UUID, event_id: int, poll_id: int, options, value, text
) -> tuple[Poll, Response]:
    poll = _answerable(event_id=event_id, poll_id=poll_id, participant_id=participant_id)
    if poll is None:
        raise NotFound(_("There is no poll %(id)s in this event.") % {"id": poll_id})
    if poll.answering_mode is None:
        raise Forbidden(PARTICIPANT_GONE)
    _check_open(poll, mode=poll.answering_mode)
    fields = _answer_fields(poll, options=options, value=value, text=text)
    return poll, Response(poll=poll, participant_id=participant_id, mode=poll.answering_mode, **fields)


def _publish_response(member: str | None, *, event_id: int, response: Response) -> None:
    # The results are marked with the publish (first, in its round trip).
    publish_announced(
        member,
        event_id=event_id,
        type="poll.response",
        data=response_payload(response),
        stream=participant_stream(response.participant_id),
        mark=(poll_totals, str(response.poll_id)),
    )


# A first answer or a changed one, with its receipt, in one statement; only while the poll is in
# the state the checks saw (KEY SHARE: a moderator closing it waits for this statement). An open
# text answer's review is reset to pending; other kinds keep theirs (none).
_WRITE_RESPONSE = f"""
WITH poll AS (
    SELECT id FROM polls_poll WHERE id = %(poll)s AND state = %(state)s FOR KEY SHARE
), answer AS (
    INSERT INTO polls_response
        (poll_id, participant_id, mode, options, value, words, text, review, created_at, updated_at)
    SELECT poll.id, %(participant)s, %(mode)s, %(options)s::jsonb, %(value)s, %(words)s::jsonb, %(text)s,
           COALESCE(%(review)s::text, ''), %(now)s, %(now)s
    FROM poll
    ON CONFLICT (poll_id, participant_id) DO UPDATE SET
        mode = EXCLUDED.mode, options = EXCLUDED.options, value = EXCLUDED.value, words = EXCLUDED.words,
        text = EXCLUDED.text, review = COALESCE(%(review)s::text, polls_response.review),
        updated_at = EXCLUDED.updated_at
    RETURNING id
), {receipt_cte(reply="%(reply)s::jsonb", source="answer")}
SELECT (SELECT id FROM answer)
"""  # noqa: S608 - what it splices in is a constant


def _write_response(response: Response, *, state: str, receipt: Receipt | None) -> bool:
    """Write it and set its id; False when the poll is no longer in `state` (nothing written)."""
    params = {
        **receipt_params(receipt),
        "poll": response.poll_id,
        "state": state,
        "participant": uuid_param(response.participant_id),
        "mode": response.mode,
        "options": json.dumps(response.options),
        "value": response.value,
        "words": json.dumps(response.words),
        "text": response.text,
        "review": response.review or None,
        "reply": json.dumps(respond_reply(response)),
        "now": timezone.now(),  # the application's clock, as the ORM's auto_now would use
    }
    with connection.cursor() as cursor:
        cursor.execute(_WRITE_RESPONSE, params)
        response.pk = cursor.fetchone()[0]
    return response.pk is not None


def _poll_respond_portable(
    *, participant_id: UUID, event_id: int, poll_id: int, options, value, text, receipt: Receipt | None
) -> Response:
    """The same with the ORM in a transaction, for the embedded SQLite (one process, writes serialized anyway)."""
    with transaction.atomic(savepoint=False):
        _poll, response = _checked_response(
            participant_id=participant_id, event_id=event_id, poll_id=poll_id, options=options, value=value, text=text
        )
        fields = [
            name for name in ("options", "value", "words", "text", "review") if name != "review" or response.review
        ]
        Response.objects.bulk_create(
            [response],
            update_conflicts=True,
            unique_fields=["poll", "participant"],
            update_fields=[*fields, "mode", "updated_at"],
        )
        if receipt is not None:
            receipt_store(receipt=receipt, reply=respond_reply(response))
        _publish_response(announce(event_id), event_id=event_id, response=response)
    return response


# The poll and the participant's current mode in one query, written out: answers come in storms,
# and building this query with the ORM cost more CPU than running it. The event is read only
# for a closed poll's grace (lazily).
_ANSWERABLE = """
SELECT p.*, (SELECT pa.mode FROM livesessions_participant pa WHERE pa.id = %s) AS answering_mode
FROM polls_poll p WHERE p.id = %s AND p.event_id = %s
"""


def _answerable(*, event_id: int, poll_id: int, participant_id: UUID) -> Poll | None:
    return next(iter(Poll.objects.raw(_ANSWERABLE, [uuid_param(participant_id), poll_id, event_id])), None)


def _check_open(poll: Poll, *, mode: str) -> None:
    if poll.state == State.OPEN:
        return
    if poll.state == State.CLOSED and mode == Participant.Mode.ONLINE:
        deadline = grace_until(poll)
        if deadline is not None and timezone.now() <= deadline:
            return  # the livestream is behind the room: online viewers still get to answer
    raise Conflict(_("This poll is closed.") if poll.state == State.CLOSED else _("This poll is not open yet."))


# Options change only while a poll is a draft (in the console and in the admin), and drafts take
# no answers: the ids of an answerable poll's options are read once per process (keyed with its
# creation time, so a recreated id never reads another poll's).
_OPTION_IDS: dict[tuple[int, Any], frozenset[int]] = {}
_OPTION_IDS_KEPT = 512


def _option_ids(poll: Poll) -> frozenset[int]:
    key = (poll.pk, poll.created_at)
    ids = _OPTION_IDS.get(key)
    if ids is None:
        ids = frozenset(poll.options.values_list("pk", flat=True))
        if len(_OPTION_IDS) >= _OPTION_IDS_KEPT:
            _OPTION_IDS.clear()
        _OPTION_IDS[key] = ids
    return ids


def _answer_fields(poll: Poll, *, options, value, text) -> dict[str, Any]:
    kind = poll.kind
    if kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.STANCE):
        if not options or value is not None or text is not None:
            raise Invalid(_("Choose an option."), fields={"options": _("required for this poll")})
        valid = _option_ids(poll)
        chosen = list(dict.fromkeys(options))
        if any(option not in valid for option in chosen):
            raise Invalid(_("That option is not part of this poll."), fields={"options": _("unknown option")})
        limit = (poll.max_choices or len(valid)) if kind == Kind.MULTIPLE else 1
        if len(chosen) > limit:
            raise Invalid(
                _("Choose at most %(count)s.") % {"count": limit},
                fields={"options": _("at most %(count)s") % {"count": limit}},
            )
        return {"options": chosen, "value": None, "words": [], "text": ""}
    if kind == Kind.RATING:
        if value is None or options is not None or text is not None:
            raise Invalid(_("Give a rating."), fields={"value": _("required for this poll")})
        if not 1 <= value <= (poll.scale or 5):
            raise Invalid(
                _("A rating goes from 1 to %(scale)s.") % {"scale": poll.scale},
                fields={"value": _("1 to %(scale)s") % {"scale": poll.scale}},
            )
        return {"options": [], "value": value, "words": [], "text": ""}
    if text is None or options is not None or value is not None:
        raise Invalid(_("Write an answer."), fields={"text": _("required for this poll")})
    text = text.strip()
    if kind == Kind.WORDCLOUD:
        words = normalise_words(text)
        if not words:
            raise Invalid(
                _("Give %(min)s to %(max)s words.") % {"min": WORDS.min, "max": WORDS.max}, fields={"text": _("empty")}
            )
        if len(words) > WORDS.max or any(len(word) > WORD.max for word in words):
            said = _("Up to %(words)s words of at most %(letters)s letters.") % {
                "words": WORDS.max,
                "letters": WORD.max,
            }
            raise Invalid(said, fields={"text": _("up to %(words)s words") % {"words": WORDS.max}})
        return {"options": [], "value": None, "words": words, "text": ""}
    if not ANSWER_TEXT.min <= len(text) <= ANSWER_TEXT.max:
        between = _("%(min)s to %(max)s characters") % {"min": ANSWER_TEXT.min, "max": ANSWER_TEXT.max}
        raise Invalid(_("An answer has %(between)s.") % {"between": between}, fields={"text": between})
    return {"options": [], "value": None, "words": [], "text": text, "review": Response.Review.PENDING}


def poll_moderate_answer(*, event_id: int, response_id: int, approve: bool, actor: str) -> Response:
    """Open-text answers are seen by the audience only once approved."""
    with transaction.atomic(savepoint=False):
        response = (
            Response.objects.select_for_update(of=("self",))
            .select_related("poll", "poll__event")
            .filter(pk=response_id, poll__event_id=event_id, poll__kind=Kind.TEXT)
            .first()
        )
        if response is None:
            raise NotFound(_("There is no open-text answer %(id)s in this event.") % {"id": response_id})
        review = Response.Review.APPROVED if approve else Response.Review.REJECTED
        if response.review == review:
            return response  # a second click: nothing changed, nothing to log
        response.review = review
        response.save(update_fields=["review"])
        transaction.on_commit(lambda: poll_totals.mark(event_id, str(response.poll_id)), robust=True)
        publish_on_commit(
            event_id=event_id,
            type="poll.response",
            data=response_payload(response),
            stream=participant_stream(response.participant_id),
        )
        audit_log(
            event=response.poll.event,
            actor=actor,
            action="answer_approve" if approve else "answer_reject",
            poll=response.poll_id,
            response=response.pk,
        )
    return response


def responses_delete(*, event: Event) -> dict[str, int]:
    """Purge: every answer to the event's polls (the polls themselves are the organisers')."""
    return {"responses_deleted": Response.objects.filter(poll__event=event).delete()[0]}


def responses_keep(*, event: Event) -> dict[str, int]:
    """Purge keeping the results: the answers stay (results, the room/online split and the
    swing are counted from them), each tied to a participant the purge makes nameless."""
    return {"responses_kept": Response.objects.filter(poll__event=event).count()}
