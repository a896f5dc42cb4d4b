"""A channel's network configuration on the forms that edit channels (the workspace's
channel page, the admin).

Every network's configuration fields are on the form, optional there; the chosen
network's `ChannelConfig` (`editorial.channels.config_for`) then checks what was sent
and writes it onto the channel. So a channel is saved only with what its adapter needs,
and a refusal is a field error on the page, with what was typed kept.
"""

from __future__ import annotations

import copy

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from editorial.channels import config_for, known_adapters, secret_fields
from editorial.channels.base import ChannelConfig


def network_fields() -> dict[str, forms.Field]:
    """Every network's configuration fields, by name. A name two networks share is one
    `Channel` attribute, so one field."""
    fields: dict[str, forms.Field] = {}
    for adapter in known_adapters():
        for name, field in adapter.config.base_fields.items():
            fields.setdefault(name, copy.deepcopy(field))
    for field in fields.values():
        field.required = False  # only the chosen network's configuration requires
    return fields


NETWORK_FIELDS = network_fields()
SECRETS = secret_fields()


class NetworkConfigMixin:
    """Mixed into a `ModelForm` of `Channel`, before it."""

    # Collected by Django's form metaclass from every base, like fields declared here.
    declared_fields = NETWORK_FIELDS

    network_config: ChannelConfig | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read from where the channel's own network keeps each field (an attribute, or
        # a key of its settings).
        own = config_for(self.instance.network) if self.instance.network else None
        for name in NETWORK_FIELDS:
            if name in SECRETS:
                # Never sent to the page, and an empty field is "unchanged", not "erased".
                self.initial.pop(name, None)
            elif own is not None and name in own.base_fields:
                self.initial.setdefault(name, own.stored(self.instance, name))
            else:
                self.initial.setdefault(name, getattr(self.instance, name, None))

    def clean(self):
        data = super().clean()
        for name in NETWORK_FIELDS:
            # The chosen network's configuration checks and writes these, not this form:
            # its errors replace the form's own (another network's field is ignored).
            data.pop(name, None)
            self._errors.pop(name, None)
        network = data.get("network")
        if not network:
            return data  # the network field says what is wrong
        config = config_for(network)(self.data, channel=self.instance, prefix=self.prefix)
        if config.is_valid():
            self.network_config = config
        for name, errors in config.errors.as_data().items():
            self.add_error(None if name == NON_FIELD_ERRORS else name, errors)
        return data

    @property
    def changed_data(self) -> list[str]:
        # A field of another network than the chosen one is not written: not a change.
        chosen = self.network_config.fields if self.network_config else {}
        others = NETWORK_FIELDS.keys() - chosen.keys()
        return [name for name in super().changed_data if name not in others]

    def save(self, commit: bool = True):
        channel = super().save(commit=False)
        if self.network_config is not None:
            self.network_config.apply(channel)
        if commit:
            channel.save()
            self._save_m2m()
        return channel
