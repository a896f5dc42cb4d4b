"""Who may read the reports and who may export the audit trail (editorial/permissions.py)."""

import pytest

from editorial.permissions import deny_audit_export, deny_reports

pytestmark = pytest.mark.django_db

REPORTS = {
    "cm": True,
    "head": True,
    "director": True,
    "admin_user": True,
    "contrib_a": False,
    "outsider": False,
}
AUDIT = {**REPORTS, "cm": False, "head": False}


@pytest.mark.parametrize("persona", REPORTS)
def test_who_reads_the_reports(request, persona):
    user = request.getfixturevalue(persona)
    assert (deny_reports(user) is None) is REPORTS[persona]


@pytest.mark.parametrize("persona", AUDIT)
def test_who_exports_the_audit_trail(request, persona):
    user = request.getfixturevalue(persona)
    assert (deny_audit_export(user) is None) is AUDIT[persona]


def test_a_superuser_without_a_role_reads_and_exports(django_user_model):
    boss = django_user_model.objects.create_superuser("boss", "boss@example.org", "x")
    assert deny_reports(boss) is None and deny_audit_export(boss) is None


def test_an_inactive_account_gets_nothing(head):
    head.is_active = False
    assert deny_reports(head) is not None
