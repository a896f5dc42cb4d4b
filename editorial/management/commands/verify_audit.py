"""`manage.py verify_audit`: recompute the audit chain and name the first entry that breaks.

Exits 0 and says how many entries were checked when the chain is intact; otherwise
raises CommandError (exit code 1) naming the first bad entry, e.g.
"Audit trail broken at entry #12: its content was altered after it was written".
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from editorial.audit import snapshot, verify_chain
from editorial.models import AuditEntry


class Command(BaseCommand):
    help = (
        "Check the audit trail: recompute every entry's hash, check that each entry "
        "chains to the previous one and that none is missing. Exits non-zero at the "
        "first broken entry."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=2000,
            help="Entries read from the database at a time (default: 2000).",
        )
        parser.add_argument(
            "--published",
            metavar="'#SEQ HASH'",
            help='A chain head logged earlier ("Audit chain head #SEQ HASH"): that entry '
            "must still be in the chain with that hash.",
        )

    def handle(self, *args, **options):
        if options["batch_size"] < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        published = _published(options["published"]) if options["published"] else None
        with snapshot():
            problem = verify_chain(batch_size=options["batch_size"], published=published)
            count = AuditEntry.objects.count() if problem is None else 0
        if problem is not None:
            raise CommandError(_("Audit trail broken at %(where)s") % {"where": problem})
        self.stdout.write(
            self.style.SUCCESS(_("Audit trail intact: %(count)d entries.") % {"count": count})
        )


def _published(text: str) -> tuple[int, str]:
    seq, _sep, entry_hash = text.strip().lstrip("#").partition(" ")
    if not seq.isdigit() or len(entry_hash.strip()) != 64:
        raise CommandError(_("--published takes a logged head: '#SEQ HASH'."))
    return int(seq), entry_hash.strip()
