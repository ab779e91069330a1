"""The statistics page lists only agencies and communes with activity unless asked for all,
keeps the totals, and is reachable from the navigation by overseers without a workspace."""

from __future__ import annotations

import re

from django.test import Client
from django.utils import timezone

from tests.dossiers.test_staff_support import world_fixture  # noqa: F401 - fixture
from tests.factories import AgencyFactory, UserFactory
from tests.matrix import login_as

URL = "/staff/dossiers/thong-ke/"


def _received_total(html: str) -> int:
    row = html.split('id="bucket-received"', 1)[1].split("</tr>", 1)[0]
    return int(row.rsplit("<td>", 1)[1].split("</td>", 1)[0])


def _agencies_table(html: str) -> str:
    return html.split('id="agencies-title"', 1)[1].split("</section>", 1)[0]


def test_only_active_agencies_by_default_and_all_on_request(world):
    from django.core.cache import cache

    cache.clear()
    world.received()
    quiet = [AgencyFactory(name=f"Cơ quan yên ắng {i}") for i in range(5)]
    admin = UserFactory(is_superuser=True, is_staff=True)
    client = login_as(Client(), admin, mfa=True)
    year = {"period": "year", "year": str(timezone.localdate().year)}
    html = client.get(URL, year).content.decode()
    table = _agencies_table(html)
    assert world.agency.name in table
    assert not any(a.name in table for a in quiet)
    assert 'id="rows-toggle"' in html and "all=1" in html
    everything = client.get(URL, {**year, "all": "1"}).content.decode()
    assert all(a.name in _agencies_table(everything) for a in quiet)
    assert _received_total(html) == _received_total(everything) == 1
    cache.clear()


def test_statistics_in_the_navigation_for_a_superuser_without_membership(world):
    admin = UserFactory(is_superuser=True, is_staff=True)
    nav = re.search(r"<nav[^>]*>(.*?)</nav>", login_as(Client(), admin, mfa=True).get("/").content.decode(), re.S)
    assert nav and URL in nav.group(1) and "Thống kê hồ sơ" in nav.group(1)
    citizen_nav = re.search(r"<nav[^>]*>(.*?)</nav>",
                            login_as(Client(), world.citizen, mfa=False).get("/").content.decode(), re.S)
    assert citizen_nav and URL not in citizen_nav.group(1)
