"""`manage.py protocol_schema`: write the wire contract's JSON Schema (docs/protocol.schema.json)."""

from django.core.management.base import BaseCommand

from livehub.realtime import contract


class Command(BaseCommand):
    help = "Write docs/protocol.schema.json from the commands, events and snapshot the apps declare."

    def handle(self, *args, **options) -> None:
        changed = contract.write()
        self.stdout.write(f"{contract.PATH} {'written' if changed else 'already up to date'}")
