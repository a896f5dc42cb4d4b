"""People: invited by e-mail (an inactive account and a one-time link to set a
password), their role and departments changed, deactivated; by the administrator and
the head of communication."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from accounts.scope import department_ids_of, roles_of, works_in
from editorial.audit import entries_for
from tests.factories import UserFactory


def _invite(client, department, **overrides):
    return client.post(
        reverse("workspace-invite"),
        {
            "email": "Lea.Martin@Example.org",
            "first_name": "Léa",
            "last_name": "Martin",
            "role": Role.CONTRIBUTOR,
            "departments": [str(department.pk)],
            **overrides,
        },
    )


def _link(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


# --- access ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["cm", "director", "contrib_a", "outsider"])
def test_other_roles_may_not_list_invite_or_change_people(
    client, persona, request, dept_a, contrib_a
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("workspace-people")).status_code == 403
    assert _invite(client, dept_a).status_code == 403
    response = client.post(reverse("workspace-person-deactivate", args=[contrib_a.pk]))
    assert response.status_code == 403
    assert not mail.outbox
    contrib_a.refresh_from_db()
    assert contrib_a.is_active
    assert not User.objects.filter(email__iexact="lea.martin@example.org").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["head", "admin_user"])
def test_the_head_and_the_administrator_list_people_with_role_and_department(
    client, persona, request, contrib_a
):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(reverse("workspace-people")).content.decode()
    assert "contrib67" in page and "Department contributor" in page and "DDSP 67" in page


def test_a_person_who_does_not_exist_is_404(client, head):
    client.force_login(head)
    assert client.get(reverse("workspace-person-edit", args=[999])).status_code == 404
    assert client.post(reverse("workspace-person-deactivate", args=[999])).status_code == 404


# --- inviting -------------------------------------------------------------------------


def test_an_invitation_makes_an_inactive_account_and_mails_a_one_time_link(client, head, dept_a):
    client.force_login(head)
    response = _invite(client, dept_a)
    assert response.status_code == 302
    person = User.objects.get(email="lea.martin@example.org")
    assert (person.username, person.first_name, person.is_active) == (
        "lea.martin@example.org",
        "Léa",
        False,
    )
    assert not person.has_usable_password()
    assert set(person.groups.values_list("name", flat=True)) == {
        Role.CONTRIBUTOR,
        dept_a.group.name,
    }
    assert entries_for(person).get().action == "invite_person"
    page = client.get(response["Location"]).content.decode()
    assert "Invitation sent to lea.martin@example.org" in page
    [message] = mail.outbox
    assert message.to == ["lea.martin@example.org"]
    assert "lea.martin@example.org" in message.body  # the username to sign in with

    # The link: choose a password, and the account is active and signed in.
    client.logout()
    link = _link(message)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and "Choose your password" in form_page.content.decode()
    set_password = form_page.redirect_chain[-1][0]
    response = client.post(
        set_password,
        {"new_password1": "Bas-Rhin 2030 !", "new_password2": "Bas-Rhin 2030 !"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_active and person.check_password("Bas-Rhin 2030 !")
    assert works_in(person, dept_a.pk) and roles_of(person) == {Role.CONTRIBUTOR}
    assert client.get(reverse("post-list")).status_code == 200  # signed in

    # Once used, the link is no link.
    client.logout()
    again = client.get(link, follow=True).content.decode()
    assert "no longer valid" in again


def test_a_new_invitation_voids_the_link_sent_before(client, admin_user, dept_a):
    client.force_login(admin_user)
    _invite(client, dept_a)
    person = User.objects.get(email="lea.martin@example.org")
    response = client.post(reverse("workspace-person-reinvite", args=[person.pk]))
    assert response.status_code == 302
    first, second = mail.outbox
    client.logout()
    assert "no longer valid" in client.get(_link(first), follow=True).content.decode()
    assert "Choose your password" in client.get(_link(second), follow=True).content.decode()


def test_a_bad_invitation_shows_the_errors_and_keeps_what_was_typed(
    client, head, dept_a, contrib_a
):
    client.force_login(head)
    response = _invite(client, dept_a, email=contrib_a.email, first_name="Jeanne", departments=[])
    assert response.status_code == 400
    page = response.content.decode()
    assert "Someone already has this e-mail address." in page
    assert "Choose at least one department." in page
    assert 'value="Jeanne"' in page
    assert not mail.outbox


def test_the_head_may_not_make_an_administrator(client, head, national):
    client.force_login(head)
    response = _invite(client, national, role=Role.ADMINISTRATOR)
    assert response.status_code == 400  # not among the choices offered
    assert not User.objects.filter(email="lea.martin@example.org").exists()


def test_the_administrator_may_make_an_administrator(client, admin_user, national):
    client.force_login(admin_user)
    assert _invite(client, national, role=Role.ADMINISTRATOR).status_code == 302


def test_a_mail_server_that_does_not_answer_is_said_and_the_invitation_can_be_sent_again(
    client, head, dept_a, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # discard: nothing listens
    client.force_login(head)
    response = _invite(client, dept_a, email="nobody@example.org")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "could not be sent" in page
    assert User.objects.filter(email="nobody@example.org", is_active=False).exists()


# --- changing and deactivating --------------------------------------------------------


def test_the_head_moves_a_contributor_to_another_department(
    client, head, contrib_a, dept_a, dept_b
):
    client.force_login(head)
    form = client.get(reverse("workspace-person-edit", args=[contrib_a.pk])).content.decode()
    assert f'value="{dept_a.pk}"' in form and "checked" in form
    response = client.post(
        reverse("workspace-person-edit", args=[contrib_a.pk]),
        {"role": Role.CONTRIBUTOR, "departments": [str(dept_b.pk)]},
    )
    assert response.status_code == 302
    person = User.objects.get(pk=contrib_a.pk)
    assert department_ids_of(person) == {dept_b.pk}
    entry = entries_for(person).get()
    assert entry.action == "change_person"
    assert entry.data["to"]["departments"] == [str(dept_b)]


def test_the_administrator_makes_a_contributor_a_community_manager(
    client, admin_user, contrib_a, national
):
    client.force_login(admin_user)
    client.post(
        reverse("workspace-person-edit", args=[contrib_a.pk]),
        {"role": Role.COMMUNITY_MANAGER, "departments": [str(national.pk)]},
    )
    person = User.objects.get(pk=contrib_a.pk)
    assert roles_of(person) == {Role.COMMUNITY_MANAGER}


def test_a_change_without_a_department_shows_the_error_and_changes_nothing(
    client, head, contrib_a, dept_a
):
    client.force_login(head)
    response = client.post(
        reverse("workspace-person-edit", args=[contrib_a.pk]), {"role": Role.DIRECTOR}
    )
    assert response.status_code == 400
    assert "Choose at least one department." in response.content.decode()
    person = User.objects.get(pk=contrib_a.pk)
    assert roles_of(person) == {Role.CONTRIBUTOR} and works_in(person, dept_a.pk)


def test_deactivating_a_person_ends_their_access(client, head, contrib_a):
    other = client.__class__()
    other.force_login(contrib_a)
    client.force_login(head)
    response = client.post(reverse("workspace-person-deactivate", args=[contrib_a.pk]))
    assert response.status_code == 302
    contrib_a.refresh_from_db()
    assert not contrib_a.is_active and not contrib_a.has_usable_password()
    # (Besides the entry of their sign-in.)
    assert entries_for(contrib_a).exclude(action="login").get().action == "deactivate_person"
    assert other.get(reverse("post-list")).status_code == 302  # signed out


def test_deactivating_takes_only_a_post(client, head, contrib_a):
    client.force_login(head)
    url = reverse("workspace-person-deactivate", args=[contrib_a.pk])
    assert client.get(url).status_code == 405


def test_nobody_deactivates_themselves(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("workspace-person-deactivate", args=[admin_user.pk]))
    assert response.status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_the_head_may_not_touch_an_administrator_nor_anyone_a_superuser(
    client, head, admin_user, national
):
    root = UserFactory(username="root", is_superuser=True, department=national)
    client.force_login(head)
    for person in (admin_user, root):
        edit = reverse("workspace-person-edit", args=[person.pk])
        assert client.get(edit).status_code == 403
        response = client.post(edit, {"role": Role.CONTRIBUTOR, "departments": [national.pk]})
        assert response.status_code == 403
        deactivate = reverse("workspace-person-deactivate", args=[person.pk])
        assert client.post(deactivate).status_code == 403
        person.refresh_from_db()
        assert person.is_active
    assert Group.objects.get(name=Role.ADMINISTRATOR).user_set.filter(pk=admin_user.pk).exists()


def test_the_people_list_costs_the_same_queries_for_many_people(client, head, dept_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(head)
    UserFactory(role=Role.CONTRIBUTOR, department=dept_a)
    client.get(reverse("workspace-people"))  # the session and the roles, once
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("workspace-people"))
    for _ in range(5):
        UserFactory(role=Role.CONTRIBUTOR, department=dept_a)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("workspace-people"))
    assert response.status_code == 200
    assert len(many) == len(few)


def test_another_departments_person_is_hidden_as_if_they_did_not_exist(contrib_b, contrib_a):
    from django.http import Http404

    from workspace.access import person_or_404

    with pytest.raises(Http404):
        person_or_404(contrib_b, contrib_a.pk)
    assert person_or_404(contrib_b, contrib_b.pk) == contrib_b


@pytest.mark.parametrize("name", ["workspace-invite", "workspace-department-create"])
def test_the_people_forms_take_get_and_post_only(client, head, name):
    client.force_login(head)
    assert client.put(reverse(name)).status_code == 405
