from django.db import models
from django.utils.translation import gettext_lazy as _

from editorial import credentials


class Network(models.TextChoices):
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    X = "x", "X"
    FACEBOOK = "facebook", _("Facebook Page")
    INSTAGRAM = "instagram", _("Instagram professional account")
    LINKEDIN = "linkedin", _("LinkedIn organisation page")
    WEBHOOK = "webhook", _("Webhook (Slack, Mattermost, Teams)")
    ATOM = "atom", _("Public Atom feed")
    LOG = "log", _("Server log")


class Channel(models.Model):
    """An account on a network, owned by the national team or by one department."""

    name = models.CharField(_("name"), max_length=120)
    network = models.CharField(_("network"), max_length=16, choices=Network.choices)
    handle = models.CharField(_("handle"), max_length=200)
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        related_name="channels",
        verbose_name=_("department"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # What a network needs that is not secret (a Mastodon instance's address, the limits
    # read from it): keys declared by the network's `ChannelConfig.settings_fields`.
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    # The secrets (access tokens, app passwords): a Fernet token of a JSON dict, read and
    # written only through `credentials` / `set_credentials` (editorial/credentials.py).
    encrypted_credentials = models.TextField(blank=True, default="", editable=False)
    # The network refused the credentials (401/403): nothing goes out until someone
    # connects the channel again (new credentials, or a Test connection that works).
    needs_reconnecting = models.BooleanField(_("needs reconnecting"), default=False)
    # When the access token an OAuth connection gave expires (None: it does not, or the
    # network has no such token). Kept in clear, beside the encrypted token, so that the
    # refresh task finds the channels due for a refresh by an index, without decrypting.
    token_expires_at = models.DateTimeField(
        _("token expires at"), null=True, blank=True, db_index=True, editable=False
    )

    class Meta:
        ordering = ["department__name", "name"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        constraints = [
            models.UniqueConstraint(fields=["network", "handle"], name="unique_channel_handle")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_network_display()})"

    @property
    def credentials(self) -> dict:
        """The decrypted secrets ({} when none). Raises `CredentialsUnreadable`, which
        names the channel and never the secret, when no configured key opens them."""
        if not self.encrypted_credentials:
            return {}
        try:
            return credentials.decrypt(self.encrypted_credentials)
        except credentials.KeysMissing:
            raise credentials.CredentialsUnreadable(self, no_key=True) from None
        except (credentials.InvalidToken, ValueError):
            raise credentials.CredentialsUnreadable(self) from None

    def set_credentials(self, secrets: dict) -> None:
        """Encrypt `secrets` (empty values dropped) with the first key; the caller saves."""
        kept = {name: value for name, value in secrets.items() if value not in ("", None)}
        try:
            self.encrypted_credentials = credentials.encrypt(kept) if kept else ""
        except credentials.KeysMissing:
            raise credentials.CredentialsUnreadable(self, no_key=True) from None

    # The network's rules live with its adapter (editorial/channels/<network>/); these
    # read them for the pages that show a channel's limits. Imported here, not at the
    # top: the adapters build on the models.

    @property
    def text_limit(self) -> int | None:
        from editorial.channels import adapter_for

        return adapter_for(self).text_limit

    @property
    def media_limit(self) -> int | None:
        from editorial.channels import adapter_for

        return adapter_for(self).media_limit


class Campaign(models.Model):
    """Posts and events grouped across channels and weeks (a recruitment drive…)."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("department"),
    )

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name
