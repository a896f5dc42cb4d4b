"""`manage.py seed_scale --posts N`: a national institution's size of data, in bulk
(demo/scale.py). For measuring pages at scale (bench/pages.py); never on a server."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from demo.scale import build_scale
from editorial.models import Post


class Command(BaseCommand):
    help = (
        "Fill the database with 100 departments, 500 channels, 300 people and N posts "
        "over three years, with their plans, publications, notices and audit trail."
    )

    def add_arguments(self, parser):
        parser.add_argument("--posts", type=int, default=2000, help="How many posts.")
        parser.add_argument("--seed", type=int, default=18, help="Random seed.")
        parser.add_argument(
            "--force", action="store_true", help="Run even if the database already has posts."
        )

    def handle(self, *args, **options):
        if options["posts"] < 1:
            raise CommandError(_("--posts must be at least 1."))
        if Post.objects.exists() and not options["force"]:
            raise CommandError(
                _("The database already holds posts: seed_scale adds to an empty one (--force).")
            )
        started = time.monotonic()

        def log(message: str) -> None:
            self.stdout.write(f"[{time.monotonic() - started:6.1f} s] {message}")

        counts = build_scale(options["posts"], seed=options["seed"], log=log)
        summary = ", ".join(f"{name} {value}" for name, value in counts.items())
        log(f"done in {time.monotonic() - started:.1f} s: {summary}")
