"""Two pages beside the bell: where each team's chat is (who manages channels sets it),
and, in DEBUG only, the e-mails sent (a local run reads its mail there)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Department
from accounts.scope import department_ids_of
from editorial.models import Channel as SocialChannel
from notifications import chat
from notifications.models import Channel, Delivery, TeamChat
from workspace.permissions import deny_manage_channels

SENT_MAIL_ROWS = 50


class TeamChatForm(forms.Form):
    """One choice per team: none, or one of its own chat webhooks."""

    def __init__(self, *args, departments, channels, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.departments = {d.pk: d for d in departments}
        self.channels = {c.pk: c for c in channels}
        for department in departments:
            own = [(str(c.pk), c.name) for c in channels if c.department_id == department.pk]
            self.fields[f"team_{department.pk}"] = forms.ChoiceField(
                label=department.name,
                choices=[("", gettext_lazy("No team chat")), *own],
                initial=str(current.get(department.pk) or ""),
                required=False,
                help_text=""
                if own
                else gettext_lazy("This team has no Mattermost, Slack or Teams webhook channel."),
            )

    def changes(self, current: dict) -> list[tuple[Department, SocialChannel | None]]:
        found = []
        for pk, department in self.departments.items():
            chosen = self.cleaned_data.get(f"team_{pk}") or None
            chosen = int(chosen) if chosen else None
            if chosen != current.get(pk):
                found.append((department, self.channels.get(chosen) if chosen else None))
        return found


@login_required
def team_chats(request):
    if reason := deny_manage_channels(request.user):
        raise PermissionDenied(reason)
    scope = department_ids_of(request.user)
    departments = list(Department.objects.filter(pk__in=scope))
    channels = [
        c
        for c in SocialChannel.objects.filter(department_id__in=scope, network="webhook")
        .filter(is_active=True)
        .order_by("name")
        if (c.settings or {}).get("webhook_format") in chat.CHAT_FORMATS
    ]
    current = dict(
        TeamChat.objects.filter(department_id__in=scope).values_list("department_id", "channel_id")
    )
    data = request.POST if request.method == "POST" else None
    form = TeamChatForm(data, departments=departments, channels=channels, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            for department, channel in form.changes(current):
                chat.set_team_chat(department, channel, request.user)
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The team chats are saved."))
            return redirect("notification-team-chats")
    return render(
        request,
        "notifications/team_chats.html",
        {"form": form, "section": "notifications"},
        status=400 if form.is_bound else 200,
    )


@login_required
def sent_mail(request):
    """The e-mails sent, newest first (DEBUG only: a local run's mailbox)."""
    if not settings.DEBUG:
        raise Http404
    deliveries = list(
        Delivery.objects.filter(channel=Channel.EMAIL, state=Delivery.State.SENT)
        .select_related("notification__recipient")
        .order_by("-sent_at", "-pk")[:SENT_MAIL_ROWS]
    )
    return render(
        request,
        "notifications/sent_mail.html",
        {"deliveries": deliveries, "section": "notifications"},
    )


urlpatterns = [
    path("chats/", team_chats, name="notification-team-chats"),
    path("sent-mail/", sent_mail, name="notification-sent-mail"),
]
