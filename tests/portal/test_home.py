"""The public home page: province, communes grouped by kind, agencies, search, languages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .helpers import csp_problems, external_urls

pytestmark = pytest.mark.django_db


def test_home_lists_communes_and_agencies_in_vietnamese(client, agencies):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Tỉnh số — Cà Mau" in html
    assert "64 đơn vị hành chính cấp xã" in html
    # Grouped by kind, with counts (Cà Mau: 9 wards and 55 communes).
    assert "Phường" in html and "(9)" in html
    assert "(55)" in html
    assert "Tân Thành" in html
    # Agencies: provincial People's Committee, its office, departments, commune committees.
    assert agencies["committee"].name in html
    assert agencies["office"].name in html
    assert agencies["department"].name in html
    assert "64 Ủy ban nhân dân xã, phường, đặc khu" in html
    assert "Chưa có dữ liệu" not in html


def test_home_empty_state_without_data(client):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chưa có dữ liệu đơn vị hành chính." in html
    assert "<code>tinhso demo</code>" in html
    assert "Chưa có dữ liệu cơ quan." in html
    # The header still names the province, from the official list shipped with the code.
    assert "Tỉnh số — Cà Mau" in html


def test_commune_search_ignores_diacritics(client, province):
    response = client.get(reverse("portal:home"), {"q": "tan thanh"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tân Thành" in html
    assert "An Xuyên" not in html  # only the matches are listed
    assert "kết quả cho “tan thanh”" in html


def test_commune_search_without_match_says_so(client, province):
    response = client.get(reverse("portal:home"), {"q": "không có xã này"})
    assert response.status_code == 200
    assert "Không tìm thấy xã, phường nào phù hợp." in response.content.decode()


def test_commune_search_query_is_escaped_and_bounded(client, province):
    response = client.get(reverse("portal:home"), {"q": "<script>alert(1)</script>" + "x" * 500})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html


def test_browser_language_does_not_override_vietnamese_default(client, agencies):
    html = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="vi">' in html
    assert "Đơn vị hành chính" in html


def test_home_in_english_by_language_cookie(client, agencies, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("portal:home"))
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Administrative units" in html
    assert "Đơn vị hành chính" not in html
    assert "Tiếng Việt" in html  # the switch back


def test_language_switch_form_changes_the_page(client, agencies):
    home = reverse("portal:home")
    html = client.get(home).content.decode()
    assert 'action="/i18n/setlang/"' in html
    assert 'name="language" value="en"' in html
    response = client.post(reverse("set_language"), {"language": "en", "next": home})
    assert response.status_code == 302
    assert response["Location"] == home
    html = client.get(home).content.decode()
    assert '<html lang="en">' in html
    assert "Administrative units" in html
    response = client.post(reverse("set_language"), {"language": "vi", "next": home})
    assert "Đơn vị hành chính" in client.get(home).content.decode()


def test_language_switch_refuses_an_outside_next(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_home_is_csp_clean_and_loads_nothing_external(client, agencies):
    response = client.get(reverse("portal:home"))
    html = response.content.decode()
    assert csp_problems(html) == []
    assert external_urls(html) == []
    assert 'name="htmx-config"' in html and '"includeIndicatorStyles":false' in html
    assert 'src="/static/django_htmx/htmx-2.min.js"' in html
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp


def test_home_has_skip_link_and_landmarks(client):
    html = client.get(reverse("portal:home")).content.decode()
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html
    for landmark in ("<header", "<nav", "<footer"):
        assert landmark in html


def test_anonymous_navigation_links_only_to_existing_pages(client):
    html = client.get(reverse("portal:home")).content.decode()
    assert 'href="#"' not in html
    assert reverse("accounts:login") in html
    assert reverse("portal:me") not in html  # only once logged in
    assert reverse("portal:staff") not in html


def test_home_refuses_post(client):
    assert client.post(reverse("portal:home")).status_code == 405
