"""The citizen's "my page" and its plug-in sections."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tinhso.portal import registry

from .helpers import csp_problems

pytestmark = pytest.mark.django_db


def test_me_requires_login(client):
    response = client.get(reverse("portal:me"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=/me/" in response["Location"]


def test_me_shows_profile_and_honest_empty_sections(client, citizen):
    client.force_login(citizen)
    response = client.get(reverse("portal:me"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Xin chào, Nguyễn Văn Dân" in html
    assert "dan@example.vn" in html
    for title in ("Hồ sơ của tôi", "Phản ánh", "Lịch hẹn", "Đơn hàng", "Thanh toán", "Thông báo"):
        assert title in html
    assert "Bạn chưa có hồ sơ nào." in html
    assert "Bạn chưa có thông báo nào." in html
    # Sections keep their registered order (in the page body: the menu also says "Phản ánh").
    main = html[html.index("<main"):]
    assert main.index("Hồ sơ của tôi") < main.index("Phản ánh của tôi") < main.index("Thanh toán")
    assert "Bạn chưa gửi phản ánh nào." in main
    # A citizen sees no link to the staff workspace.
    assert reverse("portal:staff") not in html
    assert csp_problems(html) == []


def test_me_lists_latest_notifications(client, citizen):
    from tinhso.notify.models import ChannelName, Notification, Status

    Notification.objects.create(
        recipient=citizen, channel=ChannelName.IN_APP, status=Status.SENT, event="test.event", subject="Hồ sơ đã được tiếp nhận"
    )
    client.force_login(citizen)
    html = client.get(reverse("portal:me")).content.decode()
    assert "Hồ sơ đã được tiếp nhận" in html
    assert "Bạn chưa có thông báo nào." not in html
    assert reverse("notify:list") in html


@pytest.fixture
def restore_registry():
    saved = dict(registry._my_page), dict(registry._staff)
    yield
    registry._my_page.clear()
    registry._my_page.update(saved[0])
    registry._staff.clear()
    registry._staff.update(saved[1])


def test_a_service_section_replaces_the_placeholder(client, citizen, restore_registry):
    registry.register_my_page_section(
        "dossiers", "Hồ sơ của tôi", "portal/sections/empty.html", lambda request: {"empty_text": "Hai hồ sơ đang xử lý"}, 5
    )
    # The portal's own placeholder never overrides a real section, whatever the loading order.
    registry.register_my_page_section("dossiers", "x", "portal/sections/empty.html", None, 10, placeholder=True)
    client.force_login(citizen)
    html = client.get(reverse("portal:me")).content.decode()
    assert "Hai hồ sơ đang xử lý" in html
    assert "Bạn chưa có hồ sơ nào." not in html


def test_a_section_can_hide_itself_for_a_user(client, citizen, restore_registry):
    registry.register_my_page_section("market-shop", "Gian hàng của tôi", "portal/sections/empty.html", lambda r: None, 70)
    client.force_login(citizen)
    html = client.get(reverse("portal:me")).content.decode()
    assert "Gian hàng của tôi" not in html


def test_registry_rejects_a_section_without_template(restore_registry):
    with pytest.raises(ValueError):
        registry.register_my_page_section("broken", "Broken", "", None, 1)
