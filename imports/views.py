"""Upload → preview → confirm. The preview creates nothing; the confirmation reads the
kept file again, checks it again and creates it whole, or nothing."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from editorial.workflow.errors import WorkflowError
from imports import services, storage
from imports.reading import COLUMN_HELP, COLUMNS, MAX_BYTES, MAX_LINES, REQUIRED, FileRefused
from imports.templates_files import template_csv, template_xlsx

PAGE = "imports/upload.html"
PREVIEW = "imports/preview.html"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (CSV or XLSX)"),
        help_text=gettext_lazy("1 MB and 500 lines at most."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(max)s MB: split the plan into several files.")
                % {"max": MAX_BYTES // (1024 * 1024)}
            )
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError(_("Choose a CSV or XLSX file."))
        return upload


def _planner(request) -> None:
    try:
        services.require_planner(request.user)
    except WorkflowError as exc:
        raise PermissionDenied(str(exc)) from None


def _columns():
    return [
        {
            "name": name,
            "aliases": names[1:],
            "help": COLUMN_HELP[name],
            "required": name in REQUIRED,
        }
        for name, names in COLUMNS.items()
    ]


def _upload_page(request, form, status=200):
    context = {
        "section": "plans",
        "form": form,
        "columns": _columns(),
        "max_lines": MAX_LINES,
        "zone": str(timezone.get_current_timezone()),
    }
    return render(request, PAGE, context, status=status)


def _preview_page(request, name, items, errors, key=None, status=200):
    context = {
        "section": "plans",
        "file_name": name,
        "items": items,
        "errors": errors,
        "key": key,
        "zone": str(timezone.get_current_timezone()),
    }
    return render(request, PREVIEW, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    _planner(request)
    if request.method == "GET":
        return _upload_page(request, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, form, status=400)
    upload = form.cleaned_data["file"]
    data, name = upload.read(MAX_BYTES + 1), upload.name[:200]
    try:
        items, errors = services.preview(request.user, name, data)
    except FileRefused as exc:
        return _preview_page(request, name, [], exc.errors, status=400)
    if errors:
        storage.forget(request.session)
        return _preview_page(request, name, items, errors, status=400)
    key = storage.keep(request.session, name, data)
    return _preview_page(request, name, items, [], key=key)


@login_required
@require_POST
def confirm(request):
    _planner(request)
    kept = storage.claim(request.session, request.POST.get("key", ""))
    if kept is None:
        messages.error(request, _("That import is no longer waiting: upload the file again."))
        return redirect("plan-import")
    name, data = kept
    try:
        posts = services.import_file(request.user, name, data)
    except FileRefused as exc:
        storage.forget(request.session)
        return _preview_page(request, name, [], exc.errors, status=400)
    except WorkflowError as exc:
        storage.forget(request.session)
        messages.error(request, _("Nothing was imported: %(reason)s") % {"reason": exc})
        return redirect("plan-import")
    storage.forget(request.session)
    messages.success(
        request,
        ngettext(
            "%(count)s post imported from “%(file)s” and planned.",
            "%(count)s posts imported from “%(file)s” and planned.",
            len(posts),
        )
        % {"count": len(posts), "file": name},
    )
    first = posts[0].plan
    return redirect("plan-board-week", first.iso_year, first.iso_week)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def template_file(request, kind: str):
    _planner(request)  # it holds no data, but it belongs to the import, which is theirs
    if kind not in ("csv", "xlsx"):
        raise Http404
    if kind == "xlsx":
        return _download(
            template_xlsx(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "cadence-plan.xlsx",
        )
    return _download(template_csv(), "text/csv; charset=utf-8", "cadence-plan.csv")


urlpatterns = [
    path("plans/import/", upload, name="plan-import"),
    path("plans/import/confirm/", confirm, name="plan-import-confirm"),
    path(
        "plans/import/template.<str:kind>",
        template_file,
        name="plan-import-template",
    ),
]
