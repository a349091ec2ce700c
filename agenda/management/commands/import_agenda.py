from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, no_translations

from agenda.services import Plan, agenda_import, agenda_preview
from livehub.errors import Invalid

FORMATS = {"pretalx": "pretalx/frab schedule JSON", "csv": "CSV", "ical": "iCalendar"}
# Files above this are no programme (a 2,000-session congress in pretalx JSON is about 5 MB).
MAX_BYTES = 20 * 1024 * 1024


class Command(BaseCommand):
    help = (
        "Import a programme (pretalx/frab schedule.json, CSV or iCalendar .ics) into an event, creating the "
        "event when the code is new. A re-import updates sessions by their id; see docs/organising.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="Event code, e.g. SFH2024 (a new code creates the event).")
        parser.add_argument("path", help="The file: schedule.json, .csv or .ics (told apart by their content).")
        parser.add_argument("--name", help="A new event's name (default: the file's conference title).")
        parser.add_argument("--timezone", help="A new event's time zone, e.g. Europe/Brussels (default: the file's).")
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Delete the sessions gone from the file (never one with questions, poll answers, or running).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; change nothing.")

    # The command speaks English whatever the language a caller has active, like the rest of its output.
    @no_translations
    def handle(self, *args, code: str, path: str, name, timezone, prune: bool, dry_run: bool, **options):
        content = _read(Path(path))
        service = agenda_preview if dry_run else agenda_import
        try:
            plan = service(code=code, content=content, name=name, timezone=timezone, prune=prune)
        except Invalid as error:
            raise CommandError(f"{Path(path).name}: {error.message} Nothing was changed.") from None
        for line in plan_lines(plan, path=Path(path).name, dry_run=dry_run):
            self.stdout.write(line)


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(f"{path.name} is larger than {MAX_BYTES // 2**20} MB: it is no programme.")
        return path.read_bytes()
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from None


def plan_lines(plan: Plan, *, path: str, dry_run: bool) -> list[str]:
    zone = ZoneInfo(plan.timezone)
    would = "would be " if dry_run else ""
    event = f"the new event {plan.code}" if plan.creates_event else plan.code
    lines = [
        f"{'Preview, nothing changed: ' if dry_run else ''}{path} ({FORMATS[plan.format]}) into {event}, "
        f"“{plan.name}”, {plan.timezone}, {plan.starts_on} to {plan.ends_on}.",
        f"Sessions {would}created: {len(plan.created)}",
    ]
    for item in plan.created:
        start = item.starts_at.astimezone(zone)
        lines.append(f"  + {start:%Y-%m-%d %H:%M} {item.room or '(no room)'}: {item.title}")
    lines.append(f"Sessions {would}changed: {len(plan.changed)}")
    lines += [f"  ~ {change.title} ({', '.join(change.fields)})" for change in plan.changed]
    lines.append(f"Sessions unchanged: {plan.unchanged}")
    if plan.removed:
        lines.append(
            f"Gone from the file, {would}removed: {len(plan.removed)}"
            if plan.prune
            else f"Gone from the file, kept (--prune removes them): {len(plan.removed)}"
        )
        lines += [f"  - {change.title}" for change in plan.removed]
    if plan.kept:
        lines.append(f"Gone from the file, kept even with --prune: {len(plan.kept)}")
        lines += [f"  ! {change.title}: {', '.join(change.reasons)}" for change in plan.kept]
    if plan.by_hand:
        lines.append(f"Sessions without an import id (added by hand), left as they are: {plan.by_hand}")
    if plan.new_rooms:
        lines.append(f"Rooms {would}added: {', '.join(plan.new_rooms)}")
    if plan.new_speakers:
        lines.append(f"Speakers {would}added: {', '.join(plan.new_speakers)}")
    if plan.creates_event and not dry_run:
        lines.append(
            f"Nobody organises {plan.code} yet: grant it with `manage.py createorganiser ACCOUNT --event {plan.code}`."
        )
    return lines
