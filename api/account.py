"""My API tokens, on the account page: create one (named; its value shown once, on the
answer to the creation, never again), see when each was last used, revoke one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from api.models import ApiToken
from api.tokens import NAME_MAX, create_token, revoke_token
from editorial.workflow.errors import WorkflowError
from workspace.views.common import page

TOKENS = "api/tokens.html"
CURRENT = "account"


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=NAME_MAX,
        help_text=gettext_lazy("What will use it, such as “Intranet agenda”."),
    )


def _tokens(user):
    return ApiToken.objects.filter(user=user)[:50]


@never_cache  # the page that shows a new token's value must not be kept by any cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    form = TokenForm(request.POST if request.method == "POST" else None)
    created = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                token, raw = create_token(
                    request.user,
                    form.cleaned_data["name"],
                    verified=request.user.is_verified(),
                )
                created = {"token": token, "raw": raw}
                form = TokenForm()
                status = 201
            except WorkflowError as exc:
                form.add_error("name", str(exc))
                status = exc.status
        else:
            status = 400
    return page(
        request,
        TOKENS,
        CURRENT,
        status=status,
        form=form,
        created=created,
        tokens=_tokens(request.user),
    )


@login_required
@require_POST
def revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    revoke_token(token, request.user)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("api-tokens")


urlpatterns = [
    path("account/tokens/", tokens, name="api-tokens"),
    path("account/tokens/<int:pk>/revoke/", revoke, name="api-token-revoke"),
]
