"""report_submit: validation (nothing stored on failure), routing, due date, idempotency, photos."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.feedback.conftest import LAT, LON, submit
from tests.files.samples import pdf, png
from tinhso.audit.models import AuditEvent
from tinhso.core.errors import ValidationFailed
from tinhso.feedback import services
from tinhso.feedback.models import Report, ReportPhoto, Status
from tinhso.files.models import StoredFile
from tinhso.notify.models import Notification
from tinhso.workflow.calendar import TZ

pytestmark = pytest.mark.django_db


def _nothing_stored():
    assert Report.objects.count() == 0
    assert StoredFile.objects.count() == 0


def test_submit_routes_numbers_and_notifies(world, monkeypatch):
    from django.utils import timezone

    now = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)  # a Monday
    monkeypatch.setattr(timezone, "now", lambda: now)
    r = submit(world)
    assert re.fullmatch(r"PA-260302-0001", r.code)
    assert r.status == Status.SUBMITTED and r.agency == world.anxuyen_pc and r.supervisor == world.province_pc
    assert r.commune == world.anxuyen and r.attributes == {"hien_trang": "o-ga"}
    # 5 working days after Monday 2 March: Monday 9 March, 17:00.
    assert timezone.localtime(r.due_at).replace(tzinfo=None) == datetime(2026, 3, 9, 17, 0)
    assert submit(world, idempotency_key=None).code == "PA-260302-0002"
    assert Notification.objects.filter(recipient=world.citizen, event="report.submitted").exists()
    assert Notification.objects.filter(recipient=world.handler, event="report.submitted").exists()
    assert AuditEvent.objects.filter(action="report.submit").count() == 2


def test_rule_for_category_routes_to_department(world):
    services.routing_rule_save(actor=None, category=world.other_category, commune=None, target="agency",
                               agency=world.department)
    r = submit(world, category="chieu-sang", attributes={})
    assert r.agency == world.department and r.supervisor == world.province_pc


def test_commune_specific_rule_wins(world):
    services.routing_rule_save(actor=None, category=world.category, commune=None, target="agency",
                               agency=world.department)
    services.routing_rule_save(actor=None, category=world.category, commune=world.anxuyen,
                               target="commune_committee")
    assert submit(world).agency == world.anxuyen_pc
    assert submit(world, commune="32025").agency == world.department


@pytest.mark.parametrize("category", ["khong-ton-tai", "", None])
def test_unknown_category_rejected(world, category):
    with pytest.raises(ValidationFailed) as exc:
        submit(world, category=category)
    assert exc.value.code == "unknown_category"
    _nothing_stored()


def test_inactive_category_rejected(world):
    services.category_save(actor=None, code=world.category.code, category=world.category, is_active=False)
    with pytest.raises(ValidationFailed) as exc:
        submit(world, category="duong-giao-thong")
    assert exc.value.code == "unknown_category"


@pytest.mark.parametrize(("lat", "lon", "code"), [
    (None, None, "location_required"),
    ("", LON, "location_required"),
    (LAT, None, "location_required"),
    ("abc", LON, "invalid_location"),
    ("NaN", LON, "invalid_location"),
    (0, 0, "invalid_location"),
    ("21.028511", "105.804817", "outside_province"),  # Hà Nội
    ("10.776889", "106.700806", "outside_province"),  # Thành phố Hồ Chí Minh
    ("9.18", "-105.15", "outside_province"),
    ("95", "105.15", "invalid_location"),
])
def test_bad_coordinates_rejected(world, lat, lon, code):
    with pytest.raises(ValidationFailed) as exc:
        submit(world, latitude=lat, longitude=lon)
    assert exc.value.code == code
    assert str(exc.value.message)  # a message for people
    _nothing_stored()


def test_outside_message_is_clear(world):
    with pytest.raises(ValidationFailed) as exc:
        submit(world, latitude="21.0", longitude="105.8")
    assert "ngoài địa bàn tỉnh" in str(exc.value.message)


def test_island_inside_province_accepted(world):
    assert submit(world, latitude="8.437", longitude="104.828", commune=None).pk  # Hòn Khoai


def test_configured_bbox(world, settings):
    settings.TINHSO_FEEDBACK_BBOX = "9.0,105.0,9.3,105.3"
    assert submit(world).pk
    with pytest.raises(ValidationFailed):
        submit(world, latitude="8.7", longitude="104.9")


def test_ten_megabyte_description_rejected(world):
    with pytest.raises(ValidationFailed) as exc:
        submit(world, description="a" * (10 * 1024 * 1024))
    assert exc.value.code == "too_long" and "4000" in str(exc.value.message)
    _nothing_stored()


def test_description_limits(world):
    with pytest.raises(ValidationFailed) as exc:
        submit(world, description="x" * 4001)
    assert exc.value.code == "too_long"
    with pytest.raises(ValidationFailed) as exc:
        submit(world, description="   ")
    assert exc.value.code == "required"
    assert submit(world, description="ổ" * 4000).pk
    assert Report.objects.count() == 1


@pytest.mark.parametrize("values", [{}, {"hien_trang": "khong-co"}, {"hien_trang": "o-ga", "la": 1}, "x"])
def test_attributes_validated(world, values):
    with pytest.raises(ValidationFailed) as exc:
        submit(world, attributes=values)
    assert exc.value.code == "invalid_attributes"
    _nothing_stored()


def test_attribute_types(world):
    from tinhso.feedback.attributes import clean_values

    defs = [
        {"code": "n", "datatype": "number"}, {"code": "d", "datatype": "datetime"},
        {"code": "m", "datatype": "multivaluelist", "values": [{"key": "a", "name": "A"}, {"key": "b", "name": "B"}]},
        {"code": "t", "datatype": "text"},
    ]
    assert clean_values(defs, {"n": "12", "d": "2026-03-02T09:00:00+07:00", "m": "a,b", "t": "x"}) == {
        "n": 12, "d": "2026-03-02T09:00:00+07:00", "m": ["a", "b"], "t": "x"}
    for bad in ({"n": "12a"}, {"d": "2026-03-02T09:00:00"}, {"m": ["c"]}, {"n": True}):
        with pytest.raises(ValidationFailed):
            clean_values(defs, bad)


def test_bad_attribute_definitions_refused(world):
    with pytest.raises(ValidationFailed):
        services.category_save(actor=None, code="x", name="X", attributes=[{"code": "a", "datatype": "blob"}])
    with pytest.raises(ValidationFailed):
        services.category_save(actor=None, code="y", name="Y",
                               attributes=[{"code": "a", "datatype": "singlevaluelist", "values": []}])


def test_idempotency(world):
    first = submit(world, idempotency_key="k-1")
    again = submit(world, idempotency_key="k-1")
    assert again.pk == first.pk and Report.objects.count() == 1
    with pytest.raises(ValidationFailed) as exc:
        submit(world, idempotency_key="k-1", description="Một nội dung khác.")
    assert exc.value.code == "idempotency_conflict"
    # Another person may use the same key.
    assert submit(world, reporter=world.citizen_b, idempotency_key="k-1").pk != first.pk
    # Without an account: scoped to the API client.
    a = submit(world, reporter=None, idempotency_key="k-1", idempotency_scope="client:1")
    assert submit(world, reporter=None, idempotency_key="k-1", idempotency_scope="client:1").pk == a.pk
    assert Report.objects.count() == 3


def test_photos(world):
    photo = SimpleUploadedFile("anh.png", png(), content_type="image/png")
    r = submit(world, photos=[photo])
    link = ReportPhoto.objects.get(report=r)
    assert link.file.kind == "png" and link.file.attached_id == str(r.pk)


def test_pdf_photo_rejected_nothing_stored(world):
    from tinhso.core.errors import UnsupportedMedia

    with pytest.raises((ValidationFailed, UnsupportedMedia)):
        submit(world, photos=[SimpleUploadedFile("anh.png", pdf(), content_type="image/png")])
    _nothing_stored()


def test_too_many_photos(world):
    photos = [SimpleUploadedFile(f"a{i}.png", png(), content_type="image/png") for i in range(6)]
    with pytest.raises(ValidationFailed) as exc:
        submit(world, photos=photos)
    assert exc.value.code == "too_many_photos"
    _nothing_stored()


def test_without_account(world, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        r = submit(world, reporter=None, contact={"name": "Lê Văn Tư", "phone": "0912000111", "email": "tu@example.vn"})
    assert r.reporter is None and r.contact_email == "tu@example.vn"
    assert ["tu@example.vn"] in [m.to for m in mailoutbox]
    with pytest.raises(ValidationFailed):
        submit(world, reporter=None, photos=[SimpleUploadedFile("a.png", png(), content_type="image/png")])
    with pytest.raises(ValidationFailed):
        submit(world, reporter=None, contact={"email": "khong-phai-email"})


def test_commune_must_be_in_province(world):
    with pytest.raises(ValidationFailed) as exc:
        submit(world, commune="00001")
    assert exc.value.code == "invalid_commune"


def test_commune_guessed_from_nearby_reports(world):
    submit(world)
    r = submit(world, commune=None, latitude="9.181500", longitude="105.152500")
    assert r.commune == world.anxuyen and r.agency == world.anxuyen_pc
