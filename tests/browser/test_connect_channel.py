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
from tests.oauth_network import use_network
from tests.oauth_server import OAuthServer

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


def test_a_token_with_several_accounts_lets_the_administrator_choose_one(
    page, admin_user, dept_a, monkeypatch, settings
):
    with OAuthServer() as server:
        use_network(monkeypatch, settings, server)
        server.accounts = [
            {"id": "1", "name": "Préfecture du Bas-Rhin", "avatar": f"{server.url}/1.png"},
            {"id": "2", "name": "Sous-préfecture de Saverne", "avatar": ""},
        ]
        channel = ChannelFactory(name="Préfecture sur X", network=Network.X, department=dept_a)
        login_as(page, admin_user)
        page.goto(f"/workspace/channels/{channel.pk}/")

        page.get_by_role("button", name="Connect with X").click()

        expect(page.get_by_role("heading", level=1)).to_contain_text("Préfecture sur X")
        assert_accessible(page)
        page.get_by_label("Sous-préfecture de Saverne").check()
        page.get_by_role("button", name="Connect this account").click()
        expect(
            page.get_by_text("Préfecture sur X is connected: it publishes as Sous-préfecture")
        ).to_be_visible()
        expect(page.get_by_test_id("token-expiry")).to_be_visible()
        channel.refresh_from_db()
        assert channel.settings["page_id"] == "2"
