from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = "Staff sign-ins and role links"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy check on demo passwords)
