"""My account: everyone signed in changes their own time zone and password."""

import pytest
from django.urls import reverse

from accounts.models import User


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["contrib_a", "cm", "outsider"])
def test_everyone_changes_their_own_time_zone(client, persona, request):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get(reverse("workspace-account")).status_code == 200
    response = client.post(reverse("workspace-account"), {"time_zone": "America/Cayenne"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.time_zone == "America/Cayenne"


def test_a_zone_that_does_not_exist_is_refused_and_the_old_one_kept(client, contrib_a):
    client.force_login(contrib_a)
    response = client.post(reverse("workspace-account"), {"time_zone": "Europe/Atlantis"})
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert User.objects.get(pk=contrib_a.pk).time_zone == "Europe/Paris"


def test_the_account_page_takes_get_and_post_only(client, contrib_a):
    client.force_login(contrib_a)
    assert client.put(reverse("workspace-account")).status_code == 405


def test_changing_ones_password_needs_the_old_one_and_keeps_one_signed_in(client, contrib_a):
    client.force_login(contrib_a)
    url = reverse("workspace-password")
    assert client.get(url).status_code == 200
    wrong = client.post(
        url,
        {"old_password": "nope", "new_password1": "Un été 2030 !", "new_password2": "x"},
    )
    assert wrong.status_code == 400
    assert "Your old password was entered incorrectly" in wrong.content.decode()
    response = client.post(
        url,
        {
            "old_password": "demo",
            "new_password1": "Un été 2030 !",
            "new_password2": "Un été 2030 !",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(pk=contrib_a.pk).check_password("Un été 2030 !")
    assert client.get(reverse("workspace-account")).status_code == 200  # still signed in


def test_the_header_links_my_account_for_everyone_and_settings_for_managers(client, contrib_a, cm):
    client.force_login(contrib_a)
    page = client.get(reverse("post-list")).content.decode()
    assert reverse("workspace-account") in page
    assert f'href="{reverse("workspace")}"' not in page
    client.force_login(cm)
    page = client.get(reverse("post-list")).content.decode()
    assert f'href="{reverse("workspace")}"' in page


def test_the_settings_page_offers_only_what_the_role_may_open(client, cm, contrib_a):
    client.force_login(cm)
    page = client.get(reverse("workspace")).content.decode()
    assert reverse("workspace-campaigns") in page
    assert reverse("workspace-rules") not in page and reverse("workspace-people") not in page
    client.force_login(contrib_a)
    page = client.get(reverse("workspace")).content.decode()
    assert reverse("workspace-account") in page and reverse("workspace-campaigns") not in page
