from django.db import models
from django.utils.translation import gettext_lazy as _


class Network(models.TextChoices):
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    X = "x", "X"
    FACEBOOK = "facebook", _("Facebook Page")
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
    endpoint_url = models.URLField(
        _("endpoint"),
        max_length=500,
        blank=True,
        help_text=_("Where the webhook channel posts (Slack, Mattermost, Teams…)."),
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
