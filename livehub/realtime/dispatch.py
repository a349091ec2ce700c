"""Running one command: authorise, validate, apply once per `ref`, in one transaction."""

import logging
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError

from livehub.errors import Conflict, DomainError, Forbidden, Invalid, UnknownType
from livehub.validation import reasons

from .healing import settle_announcements
from .models import CommandReceipt
from .receipts import receipt_store
from .registry import COMMANDS, Command, CommandContext, Receipt

log = logging.getLogger(__name__)


def _checked(ctx: CommandContext, type: str, data: dict[str, Any]) -> tuple[Command, Any]:
    """The command and its validated data, once the sender may send it."""
    command = COMMANDS.get(type)
    if command is None:
        raise UnknownType(f"There is no command {type!r}.")
    if ctx.role not in command.roles:
        raise Forbidden(_("“%(command)s” is not allowed for the %(role)s role.") % {"command": type, "role": ctx.role})
    if command.needs_participant and ctx.participant_id is None:
        raise Forbidden(_("“%(command)s” needs a participant: join the event first.") % {"command": type})
    try:
        return command, command.schema.model_validate(data)
    except ValidationError as error:
        fields = reasons(error.errors(include_url=False, include_input=False), whole="data")
        raise Invalid(_("The command's data is not valid."), fields=fields) from None


def is_direct(type: str) -> bool:
    command = COMMANDS.get(type)
    return command is not None and command.direct


async def execute_direct(ctx: CommandContext, *, type: str, ref: str | None, data: dict[str, Any]) -> dict[str, Any]:
    """Apply a direct command on the event loop (its handler applies `ref` once itself)."""
    command, payload = _checked(ctx, type, data)
    return await command.handler(ctx, payload, ref)


def execute(ctx: CommandContext, *, type: str, ref: str | None, data: dict[str, Any]) -> dict[str, Any]:
    """Apply a command and return its reply; raises a DomainError for the error frame.

    The receipt is written in the command's transaction (or its one statement), so a retry with
    the same `ref` either finds it (and gets the same reply) or finds nothing was applied.
    """
    command, payload = _checked(ctx, type, data)
    receipt = Receipt(actor=ctx.actor, ref=ref, type=type) if ref is not None else None

    # Optimistic: a ref is nearly always new, so the receipt is not looked up first. A retry of
    # an applied command runs again and rolls back, on the receipt's unique key if it succeeds
    # again, or on the error its second run raises (already approved, already voted...); either
    # way the stored reply stands.
    rolled_back = False
    try:
        if command.one_statement:
            # No transaction: its one statement commits the change and the receipt, or neither;
            # its service crosses off what it announced when it refuses.
            return command.handler(ctx, payload, receipt)
        with transaction.atomic():
            try:
                reply = command.handler(ctx, payload)
                if receipt is not None:
                    receipt_store(receipt=receipt, reply=reply)
            except Exception:
                rolled_back = True  # raised inside the block: it rolls back
                raise
    except Exception as error:
        if not transaction.get_connection().in_atomic_block:
            settle_announcements(rolled_back=rolled_back)
        if ref is None or not isinstance(error, IntegrityError | DomainError):
            raise
        previous = _receipt(ctx.actor, ref, type)
        if previous is None:
            raise
        return previous
    return reply


def _receipt(actor: str, ref: str, type: str) -> dict[str, Any] | None:
    receipt = CommandReceipt.objects.filter(actor=actor, ref=ref).first()
    if receipt is None:
        return None
    if receipt.type != type:
        raise Conflict(f"`ref` {ref!r} was already used for {receipt.type!r}.", fields={"ref": "reused"})
    return receipt.reply


def receipts_purge(*, older_than: timedelta) -> int:
    """Forget the replies of commands applied longer ago than `older_than` (a retry comes within
    minutes of a reconnect); returns how many. Housekeeping runs it every few minutes."""
    deleted, _by_model = CommandReceipt.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    if deleted:
        log.info("forgot %s command receipts", deleted)
    return deleted
