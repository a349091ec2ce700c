"""Values for the few queries written out in SQL (the storm paths), in the form Django's ORM uses.

A UUID column is native on PostgreSQL and 32 hex characters on SQLite: written-out SQL must
pass and read ids the way `UUIDField` does, or SQLite matches nothing.
"""

from uuid import UUID

from django.db import connection


def uuid_param(value: UUID) -> UUID | str:
    """`value` as a query parameter for a UUID column of the default database."""
    return value if connection.features.has_native_uuid_field else value.hex


def uuid_value(value: UUID | str) -> UUID:
    """A UUID column's value as read by a cursor, as a UUID."""
    return value if isinstance(value, UUID) else UUID(value)
