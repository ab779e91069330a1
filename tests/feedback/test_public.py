"""Public selectors: no personal data, ever; duplicates nearby; the map viewport; queues and
statistics."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.feedback.conftest import LAT, LON, submit
from tinhso.core.errors import NotFound, ValidationFailed
from tinhso.feedback import selectors, services
from tinhso.feedback.models import Report

pytestmark = pytest.mark.django_db

M_PER_DEG_LAT = 111_195.0


def _north(metres: float) -> Decimal:
    return (LAT + Decimal(metres / M_PER_DEG_LAT)).quantize(Decimal("0.000001"))


def _all_text(obj) -> str:
    if dataclasses.is_dataclass(obj):
        return " ".join(_all_text(getattr(obj, f.name)) for f in dataclasses.fields(obj))
    if isinstance(obj, (list, tuple)):
        return " ".join(_all_text(o) for o in obj)
    if isinstance(obj, dict):
        return " ".join(_all_text(v) for v in obj.values())
    return str(obj)


def test_public_views_never_expose_personal_data(world):
    shown = submit(world, show_name=True)
    anonymous = submit(world, reporter=world.citizen_b, is_anonymous=True, show_name=True)
    contact = submit(world, reporter=None, contact={"name": "Trần Văn Bí Mật", "phone": "0987654321",
                                                    "email": "bimat@example.vn"})
    for r in (shown, anonymous, contact):
        services.report_add_note(report=r, actor=world.handler, body="GHI-CHU-NOI-BO-XYZ")
    secrets = [world.citizen.phone, world.citizen.email, world.citizen_b.phone, world.citizen_b.email,
               world.citizen_b.full_name, "0987654321", "bimat@example.vn", "Trần Văn Bí Mật", "GHI-CHU-NOI-BO-XYZ"]
    page = selectors.public_reports()
    details = [selectors.public_report_get(public_id=r.public_id) for r in (shown, anonymous, contact)]
    points = selectors.reports_in_viewport(bbox="8.3,104.4,9.8,106.0")
    text = _all_text([page.items, details, points])
    for secret in secrets:
        assert secret not in text, secret
    by_id = {p.public_id: p for p in page.items}
    assert by_id[shown.public_id].reporter_name == world.citizen.full_name  # they chose to show it
    assert by_id[anonymous.public_id].reporter_name == ""
    assert by_id[contact.public_id].reporter_name == ""
    assert not hasattr(page.items[0], "reporter")


def test_name_hidden_by_default(world, report):
    assert selectors.public_reports().items[0].reporter_name == ""


def test_anonymous_reporter_hidden_from_officials(world):
    r = submit(world, is_anonymous=True)
    seen = selectors.reporter_for_staff(report=selectors.report_get_for_staff(user=world.handler, public_id=r.public_id))
    assert world.citizen.full_name not in _all_text(seen) and world.citizen.phone not in _all_text(seen)
    normal = selectors.reporter_for_staff(report=submit(world))
    assert normal["name"] == world.citizen.full_name


def test_spam_is_never_public(world, report):
    services.report_refuse(report=report, actor=world.handler, reason="spam")
    assert selectors.public_reports().total == 0
    assert selectors.reports_in_viewport(bbox="8.3,104.4,9.8,106.0") == []
    with pytest.raises(NotFound):
        selectors.public_report_get(public_id=report.public_id)
    assert selectors.reports_of_reporter(user=world.citizen).count() == 1


def test_public_filters_and_detail(world):
    a = submit(world, description="Ổ gà đường Trần Hưng Đạo")
    b = submit(world, category="chieu-sang", attributes={}, commune="32025", description="Đèn đường tắt")
    services.report_assign(report=a, actor=world.handler)
    services.report_resolve(report=a, actor=world.handler, answer="Đã vá xong.")
    assert {r.code for r in selectors.public_reports(category="chieu-sang").items} == {b.code}
    assert {r.code for r in selectors.public_reports(commune="32025").items} == {b.code}
    assert {r.code for r in selectors.public_reports(status="closed").items} == {a.code}
    assert {r.code for r in selectors.public_reports(status="open,closed").items} == {a.code, b.code}
    assert {r.code for r in selectors.public_reports(q="tran hung dao").items} == {a.code}
    assert selectors.public_reports(since=timezone.now() + timedelta(days=1)).total == 0
    with pytest.raises(ValidationFailed):
        selectors.public_reports(status="bogus")
    detail = selectors.public_report_get(code=a.code)
    assert detail.report.open311_status == "closed" and detail.report.status_notes == "Đã vá xong."
    assert [h["status"] for h in detail.history] == ["submitted", "assigned", "resolved"]
    assert [x.body for x in detail.answers] == ["Đã vá xong."]
    page = selectors.public_reports(page=2, page_size=1)
    assert page.total == 2 and len(page.items) == 1 and page.pages == 2


def test_duplicate_detection_distances(world):
    near = submit(world, latitude=_north(150), longitude=LON)
    submit(world, latitude=_north(250), longitude=LON)
    submit(world, category="chieu-sang", attributes={}, latitude=_north(50), longitude=LON)
    nearest = submit(world, latitude=_north(20), longitude=LON)
    found = services.reports_nearby(category=world.category, latitude=LAT, longitude=LON)
    assert [n.code for n in found] == [nearest.code, near.code]
    assert 145 < found[1].distance_m < 155
    closed = submit(world, latitude=_north(10), longitude=LON)
    services.report_refuse(report=closed, actor=world.handler, reason="spam")
    assert [n.code for n in services.reports_nearby(category="duong-giao-thong", latitude=LAT, longitude=LON)] == [
        nearest.code, near.code]
    with pytest.raises(ValidationFailed):
        services.reports_nearby(category=world.category, latitude="21.0", longitude="105.8")


def test_viewport(world):
    inside = submit(world)
    submit(world, latitude="9.285000", longitude="105.724000", commune="31825")
    points = selectors.reports_in_viewport(bbox="9.17,105.14,9.19,105.16")
    assert [p.code for p in points] == [inside.code] and points[0].latitude == float(LAT)
    assert selectors.reports_in_viewport(bbox=(9.17, 105.14, 9.19, 105.16), category="chieu-sang") == []
    with pytest.raises(ValidationFailed):
        selectors.reports_in_viewport(bbox="9.19,105.14,9.17")


def test_viewport_uses_few_queries(world, django_assert_num_queries):
    for _i in range(5):
        submit(world)
    with django_assert_num_queries(1):
        assert len(selectors.reports_in_viewport(bbox="8.3,104.4,9.8,106.0", status="open")) == 5


def test_queues_and_counts(world):
    a, b, c = submit(world), submit(world), submit(world)
    services.report_assign(report=b, actor=world.handler)
    services.report_assign(report=c, actor=world.leader)
    counts = selectors.staff_queue_counts(user=world.handler)
    assert counts == {"to_assign": 1, "mine": 1, "in_progress": 2, "overdue": 0, "escalated": 0}
    assert list(selectors.staff_queue(user=world.handler, queue="to_assign")) == [a]
    assert list(selectors.staff_queue(user=world.handler, queue="mine")) == [b]
    later = a.due_at + timedelta(days=1)
    assert selectors.staff_queue(user=world.handler, queue="overdue", now=later).count() == 3
    assert selectors.staff_queue_counts(user=world.other_official) == dict.fromkeys(selectors.QUEUES, 0)
    assert "start" in selectors.report_actions(report=b, user=world.handler)
    assert selectors.report_actions(report=b, user=world.other_official) == ["support"]


def test_statistics(world, monkeypatch):
    a, b, c = submit(world), submit(world), submit(world, commune="32025")
    for r in (a, b):
        services.report_assign(report=r, actor=world.handler)
    services.report_resolve(report=a, actor=world.handler, answer="Xong")
    late = b.due_at + timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: late)
    services.report_resolve(report=b, actor=world.handler, answer="Xong muộn")
    services.report_rate(report=a, actor=world.citizen, score=5)
    services.report_rate(report=b, actor=world.citizen, score=2)
    since, until = late - timedelta(days=30), late + timedelta(days=1)
    rows = selectors.report_statistics(user=world.handler, since=since, until=until)
    assert len(rows) == 1
    row = rows[0]
    assert (row["received"], row["resolved"], row["on_time"], row["late"], row["rated"], row["satisfied"]) == (
        2, 2, 1, 1, 2, 1)
    assert row["on_time_rate"] == 50.0 and row["satisfaction_rate"] == 50.0 and row["avg_hours"] is not None
    everything = selectors.report_statistics(user=world.superuser, since=since, until=until, group_by="commune")
    assert {r["key"]: r["received"] for r in everything} == {"32002": 2, "32025": 1}
    by_cat = selectors.report_statistics(user=world.province_leader, since=since, until=until, group_by="category")
    assert by_cat[0]["received"] == 3
    assert selectors.report_statistics(user=world.citizen, since=since, until=until) == []
    assert Report.objects.count() == 3 and c.pk
