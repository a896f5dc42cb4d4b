"""The post list's search: title, text and the channels' own texts, within what the
person may see, with the other filters kept, paginated, at a constant query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from editorial import workflow as wf
from editorial.models import PostState
from tests.factories import ChannelFactory, PostFactory

LIST = reverse("post-list")


def _titles(response) -> list[str]:
    return [post.title for post in response.context["page"].object_list]


@pytest.fixture
def posts(writer_a, dept_a, dept_b, channel_a):
    """Three posts of A (by title, by text, by a variant only) and one of B."""
    by_title = PostFactory(
        title="Cambriolages à Strasbourg", origin_department=dept_a, channels=[channel_a]
    )
    by_body = PostFactory(
        title="Conseils",
        body="Fermez vos portes : les cambriolages augmentent en hiver.",
        origin_department=dept_a,
        channels=[channel_a],
    )
    by_variant = PostFactory(title="Version courte", origin_department=dept_a, channels=[channel_a])
    wf.edit_post(by_variant, writer_a, variants={channel_a: "Alerte CAMBRIOLAGES #67"})
    PostFactory(title="Sans rapport", origin_department=dept_a, channels=[channel_a])
    channel_b = ChannelFactory(department=dept_b)
    PostFactory(title="Cambriolages à Marseille", origin_department=dept_b, channels=[channel_b])
    return by_title, by_body, by_variant


def test_search_finds_by_title_text_and_a_channels_own_text(client, contrib_a, posts):
    client.force_login(contrib_a)
    response = client.get(LIST, {"q": "cambriolage"})
    assert sorted(_titles(response)) == ["Cambriolages à Strasbourg", "Conseils", "Version courte"]


def test_search_never_shows_another_departments_post(client, contrib_a, contrib_b, posts):
    client.force_login(contrib_a)
    assert "Cambriolages à Marseille" not in _titles(client.get(LIST, {"q": "Marseille"}))
    client.force_login(contrib_b)
    assert _titles(client.get(LIST, {"q": "cambriolage"})) == ["Cambriolages à Marseille"]


def test_search_keeps_the_other_filters(client, cm, posts):
    by_title, _by_body, _by_variant = posts
    wf.fast_track(by_title, cm)
    client.force_login(cm)
    response = client.get(LIST, {"q": "cambriolage", "state": PostState.PENDING_APPROVAL})
    assert _titles(response) == ["Cambriolages à Strasbourg"]
    assert 'value="cambriolage"' in response.content.decode()


def test_a_search_with_no_match_says_so(client, cm, posts):
    client.force_login(cm)
    response = client.get(LIST, {"q": "inondation"})
    assert _titles(response) == []
    assert "No post matches this search." in response.content.decode()


def test_a_search_shorter_than_three_characters_is_refused_and_lists_everything(client, cm, posts):
    client.force_login(cm)
    response = client.get(LIST, {"q": "ca"})
    assert response.context["filters"].errors["q"]
    assert len(_titles(response)) == 5


def test_search_results_are_paginated_with_the_search_kept(client, cm, dept_a, channel_a):
    for n in range(30):
        PostFactory(title=f"Alerte {n}", origin_department=dept_a, channels=[channel_a])
    client.force_login(cm)
    response = client.get(LIST, {"q": "alerte"})
    assert len(_titles(response)) == 25
    assert "q=alerte&amp;page=2" in response.content.decode()
    assert len(_titles(client.get(LIST, {"q": "alerte", "page": 2}))) == 5


def test_searching_costs_the_same_queries_for_two_results_or_twenty(client, cm, dept_a, channel_a):
    client.force_login(cm)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST, {"q": "alerte"}).status_code == 200
        return len(queries)

    for n in range(2):
        PostFactory(title=f"Alerte {n}", origin_department=dept_a, channels=[channel_a])
    few = count()
    for n in range(18):
        post = PostFactory(title=f"Autre {n}", origin_department=dept_a, channels=[channel_a])
        post.variants.create(channel=channel_a, body="Alerte météo")
    assert count() == few
