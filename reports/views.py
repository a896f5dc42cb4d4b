"""The Reports page, its CSV and PDF exports, and the audit trail export. Thin: the
figures come from reports/figures.py, the files from reports/exports.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.scope import department_ids_of
from editorial.models import AuditEntry
from editorial.permissions import deny_audit_export, deny_reports
from reports import exports, figures
from reports.charts import bar_chart
from reports.period import Preset, bound_form

TEMPLATE = "reports/index.html"


def _forbidden(request, reason: str):
    return render(
        request, "reports/forbidden.html", {"section": "reports", "reason": reason}, status=403
    )


def _selection(request):
    """The form, and if it is valid the scope, period and bucket it chose."""
    department_ids = department_ids_of(request.user)
    form = bound_form(request.GET, department_ids)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    scope = figures.Scope(
        department_ids=frozenset(department_ids),
        department=data["department"].pk if data["department"] else None,
        channel=data["channel"].pk if data["channel"] else None,
        category=data["category"] or "",
        campaign=data["campaign"].pk if data["campaign"] else None,
    )
    return form, (scope, form.period_covered(), data["by"])


def _context(request, form, chosen) -> dict:
    context = {"section": "reports", "form": form, "query": request.GET.urlencode()}
    if chosen is None:
        return context
    scope, period, by = chosen
    report = figures.report(scope, period, by)
    context.update(
        period=period,
        by=by,
        report=report,
        over_time=(report["over_time"], bar_chart(report["over_time"], column=1)),
        dimensions=[(table, bar_chart(table)) for table in report["dimensions"]],
        troubles=(report["troubles"], bar_chart(report["troubles"], column=1)),
        lead_times=report["lead_times"],
        may_export_audit=deny_audit_export(request.user) is None,
        last_month=f"period={Preset.LAST_MONTH}&by=week",
    )
    return context


@login_required
def reports_page(request):
    reason = deny_reports(request.user)
    if reason:
        return _forbidden(request, reason)
    form, chosen = _selection(request)
    return render(request, TEMPLATE, _context(request, form, chosen), status=200)


@login_required
def table_csv(request, key: str):
    reason = deny_reports(request.user)
    if reason:
        return _forbidden(request, reason)
    form, chosen = _selection(request)
    if chosen is None:
        return render(request, TEMPLATE, _context(request, form, None), status=400)
    scope, period, by = chosen
    report = figures.report(scope, period, by)
    tables = {t.key: t for t in [report["over_time"], report["troubles"], report["lead_times"]]}
    tables.update({t.key: t for t in report["dimensions"]})
    if key not in tables:
        raise Http404
    response = StreamingHttpResponse(
        exports.csv_lines(exports.table_rows(tables[key]), *exports.dialect()),
        content_type="text/csv; charset=utf-8",
    )
    name = f"cadence-{key}-{period.first_day:%Y-%m-%d}-{period.last_day:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def report_pdf(request):
    reason = deny_reports(request.user)
    if reason:
        return _forbidden(request, reason)
    form, chosen = _selection(request)
    if chosen is None:
        return render(request, TEMPLATE, _context(request, form, None), status=400)
    context = _context(request, form, chosen)
    html = render_to_string("reports/pdf.html", context, request=request)
    period = context["period"]
    response = HttpResponse(exports.pdf_bytes(html), content_type="application/pdf")
    name = f"cadence-report-{period.first_day:%Y-%m-%d}-{period.last_day:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


AUDIT_HEADERS = [
    gettext_lazy("When"),
    gettext_lazy("Who"),
    gettext_lazy("Action"),
    gettext_lazy("Object"),
    gettext_lazy("Object name"),
    gettext_lazy("From state"),
    gettext_lazy("To state"),
    gettext_lazy("Why"),
]


@login_required
def audit_csv(request):
    """The audit trail of the period, streamed: rows are read in chunks and written
    as they come, so a year of the trail costs no more memory than a day. A department
    chosen narrows it to that department's posts."""
    reason = deny_audit_export(request.user)
    if reason:
        return _forbidden(request, reason)
    form, chosen = _selection(request)
    if chosen is None:
        return render(request, TEMPLATE, _context(request, form, None), status=400)
    scope, period, _by = chosen
    entries = AuditEntry.objects.filter(
        created_at__gte=period.start, created_at__lt=period.end
    ).order_by("seq")
    if scope.department or scope.channel or scope.category or scope.campaign:
        entries = entries.filter(
            object_type=figures.POST_TYPE, object_id__in=scope.posts().values("pk")
        )
    headers = [str(header) for header in AUDIT_HEADERS]
    response = StreamingHttpResponse(
        exports.csv_lines(
            exports.audit_rows(entries, headers, timezone.get_current_timezone()),
            *exports.dialect(),
        ),
        content_type="text/csv; charset=utf-8",
    )
    name = f"cadence-audit-{period.first_day:%Y-%m-%d}-{period.last_day:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
