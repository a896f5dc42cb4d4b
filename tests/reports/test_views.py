"""The Reports page and its files, through the views: who may see them, what they hold."""

import io

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from editorial import audit
from editorial.models import AuditEntry, Publication, PublicationState
from tests.factories import ChannelFactory, PostFactory
from tests.reports.fixture import at, build, entry

pytestmark = pytest.mark.django_db

MARCH_APRIL = {"period": "custom", "start": "2026-03-01", "end": "2026-04-30", "by": "month"}


@pytest.fixture
def history(dept_a, dept_b, cm):
    return build(dept_a, dept_b, cm)


def content(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def test_the_head_sees_the_figures_and_the_link_in_the_menu(client, head, history):
    client.force_login(head)
    response = client.get(reverse("reports"), MARCH_APRIL)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{reverse("reports")}" aria-current="page"' in html
    assert "<title>Mastodon A: 2</title>" in html
    assert 'role="img"' in html and "style=" not in html
    # The head may not export the audit trail: no link.
    assert reverse("reports-audit-csv") not in html


@pytest.mark.parametrize("persona", ["contrib_a", "contrib_b", "outsider"])
def test_others_are_refused_everything(client, request, persona, history):
    client.force_login(request.getfixturevalue(persona))
    assert reverse("reports") not in client.get(reverse("home")).content.decode()
    for url in [
        reverse("reports"),
        reverse("reports-csv", args=["channel"]),
        reverse("reports-pdf"),
        reverse("reports-audit-csv"),
    ]:
        response = client.get(url, MARCH_APRIL)
        assert response.status_code == 403, url
        assert b"Mastodon A" not in response.content


def test_a_department_outside_the_scope_is_refused_by_the_form(client, cm, dept_a, history):
    client.force_login(cm)
    response = client.get(reverse("reports"), {**MARCH_APRIL, "department": 999_999})
    assert response.status_code == 200
    assert response.context["form"].errors["department"]
    assert "report" not in response.context


def test_bad_dates_keep_what_was_typed(client, head, history):
    client.force_login(head)
    response = client.get(
        reverse("reports"), {"period": "custom", "start": "2026-04-30", "end": "2026-03-01"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["end"]
    assert 'value="2026-04-30"' in response.content.decode()
    response = client.get(reverse("reports-csv", args=["channel"]), {"period": "custom"})
    assert response.status_code == 400


def test_table_csv_in_french_has_bom_semicolons_and_decimal_commas(client, head, history):
    client.force_login(head)
    client.cookies["django_language"] = "fr"
    response = client.get(reverse("reports-csv", args=["channel"]), MARCH_APRIL)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = content(response)
    assert text.startswith("\ufeff")
    lines = text[1:].splitlines()
    assert lines[1:] == ["Bluesky B;0;2;2", "Mastodon A;2;0;2"]
    lead = content(client.get(reverse("reports-csv", args=["lead_times"]), MARCH_APRIL))
    assert ";4;3,0;6,8" in lead.splitlines()[1]


def test_table_csv_in_english_uses_commas(client, head, history):
    client.force_login(head)
    client.cookies["django_language"] = "en"
    lead = content(client.get(reverse("reports-csv", args=["lead_times"]), MARCH_APRIL))
    assert lead.splitlines()[1] == "Head of communication's approval,4,3.0,6.8"
    assert client.get(reverse("reports-csv", args=["nothing"]), MARCH_APRIL).status_code == 404


def test_pdf_renders_the_figures(client, head, history):
    client.force_login(head)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("reports-pdf"), MARCH_APRIL)
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Cadence report" in text
    assert "Mastodon A" in text and "Recrutement" in text
    assert "6.8" in text  # the head's p90 lead time


def test_audit_csv_is_streamed_and_limited_to_the_period(client, director, history):
    client.force_login(director)
    client.cookies["django_language"] = "en"
    response = client.get(
        reverse("reports-audit-csv"),
        {"period": "custom", "start": "2026-03-25", "end": "2026-03-25"},
    )
    assert response.streaming
    lines = content(response)[1:].splitlines()
    assert lines[0] == "When,Who,Action,Object,Object name,From state,To state,Why"
    # The three entries of p3 on 25 March, in Paris time.
    assert [line.split(",")[2] for line in lines[1:]] == ["fast_track", "approve", "sign_off"]
    assert lines[1].startswith("2026-03-25T09:00:00+01:00,")


def test_audit_csv_narrowed_to_a_department(client, admin_user, dept_a, history):
    client.force_login(admin_user)
    client.cookies["django_language"] = "fr"
    response = client.get(reverse("reports-audit-csv"), {**MARCH_APRIL, "department": dept_a.pk})
    lines = content(response)[1:].splitlines()[1:]
    a_posts = {f"editorial.post #{p.pk}" for p in history["posts"][:2] + history["posts"][4:5]}
    assert lines and all(line.split(";")[3] in a_posts for line in lines)
    assert (
        len(lines)
        == AuditEntry.objects.filter(
            object_id__in=[p.pk for p in history["posts"] if p.origin_department_id == dept_a.pk],
            object_type="editorial.post",
        ).count()
    )


def test_audit_csv_writes_formulas_as_text(client, director, post_a, cm):
    client.force_login(director)
    client.cookies["django_language"] = "en"
    with time_machine.travel(at(3, 5, 10), tick=False), transaction.atomic():
        audit.record(actor=cm, action="comment", obj=post_a, comment="=HYPERLINK(1)")
    text = content(client.get(reverse("reports-audit-csv"), MARCH_APRIL))
    assert ",'=HYPERLINK(1)" in text


def _grow(dept, channel, actor, count: int) -> None:
    for index in range(count):
        post = PostFactory(origin_department=dept, channels=[channel])
        Publication.objects.create(
            post=post,
            channel=channel,
            state=PublicationState.SENT,
            sent_at=at(3, 2 + index % 25, 9),
        )
        entry(actor, post, "fast_track", "draft", "pending_approval", at(3, 1 + index % 25, 8))
        entry(actor, post, "approve", "pending_approval", "approved", at(3, 1 + index % 25, 9))


def test_constant_number_of_queries_at_2_and_200_posts(client, head, cm, dept_a):
    channel = ChannelFactory(department=dept_a)
    client.force_login(head)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("reports"), MARCH_APRIL).status_code == 200
        return len(captured)

    _grow(dept_a, channel, cm, 2)
    few = queries()
    _grow(dept_a, channel, cm, 198)
    many = queries()
    assert few == many
    response = client.get(reverse("reports"), MARCH_APRIL)
    assert f"<title>{channel.name}: 200</title>" in response.content.decode()


def test_the_page_in_french(client, head, history):
    client.force_login(head)
    client.cookies["django_language"] = "fr"
    html = client.get(reverse("reports"), MARCH_APRIL).content.decode()
    assert "<h1>Bilans</h1>" in html
    assert "Délais d’approbation" in html
    assert '<td class="number">6,8</td>' in html
    assert "Du 1 mars 2026 au 30 avril 2026" in html
