"""Error pages: Vietnamese by default, CSP-clean; 500 needs neither a database nor a request."""

from __future__ import annotations

import pytest
from django.template.loader import get_template
from django.utils import translation

from .helpers import csp_problems


@pytest.mark.django_db
def test_404_page_in_vietnamese(client):
    response = client.get("/khong-ton-tai/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Không tìm thấy trang" in html
    assert "Về trang chủ" in html
    assert csp_problems(html) == []


@pytest.mark.django_db
def test_404_page_in_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/khong-ton-tai/").content.decode()
    assert "Page not found" in html


def test_500_page_renders_without_database_or_request():
    # No django_db mark: any database query here would fail the test.
    with translation.override("vi"):
        html = get_template("500.html").render()
    assert "Hệ thống đang gặp sự cố" in html
    assert csp_problems(html) == []


def test_500_handler_response(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Tỉnh số" in response.content.decode()
