from django.core.checks import Tags, Warning, register
from django.db import DatabaseError

from .selectors import accounts_with_demo_password


@register(Tags.security, deploy=True)
def demo_passwords(app_configs, **kwargs) -> list[Warning]:
    """`check --deploy`: an account that still has a password printed in the README."""
    try:
        accounts = accounts_with_demo_password()
    except DatabaseError:
        return []  # no database yet (a build step): nothing to check
    return [
        Warning(
            f"The account {user.get_username()!r} still has the demo password printed by seed_demo and the README.",
            hint=f"Give it another: python manage.py changepassword {user.get_username()} (or delete the account).",
            obj=user.get_username(),
            id="staff.W001",
        )
        for user in accounts
    ]
