"""An administrator connects a Mastodon channel in the browser: Connect with Mastodon
goes to the instance's OAuth authorisation (the loopback instance approves at once) and
back; Test connection then says it works, as whom, and — once the instance revoked the
token — that it does not. The page's CSP lets the Connect form go to the instance, and
the avatar come from it, and nowhere else."""

import pytest
from playwright.sync_api import expect

from editorial.models import Network
from tests.browser.conftest import assert_accessible, login_as
from tests.factories import ChannelFactory
from tests.mastodon_instance import Instance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_connects_a_mastodon_channel_and_tests_it(page, admin_user, dept_a):
    with Instance() as instance:
        # Served by the instance (a 404 here): the page's CSP must let it be asked for.
        instance.account["avatar"] = f"{instance.url}/avatars/7.png"
        channel = ChannelFactory(
            name="Police 33",
            network=Network.MASTODON,
            department=dept_a,
            settings={"instance_url": instance.url},
        )
        login_as(page, admin_user)
        page.goto(f"/workspace/channels/{channel.pk}/")
        assert_accessible(page)

        page.get_by_role("button", name="Connect with Mastodon").click()

        expect(page.get_by_text("Police 33 is connected: it publishes as")).to_be_visible()
        assert page.url.endswith(f"/workspace/channels/{channel.pk}/")
        assert [r.path.split("?")[0] for r in instance.server.received[:3]] == [
            "/api/v1/apps",
            "/oauth/authorize",
            "/oauth/token",
        ]
        assert_accessible(page)

        page.get_by_role("button", name="Test connection").click()
        result = page.get_by_test_id("connection-test")
        expect(result).to_contain_text("The connection works.")
        expect(result).to_contain_text("Police nationale 33 (@police33@127.0.0.1)")
        assert_accessible(page)

        instance.revoke_all()
        page.get_by_role("button", name="Test connection").click()
        expect(page.get_by_test_id("connection-test")).to_contain_text(
            "The connection does not work."
        )
        expect(page.get_by_test_id("needs-reconnecting")).to_be_visible()
        assert_accessible(page)
