"""The note-cadre: the sensitivity rules, with a box to try a text against them."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from editorial.models import SensitivityRule
from editorial.workflow.errors import WorkflowError
from workspace import services
from workspace.access import rule_or_404
from workspace.forms import RuleForm, RuleTestForm
from workspace.matching import rules_matching
from workspace.permissions import deny_manage_rules
from workspace.views.common import invalid, manages, page, refusal

LIST = "workspace/rules/list.html"
FORM = "workspace/rules/form.html"
RESULT = "workspace/rules/_test_result.html"
CURRENT = "rules"


def _list(request, *, test_form=None, results=None, status=200):
    rules = SensitivityRule.objects.order_by("-active", "topic", "pattern")
    return page(
        request,
        LIST,
        CURRENT,
        status=status,
        rules=list(rules),
        test_form=test_form or RuleTestForm(),
        results=results,
    )


@manages(deny_manage_rules, CURRENT)
def rule_list(request):
    return _list(request)


@manages(deny_manage_rules, CURRENT)
@require_POST
def rule_test(request):
    """The active rules the sample matches, and where: the fragment for htmx, the
    whole page otherwise."""
    form = RuleTestForm(request.POST)
    results = rules_matching(form.cleaned_data["text"]) if form.is_valid() else None
    if request.htmx:
        return render(request, RESULT, {"test_form": form, "results": results})
    return _list(request, test_form=form, results=results, status=200 if form.is_valid() else 400)


@manages(deny_manage_rules, CURRENT)
@require_POST
def rule_draft_test(request, pk: int | None = None):
    """What the rule as typed on its form (not saved) would match: the fragment for
    htmx, the form page otherwise."""
    rule = rule_or_404(request.user, pk) if pk is not None else None
    form = RuleForm(request.POST, instance=rule)
    test_form = RuleTestForm(request.POST)
    results = None
    # The form fills its (unsaved) instance as it validates: that is the draft rule.
    if form.is_valid() and test_form.is_valid():
        results = rules_matching(test_form.cleaned_data["text"], [form.instance])
    context = {"test_form": test_form, "results": results, "draft": form}
    if request.htmx:
        return render(request, RESULT, context)
    status = 200 if results is not None else 400
    return page(request, FORM, CURRENT, status=status, form=form, rule=rule, **context)


@manages(deny_manage_rules, CURRENT)
@require_http_methods(["GET", "POST"])
def rule_form(request, pk: int | None = None):
    rule = rule_or_404(request.user, pk) if pk is not None else None
    form = RuleForm(request.POST if request.method == "POST" else None, instance=rule)
    extra = {"form": form, "rule": rule, "test_form": RuleTestForm()}
    if request.method == "GET":
        return page(request, FORM, CURRENT, **extra)
    if not form.is_valid():
        return invalid(request, FORM, CURRENT, **extra)
    try:
        saved = services.save_rule(request.user, form)
    except WorkflowError as exc:
        return refusal(request, exc, FORM, CURRENT, **extra)
    messages.success(request, _("Rule saved: %(rule)s.") % {"rule": saved})
    return redirect("workspace-rules")


@manages(deny_manage_rules, CURRENT)
@require_POST
def rule_switch(request, pk: int):
    rule = rule_or_404(request.user, pk)
    active = request.POST.get("active") == "1"
    try:
        services.set_rule_active(request.user, rule, active)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return _list(request, status=exc.status)
    if active:
        messages.success(request, _("Rule switched on: %(rule)s.") % {"rule": rule})
    else:
        messages.success(
            request,
            _("Rule switched off: %(rule)s. Posts it flagged before stay flagged.")
            % {"rule": rule},
        )
    return redirect("workspace-rules")


urlpatterns = [
    path("rules/", rule_list, name="workspace-rules"),
    path("rules/test/", rule_test, name="workspace-rule-test"),
    path("rules/new/", rule_form, name="workspace-rule-create"),
    path("rules/<int:pk>/", rule_form, name="workspace-rule-edit"),
    path("rules/new/test/", rule_draft_test, name="workspace-rule-draft-test"),
    path("rules/<int:pk>/test/", rule_draft_test, name="workspace-rule-draft-test"),
    path("rules/<int:pk>/switch/", rule_switch, name="workspace-rule-switch"),
]
