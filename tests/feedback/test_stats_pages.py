"""The field-report statistics page: access and scope, figures equal to the core selector's,
the SVG chart, the Excel export and the heat-map JSON."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from tests.feedback.conftest import submit
from tests.matrix import login_as
from tinhso.feedback import selectors, services

pytestmark = pytest.mark.django_db

STATS = "/staff/phan-anh/thong-ke/"
XLSX = "/staff/phan-anh/thong-ke/excel/"
HEAT = "/staff/phan-anh/thong-ke/ban-do-nhiet.json"


def client_for(user) -> Client:
    return login_as(Client(), user)


@pytest.fixture
def activity(world):
    """Three reports at An Xuyên (one resolved and rated 5, one refused, one open) and one at
    Tân Thành, in two categories."""
    a = submit(world)
    services.report_assign(report=a, actor=world.handler)
    services.report_resolve(report=a, actor=world.handler, answer="Đã vá.")
    services.report_rate(report=a, actor=world.citizen, score=5)
    b = submit(world, category=world.other_category, attributes={}, description="Đèn tắt.")
    services.report_refuse(report=b, actor=world.handler, reason="spam")
    c = submit(world, description="Ổ gà thứ hai.")
    d = submit(world, commune="32025", description="Ổ gà ở Tân Thành.", latitude=Decimal("9.210000"),
               longitude=Decimal("105.200000"))
    return a, b, c, d


def _period():
    today = timezone.localdate()
    return {"from": today.replace(month=1, day=1).isoformat(), "to": today.isoformat()}


def test_access_matrix(world, activity):
    anonymous = Client()
    for url in (STATS, XLSX, HEAT):
        response = anonymous.get(url)
        assert response.status_code == 302, url
        assert client_for(world.citizen).get(url).status_code == 403, url
        for name in ("handler", "clerk", "leader", "other_official", "province_leader", "superuser"):
            assert client_for(getattr(world, name)).get(url).status_code == 200, (url, name)


@pytest.mark.parametrize("group", ["agency", "commune", "category"])
def test_figures_equal_the_core_selector(world, activity, group):
    for user in (world.handler, world.other_official, world.superuser, world.province_leader):
        response = client_for(user).get(STATS, {**_period(), "group": group})
        assert response.status_code == 200
        since, until = response.context["query"].since, response.context["query"].until
        assert response.context["rows"] == selectors.report_statistics(user=user, since=since, until=until,
                                                                       group_by=group)


def test_scope_of_an_official_and_of_the_province(world, activity):
    handler = client_for(world.handler).get(STATS, _period())
    assert [r["name"] for r in handler.context["rows"]] == ["UBND phường An Xuyên"]
    total = handler.context["total"]
    assert (total["received"], total["resolved"], total["on_time"], total["refused"], total["open"]) == (3, 1, 1, 1, 1)
    assert total["satisfaction_rate"] == 100.0
    html = handler.content.decode()
    assert 'id="kpi-received">3<' in html and "Tân Thành" not in html
    province = client_for(world.superuser).get(STATS, _period())
    assert {r["name"] for r in province.context["rows"]} == {"UBND phường An Xuyên", "UBND phường Tân Thành"}
    assert province.context["total"]["received"] == 4 and province.context["scope_all"]


def test_chart_is_inline_svg_without_style(world, activity):
    html = client_for(world.superuser).get(STATS, {**_period(), "group": "category"}).content.decode()
    assert "<svg" in html and "<rect" in html and 'fill="#1b7a3d"' in html
    assert " style=" not in html and "<style" not in html and "<script>" not in html


def test_agency_filter_and_bad_input(world, activity):
    client = client_for(world.superuser)
    response = client.get(STATS, {**_period(), "agency": str(world.tanthanh_pc.public_id)})
    assert response.context["total"]["received"] == 1
    # An agency outside the user's scope is not found.
    other = client_for(world.handler).get(STATS, {"agency": str(world.tanthanh_pc.public_id)})
    assert other.status_code == 404
    response = client.get(STATS, {"from": "2026-99-01"})
    assert response.status_code == 400 and "Ngày không hợp lệ" in response.content.decode()
    response = client.get(STATS, {"from": "2026-05-02", "to": "2026-05-01"})
    assert response.status_code == 400 and "Ngày bắt đầu phải trước ngày kết thúc" in response.content.decode()
    assert client.get(STATS, {"group": "nonsense"}).context["query"].group == "agency"


def test_excel_export_opens_and_has_the_right_totals(world, activity):
    from openpyxl import load_workbook

    response = client_for(world.superuser).get(XLSX, _period())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    assert len(wb.sheetnames) == 3
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(min_row=5, values_only=True))
        body, total = rows[:-1], rows[-1]
        assert total[0] == "Tổng cộng"
        assert total[1] == 4 == sum(r[1] for r in body)  # received
        assert total[2] == 1 and total[7] == 1  # resolved, refused
    agencies = wb.worksheets[0]
    names = [r[0] for r in agencies.iter_rows(min_row=5, values_only=True)]
    assert "UBND phường An Xuyên" in names and "UBND phường Tân Thành" in names
    # An official's export keeps to their agencies.
    wb = load_workbook(io.BytesIO(client_for(world.other_official).get(XLSX, _period()).content))
    rows = list(wb.worksheets[0].iter_rows(min_row=5, values_only=True))
    assert rows[-1][1] == 1 and rows[0][0] == "UBND phường Tân Thành"


def test_heat_map_json_shape_and_scope(world, activity):
    data = client_for(world.superuser).get(HEAT, _period()).json()
    assert set(data) == {"cell", "since", "until", "total", "max", "cells"}
    assert data["total"] == 4 and data["max"] == 3
    assert {tuple(sorted(c)) for c in data["cells"]} == {("count", "e", "n", "s", "w")}
    cell = next(c for c in data["cells"] if c["count"] == 3)
    assert cell["s"] <= 9.1812 < cell["n"] and cell["w"] <= 105.1523 < cell["e"]
    assert round(cell["n"] - cell["s"], 6) == data["cell"]
    mine = client_for(world.other_official).get(HEAT, _period()).json()
    assert mine["total"] == 1
    assert client_for(world.handler).get(HEAT, {**_period(), "category": "chieu-sang"}).json()["total"] == 1
    empty = client_for(world.handler).get(HEAT, {"from": "2001-01-01", "to": "2001-02-01"}).json()
    assert empty["cells"] == [] and empty["total"] == 0


def test_heat_map_table_fallback_on_the_page(world, activity):
    html = client_for(world.superuser).get(STATS, _period()).content.decode()
    assert 'id="heat-table"' in html and 'id="fb-heatmap"' in html and "heatmap.js" in html
