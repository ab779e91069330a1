"""The staff workspace: officials only, MFA-verified, with their memberships and panels."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tinhso.orgs.models import Membership
from tinhso.portal import registry

from .conftest import login_verified
from .helpers import csp_problems

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("portal:staff"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_citizen_gets_a_clear_403(client, citizen, agencies):
    client.force_login(citizen)
    response = client.get(reverse("portal:staff"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Không có quyền truy cập" in html
    assert "chỉ dành cho cán bộ, công chức" in html
    assert csp_problems(html) == []


def test_official_sees_memberships_and_empty_workspace(client, official, agencies, monkeypatch):
    from tinhso.portal import registry

    monkeypatch.setattr(registry, "_staff", {})  # no service panels registered
    login_verified(client, official)
    response = client.get(reverse("portal:staff"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Không gian làm việc" in html
    assert agencies["department"].name in html
    assert "Chuyên viên xử lý" in html
    assert "Chưa có mục công việc nào." in html
    assert csp_problems(html) == []


def test_service_panels_appear_in_the_workspace(client, official, agencies):
    from tinhso.portal import registry

    assert registry.staff_panels(), "services register their panels at start-up"
    login_verified(client, official)
    html = client.get(reverse("portal:staff")).content.decode()
    assert "Chưa có mục công việc nào." not in html
    assert csp_problems(html) == []


def test_official_navigation_links_to_workspace(client, official):
    login_verified(client, official)
    html = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("portal:staff")}"' in html
    assert f'href="{reverse("portal:me")}"' in html


def test_expired_or_inactive_membership_is_not_enough(client, official):
    membership = Membership.objects.get(user=official)
    membership.valid_until = timezone.localdate() - datetime.timedelta(days=1)
    membership.save(update_fields=["valid_until"])
    login_verified(client, official)
    assert client.get(reverse("portal:staff")).status_code == 403

    membership.valid_until = None
    membership.is_active = False
    membership.save(update_fields=["valid_until", "is_active"])
    assert client.get(reverse("portal:staff")).status_code == 403


def test_a_registered_panel_is_shown(client, official):
    saved = dict(registry._staff)
    try:
        registry.register_staff_panel(
            "inbox", "Hồ sơ cần xử lý", "portal/sections/empty.html", lambda r: {"empty_text": "Không có hồ sơ chờ."}, 10
        )
        login_verified(client, official)
        html = client.get(reverse("portal:staff")).content.decode()
        assert "Hồ sơ cần xử lý" in html
        assert "Không có hồ sơ chờ." in html
        assert "Chưa có mục công việc nào." not in html
    finally:
        registry._staff.clear()
        registry._staff.update(saved)


def test_workspace_permission_matrix(actors):
    """Any official with a current membership may open the workspace (panels scope their own
    data); citizens get 403, anonymous users go to the login page. Opening it changes nothing."""
    from tests.matrix import assert_matrix, snapshot

    assert_matrix(
        actors,
        lambda actor: actor.client.get(reverse("portal:staff")),
        {
            "anonymous": 302,
            "citizen_a": 403,
            "citizen_b": 403,
            "official_other_agency": 200,
            "official_with_role": 200,
        },
        unchanged=snapshot(Membership.objects.all()),
    )
