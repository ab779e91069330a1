"""Calendar rows through the services: permissions, validation, audit, seeding, the demo
loader, the admin, and the calendar snapshot following every change."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tinhso.audit.models import AuditEvent
from tinhso.core.errors import Conflict, NotAllowed, ValidationFailed
from tinhso.workflow import calendar, demo
from tinhso.workflow.models import Holiday, HolidayKind
from tinhso.workflow.services import calendar_seed_year, holiday_create, holiday_delete, holiday_update

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_seed_year_creates_the_statutory_days_once():
    created = calendar_seed_year(year=2026)
    assert len(created) == 11
    assert set(Holiday.objects.filter(date__range=(date(2026, 2, 16), date(2026, 2, 20))).values_list("kind", flat=True)) == {
        "holiday"
    }
    assert AuditEvent.objects.filter(action="workflow.calendar_seed_year").count() == 1
    assert calendar_seed_year(year=2026) == []
    assert Holiday.objects.count() == 11
    assert AuditEvent.objects.filter(action="workflow.calendar_seed_year").count() == 1


def test_seed_keeps_what_admins_changed(calendar_admin):
    calendar_seed_year(year=2026)
    sep1 = Holiday.objects.get(date=date(2026, 9, 1))
    holiday_delete(actor=calendar_admin, holiday=sep1)
    holiday_create(actor=calendar_admin, date=date(2026, 9, 3), name="Quốc khánh (ngày liền kề 3/9)")
    calendar_seed_year(year=2026)  # puts 1/9 back (a statutory default) but leaves 3/9 alone
    assert Holiday.objects.filter(date=date(2026, 9, 3)).exists()


@pytest.mark.parametrize("year", [1800, 2100, "2026", True])
def test_seed_rejects_bad_years(year):
    with pytest.raises(ValidationFailed):
        calendar_seed_year(year=year)
    assert not Holiday.objects.exists()


def test_seed_needs_permission(citizen):
    with pytest.raises(NotAllowed):
        calendar_seed_year(year=2026, actor=citizen)
    assert not Holiday.objects.exists()


def test_demo_seeds_three_years():
    lines: list[str] = []
    demo.load(province_code=96, log=lines.append)
    year = timezone.localdate().year
    assert {d.year for d in Holiday.objects.dates("date", "year")} == {year - 1, year, year + 1}
    assert len(lines) == 1 and "workflow" in lines[0]
    demo.load(province_code=96, log=lines.append)  # idempotent
    assert Holiday.objects.count() == 33


def test_create_update_delete_are_audited_and_followed_by_the_calendar(calendar_admin):
    saturday = date(2026, 2, 7)
    assert not calendar.is_working_day(saturday)
    makeup = holiday_create(
        actor=calendar_admin, date=saturday, name="Làm bù cho ngày 16/02", kind=HolidayKind.MAKEUP_WORKDAY,
        note="Thông báo 123/TB-VPCP",
    )
    assert calendar.is_working_day(saturday)
    assert calendar.add_working_days(datetime(2026, 2, 6, 9, tzinfo=VN), 1) == datetime(2026, 2, 7, 17, tzinfo=VN)

    holiday_update(actor=calendar_admin, holiday=makeup, kind=HolidayKind.EXTRA_DAY_OFF)
    assert Holiday.objects.get(pk=makeup.pk).kind == "extra_day_off"
    assert not calendar.is_working_day(saturday)

    friday = date(2026, 2, 6)
    holiday_update(actor=calendar_admin, holiday=makeup, date=friday)
    assert not calendar.is_working_day(friday)

    holiday_delete(actor=calendar_admin, holiday=makeup)
    assert calendar.is_working_day(friday)
    actions = list(AuditEvent.objects.filter(action__startswith="workflow.holiday").order_by("seq").values_list("action", flat=True))
    assert actions == ["workflow.holiday_create", "workflow.holiday_update", "workflow.holiday_update",
                       "workflow.holiday_delete"]


def test_module_functions_use_the_database_calendar():
    calendar_seed_year(year=2026)
    assert calendar.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1
    assert calendar.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)


def test_duplicate_date_is_a_conflict(calendar_admin):
    holiday_create(actor=calendar_admin, date=date(2026, 1, 1), name="Tết Dương lịch")
    with pytest.raises(Conflict, match="01/01/2026"):
        holiday_create(actor=calendar_admin, date=date(2026, 1, 1), name="Trùng")
    other = holiday_create(actor=calendar_admin, date=date(2026, 1, 2), name="Nghỉ bù", kind="extra_day_off")
    with pytest.raises(Conflict):
        holiday_update(actor=calendar_admin, holiday=other, date=date(2026, 1, 1))
    assert Holiday.objects.get(pk=other.pk).date == date(2026, 1, 2)


@pytest.mark.parametrize(
    "fields",
    [{"name": "  "}, {"kind": "party"}, {"date": "2026-01-01"}, {"name": "x" * 200}],
)
def test_bad_rows_are_rejected(calendar_admin, fields):
    values = {"date": date(2026, 3, 3), "name": "Nghỉ", "kind": "holiday", **fields}
    with pytest.raises(ValidationFailed):
        holiday_create(actor=calendar_admin, **values)
    assert not Holiday.objects.exists()


def test_people_without_the_permission_change_nothing(citizen, clerk, calendar_admin):
    row = holiday_create(actor=calendar_admin, date=date(2026, 3, 3), name="Nghỉ")
    for user in (citizen, clerk):
        with pytest.raises(NotAllowed):
            holiday_create(actor=user, date=date(2026, 3, 4), name="Nghỉ")
        with pytest.raises(NotAllowed):
            holiday_update(actor=user, holiday=row, name="Đổi")
        with pytest.raises(NotAllowed):
            holiday_delete(actor=user, holiday=row)
    assert list(Holiday.objects.values_list("date", "name")) == [(date(2026, 3, 3), "Nghỉ")]


def test_calendar_seed_command():
    call_command("calendar_seed", "2027")
    assert Holiday.objects.filter(date__year=2027).count() == 11


# --- admin ------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, db):
    from tinhso.accounts.models import User

    user = User.objects.create_superuser(email="qt@example.vn", password="mat-khau-dai-123", full_name="Quản trị")
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def test_admin_lists_filters_and_saves_through_services(admin_client):
    calendar_seed_year(year=2025)
    calendar_seed_year(year=2026)
    url = reverse("admin:workflow_holiday_changelist")
    response = admin_client.get(url, {"year": "2026"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Giỗ Tổ Hùng Vương" in html and "29/01/2025" not in html
    assert admin_client.get(url, {"q": "Quốc khánh"}).status_code == 200

    response = admin_client.post(
        reverse("admin:workflow_holiday_add"),
        {"date": "2026-01-03", "name": "Làm bù", "kind": "makeup_workday", "note": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert calendar.is_working_day(date(2026, 1, 3))
    assert AuditEvent.objects.filter(action="workflow.holiday_create").exists()

    row = Holiday.objects.get(date=date(2026, 1, 3))
    response = admin_client.post(reverse("admin:workflow_holiday_delete", args=[row.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Holiday.objects.filter(pk=row.pk).exists()
    assert AuditEvent.objects.filter(action="workflow.holiday_delete").exists()
