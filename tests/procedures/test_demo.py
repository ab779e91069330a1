import pytest

from tinhso.procedures import formschema
from tinhso.procedures.demo_data import PROCEDURES
from tinhso.procedures.fees import compute_fee
from tinhso.procedures.models import Procedure
from tinhso.procedures.selectors import receiving_agencies
from tinhso.search.models import SearchDocument

pytestmark = pytest.mark.django_db


def test_demo_loads_at_least_15_consistent_procedures(demo_catalogue):
    procedures = list(Procedure.objects.prefetch_related("steps", "fees", "required_documents", "agencies"))
    assert len(procedures) >= 15 == 15 or len(procedures) >= 15
    assert len(procedures) == len(PROCEDURES)
    for p in procedures:
        assert p.is_published
        assert p.steps.exists(), p.code
        assert sum(s.days for s in p.steps.all()) == p.processing_days, p.code
        formschema.validate_schema(p.form_schema)
        assert p.form_schema["properties"], p.code
        assert all(f.amount >= 0 for f in p.fees.all())
        assert p.required_documents.exists(), p.code
        assert p.legal_basis
        if p.implementing_level == "province":
            assert p.agencies.exists(), p.code
    levels = {p.implementing_level for p in procedures}
    assert levels == {"commune", "province"}
    assert SearchDocument.objects.filter(kind="procedure").count() == len(procedures)


def test_demo_is_idempotent(demo_catalogue):
    from tinhso.procedures import demo

    before = Procedure.objects.count()
    demo.load(province_code=96, log=lambda _m: None)
    assert Procedure.objects.count() == before
    assert SearchDocument.objects.filter(kind="procedure").count() == before


def test_birth_registration_is_complete(demo_catalogue):
    p = Procedure.objects.get(name="Đăng ký khai sinh")
    assert p.implementing_level == "commune" and p.service_level == "full_online"
    assert [s.role_code for s in p.steps.order_by("order")] == ["clerk", "specialist", "leader"]
    assert p.total_fee == 0  # registration itself is free; paper copies of the extract are not
    assert compute_fee(procedure=p, form_data={"so_ban_sao": 0}).total == 0
    assert compute_fee(procedure=p, form_data={"so_ban_sao": 2}).total == 16000
    assert receiving_agencies(procedure=p).count() == 64
    # a realistic application validates
    cleaned, errors = formschema.validate_data(p.form_schema, {
        "ho_ten_nguoi_yeu_cau": "Nguyễn Văn An", "cccd_nguoi_yeu_cau": "096090001234", "dien_thoai": "0912345678",
        "noi_cu_tru": receiving_agencies(procedure=p).first().admin_unit.code, "quan_he": "cha",
        "ho_ten_tre": "Nguyễn Minh Khang", "gioi_tinh": "nam", "ngay_sinh": "05/03/2026",
        "noi_sinh": "Bệnh viện Đa khoa tỉnh Cà Mau", "dan_toc": "Kinh", "quoc_tich": "Việt Nam",
        "ho_ten_me": "Trần Thị Lan", "cam_doan": "on",
    })
    assert errors == {}
    assert cleaned["ngay_sinh"] == "2026-03-05" and cleaned["cam_doan"] is True


def test_provincial_step_can_name_another_agency(demo_catalogue):
    p = Procedure.objects.get(code="1.012756")
    specific = [s for s in p.steps.all() if s.agency_rule == "specific"]
    assert specific and specific[0].agency.abbreviation == "SNNMT"


def test_every_demo_form_renders(demo_catalogue):
    for p in Procedure.objects.all():
        html = str(formschema.render_fields(p.form_schema, {}, {}))
        assert html.count('class="form-row') == len(p.form_schema["properties"]), p.code


def test_search_reindex_uses_the_provider(demo_catalogue):
    from tinhso.procedures import services
    from tinhso.search.services import search_reindex

    p = Procedure.objects.get(code="1.001193")
    services.procedure_unpublish(actor=None, procedure=p)
    Procedure.objects.filter(pk=p.pk).update(is_published=True)  # simulate a bulk change bypassing services
    counts = search_reindex(kinds=["procedure"])
    assert counts["procedure"] == Procedure.objects.count()
    assert SearchDocument.objects.filter(kind="procedure", object_id=str(p.pk)).exists()
