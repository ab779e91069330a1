"""The shared layout: stylesheet, navigation for a logged-in user, notification badge."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from .helpers import csp_problems


def test_stylesheet_is_found_and_defines_the_shared_classes():
    path = finders.find("css/tinhso.css")
    assert path, "src/tinhso/static must be in STATICFILES_DIRS"
    css = open(path, encoding="utf-8").read()
    for cls in (".card", ".btn", ".btn-primary", ".form-row", ".errorlist", ".muted", ".table", ".empty", ".grid"):
        assert cls in css
    assert ":focus-visible" in css
    assert "@import" not in css and "url(http" not in css and "@font-face" not in css


@pytest.mark.django_db
def test_logged_in_header_has_logout_form_and_polling_badge(client, citizen):
    from tinhso.notify.models import ChannelName, Notification, Status

    Notification.objects.create(
        recipient=citizen, channel=ChannelName.IN_APP, status=Status.SENT, event="test.event", subject="Có tin mới"
    )
    client.force_login(citizen)
    response = client.get(reverse("portal:me"))
    html = response.content.decode()
    assert f'action="{reverse("accounts:logout")}"' in html
    assert 'hx-get="/notifications/badge"' in html
    assert 'hx-trigger="every 60s"' in html
    assert f'href="{reverse("notify:list")}"' in html  # works without JavaScript
    assert '<span class="badge">1</span>' in html
    assert 'aria-current="page"' in html
    assert csp_problems(html) == []


@pytest.mark.django_db
def test_head_request_is_allowed(client):
    assert client.head(reverse("portal:home")).status_code == 200


@pytest.mark.django_db
def test_home_query_count_does_not_grow_with_data(client, agencies, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert client.get(reverse("portal:home")).status_code == 200
