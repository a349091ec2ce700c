from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from sessions.contributors import demo_content
from sessions.demo import DEMO_USERS, seed_demo
from sessions.rolelinks import role_link_url
from staff.services import demo_passwords_replace


class Command(BaseCommand):
    help = "Load the demo congress SFH2022 (Science for Health 2022). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Print nothing.")

    def handle(self, *args, quiet: bool = False, **options):
        # On a public deployment the printed demo passwords never exist, not even for a moment.
        public = not settings.DEBUG and settings.HTTPS
        with transaction.atomic():
            event = seed_demo()
            replaced = demo_passwords_replace() if public else {}
        for seed in demo_content():  # each app's part: questions, polls
            seed(event)
        if quiet:
            return
        base = settings.LIVEHUB_BASE_URL
        out = self.stdout.write
        out(self.style.SUCCESS(f"Demo event {event.code} ready: {event.name}, {event.venue}, {event.city}."))
        out(f"  Attend          {base}/e/{event.code}/   (in the room: {base}/e/{event.code}/?mode=room)")
        out(f"  Moderate        {base}/e/{event.code}/moderate/   (sign in at {base}/accounts/login/)")
        out(f"  Stage           {base}/e/{event.code}/stage/")
        out(f"  Screen          {base}/e/{event.code}/screen/")
        out(f"  Agenda (API)    {base}/api/events/{event.code}/")
        out(f"  API docs        {base}/api/docs")
        out(f"  Admin           {base}/admin/")
        out(f"  Health          {base}/healthz")
        out(f"  Socket          {base.replace('http', 'ws', 1)}/ws/events/{event.code}/?token=…")
        for username, (password, role, _name) in DEMO_USERS.items():
            if not public:
                out(f"  {role.capitalize():<15} login {username} / {password}")
            elif username in replaced:
                out(f"  {role.capitalize():<15} login {username} / {replaced[username]}   (random: HTTPS is on)")
            else:
                out(f"  {role.capitalize():<15} login {username} (password set earlier, not shown)")
        for role in ("moderator", "speaker", "screen"):
            url = role_link_url(event=event, role=role, hours=24, issued_via="seed_demo")
            out(f"  {role.capitalize() + ' link':<15} {url}")
