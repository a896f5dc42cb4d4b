"""`manage.py rotate_channel_keys`: re-encrypt every channel's credentials with the first
key of CADENCE_CREDENTIALS_KEYS.

Rotating a key: put the new key first in CADENCE_CREDENTIALS_KEYS (keep the old one
after it), restart, run this command, then remove the old key. Each channel is
re-encrypted in its own conditional UPDATE (only if its token is still the one read),
so a channel saved meanwhile keeps its new credentials and running it twice is safe.
A channel no configured key opens is named, left as it is, and makes the command exit
non-zero; its secret is never printed.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from editorial import credentials
from editorial.models import Channel


class Command(BaseCommand):
    help = (
        "Re-encrypt every channel's credentials with the first key of "
        "CADENCE_CREDENTIALS_KEYS (the others still decrypt)."
    )

    def handle(self, *args, **options):
        try:
            credentials.fernet()
        except credentials.KeysMissing:
            raise CommandError(
                _("No key: set %(variable)s.") % {"variable": credentials.ENVIRONMENT_VARIABLE}
            ) from None
        rotated, unreadable = 0, []
        rows = Channel.objects.exclude(encrypted_credentials="").values_list(
            "pk", "encrypted_credentials"
        )
        for pk, token in rows.iterator():
            try:
                new = credentials.rotate(token)
            except credentials.InvalidToken:
                unreadable.append(Channel.objects.get(pk=pk))
                continue
            rotated += Channel.objects.filter(pk=pk, encrypted_credentials=token).update(
                encrypted_credentials=new
            )
        self.stdout.write(_("Channels re-encrypted: %(count)d.") % {"count": rotated})
        if unreadable:
            for channel in unreadable:
                self.stderr.write(str(credentials.CredentialsUnreadable(channel)))
            raise CommandError(
                _("%(count)d channel(s) could not be read with the configured keys.")
                % {"count": len(unreadable)}
            )
