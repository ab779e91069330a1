from io import BytesIO

import pytest
from django.test import Client

from tests.factories import OfficialFactory
from tests.matrix import login_as
from tinhso.procedures import excel
from tinhso.procedures.models import Procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db):
    return login_as(Client(), OfficialFactory(is_superuser=True, is_staff=True))


def test_changelist_and_change_form(admin_client, make_procedure):
    p = make_procedure()
    assert admin_client.get("/admin/procedures/procedure/").status_code == 200
    response = admin_client.get(f"/admin/procedures/procedure/{p.pk}/change/")
    assert response.status_code == 200 and "Thẩm định" in response.content.decode()


def test_export_and_import_views(admin_client, make_procedure):
    make_procedure()
    response = admin_client.get("/admin/procedures/procedure/xuat-excel/")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert admin_client.get("/admin/procedures/procedure/nhap-excel/").status_code == 200
    upload = BytesIO(excel.export_workbook())
    upload.name = "catalogue.xlsx"
    response = admin_client.post("/admin/procedures/procedure/nhap-excel/", {"file": upload})
    assert response.status_code == 302
    bad = BytesIO(b"not excel")
    bad.name = "x.xlsx"
    response = admin_client.post("/admin/procedures/procedure/nhap-excel/", {"file": bad})
    assert response.status_code == 200 and "Không đọc được tệp Excel" in response.content.decode()


def test_staff_without_superuser_cannot_export(db, make_procedure):
    client = login_as(Client(), OfficialFactory(is_staff=True))
    assert client.get("/admin/procedures/procedure/xuat-excel/").status_code in (302, 403)
    assert client.get("/admin/procedures/procedure/").status_code in (302, 403)


def test_publish_action(admin_client, make_procedure):
    p = make_procedure()
    response = admin_client.post("/admin/procedures/procedure/", {
        "action": "unpublish_selected", "_selected_action": [p.pk]})
    assert response.status_code == 302
    assert not Procedure.objects.get(pk=p.pk).is_published


def _form_data(p):
    data = {
        "code": p.code, "name": p.name, "field": p.field_id, "service_level": p.service_level,
        "implementing_level": p.implementing_level, "applicants": p.applicants, "conditions": p.conditions,
        "legal_basis": p.legal_basis, "result": p.result, "processing_days": p.processing_days,
        "counting_rule": "{}", "form_schema": '{"type": "object", "properties": {}}',
    }
    for prefix, rows, fields in (
        ("fees", list(p.fees.all()), ("name", "amount", "note")),
        ("required_documents", list(p.required_documents.all()),
         ("order", "code", "name", "copies", "is_required", "description")),
        ("steps", list(p.steps.all()), ("order", "name", "role_code", "agency_rule", "days")),
    ):
        data.update({f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": len(rows),
                     f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
        for i, row in enumerate(rows):
            data[f"{prefix}-{i}-id"] = row.pk
            data[f"{prefix}-{i}-procedure"] = p.pk
            for f in fields:
                value = getattr(row, f)
                if value is True:
                    data[f"{prefix}-{i}-{f}"] = "on"
                elif value is not False:
                    data[f"{prefix}-{i}-{f}"] = value
    return data


def test_change_form_saves_through_services(admin_client, make_procedure):
    from tinhso.audit.models import AuditEvent

    p = make_procedure()
    data = _form_data(p)
    data["processing_days"] = 7
    data["steps-1-days"] = 5
    data["fees-0-amount"] = 75000
    response = admin_client.post(f"/admin/procedures/procedure/{p.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    p.refresh_from_db()
    assert p.processing_days == 7 and sorted(s.days for s in p.steps.all()) == [1, 1, 5]
    assert p.fees.get().amount == 75000
    assert AuditEvent.objects.filter(action="procedure.steps_set").exists()


def test_change_form_refuses_bad_schema(admin_client, make_procedure):
    p = make_procedure()
    data = _form_data(p)
    data["form_schema"] = '{"type": "array"}'
    response = admin_client.post(f"/admin/procedures/procedure/{p.pk}/change/", data)
    assert response.status_code == 200 and "Biểu mẫu tờ khai" in response.content.decode()
    p.refresh_from_db()
    assert p.form_schema["properties"]


def test_change_form_refuses_steps_not_adding_up(admin_client, make_procedure):
    p = make_procedure()
    data = _form_data(p)
    data["processing_days"] = 9
    data["name"] = "Tên không được lưu"
    response = admin_client.post(f"/admin/procedures/procedure/{p.pk}/change/", data)
    assert response.status_code == 200 and "Tổng số ngày của các bước" in response.content.decode()
    p.refresh_from_db()
    assert p.processing_days == 5 and p.name != "Tên không được lưu"
