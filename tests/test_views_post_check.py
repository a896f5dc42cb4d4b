"""POST /posts/check/: the editor's live verdict per chosen channel, from the rules that
refuse the post at submission — counted as each network counts."""

import pytest
from django.urls import reverse

from editorial.models import Network
from tests.factories import ChannelFactory

CHECK = reverse("post-check")
FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # one grapheme, seven code points


@pytest.fixture
def bluesky(dept_a):
    return ChannelFactory(
        name="Bluesky 67",
        network=Network.BLUESKY,
        department=dept_a,
        settings={"handle": "police67.bsky.social", "service_url": "https://bsky.social"},
        credentials={"app_password": "abcd-efgh-ijkl-mnop"},
    )


@pytest.fixture
def mastodon(dept_a):
    return ChannelFactory(
        name="Mastodon 67",
        network=Network.MASTODON,
        department=dept_a,
        settings={"instance_url": "https://social.example", "max_characters": 100},
        credentials={"access_token": "token-never-shown"},
    )


def check(client, channels, body, **extra):
    return client.post(CHECK, {"body": body, "channels": [c.pk for c in channels], **extra})


def verdict_of(response, channel) -> str:
    page = response.content.decode()
    start = page.index(f'data-verdict="{channel.pk}"')
    return page[page.rindex("<li", 0, start) : page.index("</li>\n", start)]


def test_bluesky_counts_a_zwj_family_as_one_and_refuses_at_301(client, writer_a, bluesky):
    client.force_login(writer_a)
    at_limit = check(client, [bluesky], "a" * 299 + FAMILY)
    over = check(client, [bluesky], "a" * 300 + FAMILY)

    assert at_limit.status_code == over.status_code == 200
    assert "300 of 300 characters" in verdict_of(at_limit, bluesky)
    assert 'class="verdict"' in verdict_of(at_limit, bluesky)
    assert "301 of 300 characters" in verdict_of(over, bluesky)
    assert 'class="verdict over"' in verdict_of(over, bluesky)


def test_mastodon_counts_a_link_as_23_against_the_instances_limit(client, writer_a, mastodon):
    client.force_login(writer_a)
    link = "https://www.police-nationale.interieur.gouv.fr/conseils/prevention?x=1"
    at_limit = check(client, [mastodon], "a" * 76 + " " + link)
    over = check(client, [mastodon], "a" * 77 + " " + link)

    assert "100 of 100 characters" in verdict_of(at_limit, mastodon)
    assert "over" not in verdict_of(at_limit, mastodon)
    assert "101 of 100 characters" in verdict_of(over, mastodon)
    assert "over" in verdict_of(over, mastodon)


def test_the_verdict_is_the_submissions_refusal_word_for_word(client, writer_a, bluesky):
    client.force_login(writer_a)
    response = check(client, [bluesky], "b" * 301)

    assert f"{bluesky} accepts 300 characters, the text has 301." in verdict_of(response, bluesky)


def test_a_channels_own_text_is_judged_instead_of_the_main_one(client, writer_a, bluesky, mastodon):
    client.force_login(writer_a)
    response = check(client, [bluesky, mastodon], "c" * 301, **{f"variant_{bluesky.pk}": "Court."})

    assert "6 of 300 characters" in verdict_of(response, bluesky)
    assert "301 of 100 characters" in verdict_of(response, mastodon)


def test_an_image_slot_without_alt_text_is_named(client, writer_a, bluesky):
    client.force_login(writer_a)
    response = check(
        client,
        [bluesky],
        "Avec image",
        **{"images-TOTAL_FORMS": "1", "images-0-alt_text": " ", "images-0-pending": "tok"},
    )

    assert "Every image needs an alternative text." in verdict_of(response, bluesky)


def test_a_channel_outside_the_writers_scope_is_refused(client, writer_a, dept_b):
    foreign = ChannelFactory(name="Police 33", department=dept_b)
    client.force_login(writer_a)

    response = check(client, [foreign], "Bonjour")

    assert response.status_code == 403
    assert "Police 33" not in response.content.decode()


def test_it_takes_post_only_and_a_signed_in_writer(client, writer_a, outsider, bluesky):
    assert client.post(CHECK, {"body": "x"}).status_code == 302  # to the sign-in page
    client.force_login(outsider)
    assert check(client, [bluesky], "x").status_code == 403
    client.force_login(writer_a)
    assert client.get(CHECK).status_code == 405
