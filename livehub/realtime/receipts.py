"""Receipts: the reply to a command applied under a `ref`, written with the command's change."""

import json
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .registry import Receipt

# Written out: the ORM's create cost a vote more CPU than the rest of its statement (7 % of a storm).
_STORE = """
INSERT INTO realtime_commandreceipt (actor, ref, type, reply, created_at) VALUES (%s, %s, %s, %s, %s)
"""


def receipt_cte(*, reply: str, source: str) -> str:
    """A one-statement command's receipt as a CTE of its SQL (`receipt AS (…)`): inserted from
    `source`, the rows it applied (none when it refused), with the SQL expression `reply` as its
    reply; only with a `ref` (its parameters are `receipt_params`'). A retried `ref` fails the
    whole statement on the receipt's unique key."""
    return f"""receipt AS (
    INSERT INTO realtime_commandreceipt (actor, ref, type, reply, created_at)
    SELECT %(receipt_actor)s, %(receipt_ref)s::text, %(receipt_type)s, {reply}, %(receipt_at)s
    FROM {source} WHERE %(receipt_ref)s::text IS NOT NULL
)"""  # noqa: S608 - `reply` and `source` are the caller's own constant SQL


def one_statement() -> bool:
    """Whether commands of the storms write their change and receipt in one autocommit statement
    (PostgreSQL); the embedded SQLite takes their ORM path in a transaction (one process)."""
    return connection.vendor == "postgresql"


def receipt_params(receipt: Receipt | None) -> dict[str, str | None]:
    if receipt is None:
        return {"receipt_actor": None, "receipt_ref": None, "receipt_type": None, "receipt_at": None}
    # The application's clock, as the ORM's `auto_now_add` would use (the purge compares with it).
    at = timezone.now()
    return {"receipt_actor": receipt.actor, "receipt_ref": receipt.ref, "receipt_type": receipt.type, "receipt_at": at}


def receipt_store(*, receipt: Receipt, reply: dict[str, Any]) -> None:
    """In the caller's transaction: a retry with the same `ref` fails on its unique key."""
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(_STORE, [receipt.actor, receipt.ref, receipt.type, json.dumps(reply), timezone.now()])
