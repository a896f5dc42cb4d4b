"""The API's pages in a browser: a token made on the account page, shown once; the API
documentation (Swagger UI) drawn under the site's CSP (the `page` fixture fails on any
violation or script error)."""

import pytest

from tests.browser.conftest import assert_accessible, login_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_token_is_made_on_the_account_page_and_shown_once(page, cm):
    login_as(page, cm)
    page.goto("/workspace/account/")
    page.get_by_role("link", name="My API tokens").click()
    page.get_by_label("Name").fill("Intranet agenda")
    page.get_by_role("button", name="Create the token").click()
    value = page.get_by_test_id("token-value").inner_text()
    assert value.startswith("cad_")
    assert_accessible(page)
    page.goto("/workspace/account/tokens/")
    assert value not in page.content()
    assert "Intranet agenda" in page.get_by_test_id("tokens").inner_text()


def test_the_api_documentation_draws_every_operation_under_the_csp(page, cm):
    login_as(page, cm)
    page.goto("/api/docs/")
    operations = page.locator(".swagger-ui .opblock")
    operations.first.wait_for()
    assert operations.count() >= 30
    assert page.get_by_text("/api/v1/posts/{id}/actions/approve/").first.is_visible()
