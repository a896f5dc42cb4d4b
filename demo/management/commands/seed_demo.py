"""`manage.py seed_demo`: fill an empty database with the demo (see demo/build.py).

The demo users all have the password "demo", so the command refuses to run with DEBUG
off unless told --force. `make run` calls it with --if-empty on every start: it then
leaves any database that already has people in it alone.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Department, User
from demo.build import build_demo
from demo.people import DEMO_USERS, PASSWORD, existing_demo_data
from demo.publishing import as_its_own_worker
from editorial.models import AuditEntry, Channel, Post


class Command(BaseCommand):
    help = (
        "Create demo data: a national team, three departments, one user per role "
        "(password: demo) and a week of posts in every workflow state. "
        "Development only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the database already has users or departments.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. The demo users' password is 'demo': "
            "never do this on a server people can reach.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                _(
                    "seed_demo creates users whose password is 'demo': it runs only with "
                    "DEBUG=1. Use --force if you really mean it on this database."
                )
            )
        if options["if_empty"] and (User.objects.exists() or Department.objects.exists()):
            self.stdout.write(
                _("Demo data not created: the database already has users or departments.")
            )
            return
        self._refuse_clashes()
        try:
            with as_its_own_worker(), transaction.atomic():
                build_demo()
        except IntegrityError as exc:
            # Something other than the demo's own users and teams is in the way (a
            # channel handle, say); nothing was written, so say so plainly.
            raise CommandError(
                _("Demo data not created, it clashes with existing data: %(error)s")
                % {"error": exc}
            ) from exc
        self._report()

    def _refuse_clashes(self) -> None:
        clashes = existing_demo_data()
        if clashes:
            raise CommandError(
                _(
                    "Demo data already exists (%(names)s). Nothing was changed. Start from an "
                    "empty database, or use --if-empty to skip seeding when there is data."
                )
                % {"names": ", ".join(clashes)}
            )

    def _report(self) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo data created: %(teams)d teams, %(channels)d channels, %(posts)d posts, "
                    "%(entries)d audit entries."
                )
                % {
                    "teams": Department.objects.count(),
                    "channels": Channel.objects.count(),
                    "posts": Post.objects.count(),
                    "entries": AuditEntry.objects.count(),
                }
            )
        )
        self.stdout.write(_("Demo logins (password: %(password)s):") % {"password": PASSWORD})
        for person in DEMO_USERS:
            team = Department.objects.get(code=person.team)
            self.stdout.write(f"  {person.username:<10} {person.role.label!s:<24} {team}")
        self.stdout.write(_("Public Atom feeds:"))
        for channel in Channel.objects.filter(network="atom").order_by("pk"):
            url = reverse("channel-atom-feed", args=[channel.pk])
            self.stdout.write(f"  {url:<24} {channel.name}")
