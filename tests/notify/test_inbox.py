"""The in-app inbox: pages, badge, template tags and the API, each only for the owner."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tinhso.notify.models import Notification
from tinhso.notify.selectors import unread_count
from tinhso.notify.services import notification_mark_all_read, notification_mark_read, notify

pytestmark = pytest.mark.django_db


def inbox_item(user, subject="Hồ sơ đã được tiếp nhận", url="/ho-so/1", **extra) -> Notification:
    with transaction.atomic():
        return notify(recipients=[user], event="dossier.received", subject=subject, body="Nội dung",
                      url=url, channels=("in_app",), **extra)[0]


# --- selectors and services ----------------------------------------------------------------


def test_unread_count_counts_only_my_unread_in_app_items(alice, bob):
    first = inbox_item(alice)
    inbox_item(alice, subject="Thứ hai")
    inbox_item(bob)
    with transaction.atomic():  # email rows are not inbox items
        notify(recipients=[alice], event="e.x", subject="S", body="B", channels=("email",))
    assert unread_count(user=alice) == 2
    notification_mark_read(user=alice, public_id=first.public_id)
    notification_mark_read(user=alice, public_id=first.public_id)  # idempotent
    assert unread_count(user=alice) == 1
    assert notification_mark_all_read(user=alice) == 1
    assert unread_count(user=alice) == 0
    assert unread_count(user=bob) == 1


# --- pages ---------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, alice):
    item = inbox_item(alice)
    response = client.get(reverse("notify:list"))
    assert response.status_code == 302
    assert "next=" in response["Location"]
    response = client.post(reverse("notify:read", args=[item.public_id]))
    assert response.status_code == 302
    assert client.get(reverse("notify:badge")).status_code == 204
    item.refresh_from_db()
    assert item.read_at is None


def test_empty_inbox(client, alice):
    client.force_login(alice)
    response = client.get(reverse("notify:list"))
    assert response.status_code == 200
    assert "Bạn chưa có thông báo nào." in response.content.decode()


def test_list_is_mine_newest_first_with_unread_highlighted(client, alice, bob):
    inbox_item(alice, subject="Cũ hơn")
    read = inbox_item(alice, subject="Đã đọc rồi")
    inbox_item(alice, subject="Mới nhất")
    inbox_item(bob, subject="Của người khác")
    notification_mark_read(user=alice, public_id=read.public_id)
    client.force_login(alice)
    html = client.get(reverse("notify:list")).content.decode()
    assert html.index("Mới nhất") < html.index("Đã đọc rồi") < html.index("Cũ hơn")
    assert "Của người khác" not in html
    assert html.count('class="card unread"') == 2
    assert "Bạn có 2 thông báo chưa đọc." in html


def test_list_is_paginated_with_constant_queries(client, alice):
    for i in range(25):
        inbox_item(alice, subject=f"Thông báo số {i:02d}")
    client.force_login(alice)
    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("notify:list")).content.decode()
    # page count, the page, the unread count (shared with the header badge): not one per row
    assert len([q for q in queries if "notify_notification" in q["sql"]]) <= 3
    assert "Thông báo số 24" in first and "Thông báo số 04" not in first
    assert "Trang 1/2" in first
    second = client.get(reverse("notify:list"), {"page": 2}).content.decode()
    assert "Thông báo số 04" in second and "Thông báo số 05" not in second


def test_open_marks_read_and_follows_internal_link(client, alice):
    item = inbox_item(alice, url="/ho-so/000.00.96.H12-1?tab=lich-su")
    client.force_login(alice)
    response = client.post(reverse("notify:read", args=[item.public_id]))
    assert response.status_code == 302
    assert response["Location"] == "/ho-so/000.00.96.H12-1?tab=lich-su"
    item.refresh_from_db()
    assert item.read_at is not None


@pytest.mark.parametrize("stored", ["https://evil.example/", "//evil.example/x", ""])
def test_open_never_redirects_outside(client, alice, stored):
    item = inbox_item(alice)
    Notification.objects.filter(pk=item.pk).update(url=stored)  # e.g. a row written by hand
    client.force_login(alice)
    response = client.post(reverse("notify:read", args=[item.public_id]))
    assert response["Location"] == reverse("notify:list")


def test_someone_elses_notification_is_404_and_unchanged(client, alice, bob):
    item = inbox_item(alice)
    client.force_login(bob)
    assert client.post(reverse("notify:read", args=[item.public_id])).status_code == 404
    assert client.get(reverse("notify:read", args=[item.public_id])).status_code == 405
    client.post(reverse("notify:read_all"))
    item.refresh_from_db()
    assert item.read_at is None


def test_mark_all_read(client, alice, bob):
    inbox_item(alice)
    inbox_item(alice)
    theirs = inbox_item(bob)
    client.force_login(alice)
    assert client.get(reverse("notify:read_all")).status_code == 405
    response = client.post(reverse("notify:read_all"))
    assert response.status_code == 302 and response["Location"] == reverse("notify:list")
    assert unread_count(user=alice) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_badge_fragment(client, alice):
    client.force_login(alice)
    html = client.get(reverse("notify:badge")).content.decode()
    assert 'id="notify-badge"' in html and 'class="badge"' not in html
    inbox_item(alice)
    inbox_item(alice)
    response = client.get(reverse("notify:badge"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<span class="badge">2</span>' in html
    assert "<html" not in html  # a fragment, not a page
    assert 'hx-get="/notifications/badge"' in html
    # mark all read from htmx answers with the refreshed badge
    html = client.post(reverse("notify:read_all"), HTTP_HX_REQUEST="true").content.decode()
    assert 'id="notify-badge"' in html and 'class="badge"' not in html


def test_template_tags(alice, bob, django_assert_num_queries):
    inbox_item(alice)
    inbox_item(alice)
    request = RequestFactory().get("/")
    request.user = alice
    template = Template("{% load notify_tags %}[{% unread_count %}][{% unread_count as n %}{{ n }}]{% notifications_badge %}")
    with django_assert_num_queries(1):  # counted once per request
        html = template.render(Context({"request": request}))
    assert html.startswith("[2][2]")
    assert '<span class="badge">2</span>' in html

    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        html = template.render(Context({"request": request}))
    assert html == "[0][0]"


# --- API -----------------------------------------------------------------------------------

API = "/api/v1/notifications"


def test_api_requires_login(client, alice):
    item = inbox_item(alice)
    assert client.get(API).status_code == 401
    assert client.get(f"{API}/unread-count").status_code == 401
    response = client.post(f"{API}/{item.public_id}/read")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    item.refresh_from_db()
    assert item.read_at is None


def test_api_list_count_and_read(client, alice, bob):
    for i in range(3):
        inbox_item(alice, subject=f"Thông báo {i}")
    inbox_item(bob)
    client.force_login(alice)

    body = client.get(API).json()
    assert body["count"] == 3
    assert [n["subject"] for n in body["items"]] == ["Thông báo 2", "Thông báo 1", "Thông báo 0"]
    assert all(n["unread"] for n in body["items"])
    first_id = body["items"][0]["id"]

    assert client.get(f"{API}/unread-count").json() == {"unread": 3}
    response = client.post(f"{API}/{first_id}/read")
    assert response.status_code == 200
    assert response.json()["unread"] is False and response.json()["read_at"]
    assert client.get(f"{API}/unread-count").json() == {"unread": 2}
    assert client.get(API, {"unread": "true"}).json()["count"] == 2
    assert [n["id"] for n in client.get(API, {"unread": "false"}).json()["items"]] == [first_id]
    assert client.get(API, {"page": 2}).json()["items"] == []

    assert client.post(f"{API}/read-all").json() == {"updated": 2}
    assert client.get(f"{API}/unread-count").json() == {"unread": 0}


def test_api_someone_elses_notification_is_404(client, alice, bob):
    item = inbox_item(alice)
    client.force_login(bob)
    response = client.post(f"{API}/{item.public_id}/read")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client.post(f"{API}/not-a-uuid/read").status_code == 422
    item.refresh_from_db()
    assert item.read_at is None
    assert client.get(API).json()["count"] == 0
