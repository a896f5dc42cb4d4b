from django.urls import path

from reports import views

urlpatterns = [
    path("", views.reports_page, name="reports"),
    path("report.pdf", views.report_pdf, name="reports-pdf"),
    path("audit.csv", views.audit_csv, name="reports-audit-csv"),
    path("<slug:key>.csv", views.table_csv, name="reports-csv"),
]
