"""Open311 GeoReport v2 at /open311/v2/, exercised as a client would: plain HTTP (Django's test
client), form-encoded POSTs, JSON and XML bodies parsed with the standard library."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, timedelta
from xml.etree import ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import UserFactory
from tests.feedback.conftest import LAT, LON, submit
from tests.files.samples import png
from tinhso.accounts.services import api_token_create, api_token_revoke
from tinhso.audit.models import AuditEvent
from tinhso.feedback import services
from tinhso.feedback.models import Channel, Report, Status

BASE = "/open311/v2"
CODE = "duong-giao-thong"


@pytest.fixture
def api_key(world):
    """A platform API token of a service account, with the ``open311`` scope."""
    account = UserFactory(is_service_account=True, full_name="Ứng dụng CaMauG")
    _token, plain = api_token_create(actor=None, user=account, name="CaMauG", scopes=["open311"], expires_at=None)
    return plain


def form(key, /, **extra):
    data = {"api_key": key, "service_code": CODE, "lat": str(LAT), "long": str(LON),
            "description": "Ổ gà sâu trước chợ, xe máy dễ té.", "attribute[hien_trang]": "o-ga",
            "address_id": "32002"}
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def post(client, data, fmt="json", **headers):
    return client.post(f"{BASE}/requests.{fmt}", data, **headers)


def parse_xml(content: bytes):
    """Our own responses, parsed as a client would with the standard library."""
    return ET.fromstring(content)  # noqa: S314 - trusted: the body this test just received from us


def jget(client, path, **params):
    response = client.get(f"{BASE}/{path}", params)
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response, json.loads(response.content)


def xget(client, path, **params):
    response = client.get(f"{BASE}/{path}", params)
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return response, parse_xml(response.content)


def assert_error(response, status, fmt="json"):
    assert response.status_code == status, response.content
    if fmt == "json":
        body = json.loads(response.content)
        assert isinstance(body, list) and body and body[0]["code"] == status and body[0]["description"]
        return body[0]["description"]
    root = parse_xml(response.content)
    assert root.tag == "errors" and root[0].tag == "error"
    assert root.find("error/code").text == str(status) and root.find("error/description").text
    return root.find("error/description").text


# --- discovery and services ---------------------------------------------------------------------


def test_discovery_json_and_xml(client, world):
    _r, doc = jget(client, "discovery.json")
    assert doc["changeset"] and doc["contact"] and "open311" in doc["key_service"]
    (endpoint,) = doc["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2" and endpoint["type"] in ("production", "test")
    assert endpoint["formats"] == ["application/json", "text/xml"]
    _r, root = xget(client, "discovery.xml")
    assert root.tag == "discovery"
    assert root.find("endpoints/endpoint/specification").text == "http://wiki.open311.org/GeoReport_v2"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["application/json", "text/xml"]


def test_services(client, world):
    services.category_save(actor=None, code="cu", name="Ngừng nhận", is_active=False)
    _r, body = jget(client, "services.json")
    by_code = {s["service_code"]: s for s in body}
    assert set(by_code) == {CODE, "chieu-sang"}  # inactive categories are not offered
    road = by_code[CODE]
    assert road == {"service_code": CODE, "service_name": "Đường giao thông", "description": "", "metadata": True,
                    "type": "realtime", "keywords": "", "group": ""}
    assert by_code["chieu-sang"]["metadata"] is False
    _r, root = xget(client, "services.xml")
    assert root.tag == "services" and {s.tag for s in root} == {"service"}
    svc = [s for s in root if s.find("service_code").text == CODE][0]
    assert svc.find("metadata").text == "true" and svc.find("type").text == "realtime"
    assert svc.find("service_name").text == "Đường giao thông"


def test_service_definition(client, world):
    _r, body = jget(client, f"services/{CODE}.json")
    assert body["service_code"] == CODE
    (attr,) = body["attributes"]
    assert attr["code"] == "hien_trang" and attr["datatype"] == "singlevaluelist" and attr["required"] is True
    assert attr["variable"] is True and attr["order"] == 1 and attr["description"] == "Hiện trạng"
    assert attr["datatype_description"]
    assert attr["values"] == [{"key": "o-ga", "name": "Ổ gà"}, {"key": "khac", "name": "Khác"}]
    _r, root = xget(client, f"services/{CODE}.xml")
    assert root.tag == "service_definition"
    values = root.findall("attributes/attribute/values/value")
    assert [(v.find("key").text, v.find("name").text) for v in values] == [("o-ga", "Ổ gà"), ("khac", "Khác")]
    assert root.find("attributes/attribute/required").text == "true"


def test_unknown_service_and_format(client, world):
    assert "khong-co" in assert_error(client.get(f"{BASE}/services/khong-co.json"), 404)
    assert_error(client.get(f"{BASE}/services/khong-co.xml"), 404, "xml")
    assert_error(client.get(f"{BASE}/services.csv"), 404)
    assert_error(client.post(f"{BASE}/services.json"), 405)


# --- creating requests --------------------------------------------------------------------------


def test_post_request_json_then_read_it(client, world, api_key):
    response = post(client, form(api_key, email="dan@example.vn", phone="0912 345 678", first_name="An",
                                 last_name="Nguyễn", address_string="Trước chợ Cà Mau", device_id="abc",
                                 account_id="42", media_url="https://example.vn/o-ga.jpg"))
    assert response.status_code == 200, response.content
    (created,) = json.loads(response.content)
    assert set(created) == {"service_request_id", "service_notice", "account_id"} and created["account_id"] is None
    report = Report.objects.get(public_id=created["service_request_id"])
    assert report.code in created["service_notice"] and "UBND phường An Xuyên" in created["service_notice"]
    assert report.reporter is None and report.channel == Channel.OPEN311 and not report.show_name
    assert (report.contact_name, report.contact_phone, report.contact_email) == (
        "Nguyễn An", "0912 345 678", "dan@example.vn")
    assert report.attributes == {"hien_trang": "o-ga"} and report.address_string == "Trước chợ Cà Mau"
    # The API client that sent it is in the audit chain.
    event = AuditEvent.objects.get(action="open311.request")
    assert event.actor.is_service_account and event.object_id == str(report.pk)

    _r, (row,) = jget(client, f"requests/{created['service_request_id']}.json")
    assert row["service_request_id"] == created["service_request_id"] and row["status"] == "open"
    assert row["service_code"] == CODE and row["service_name"] == "Đường giao thông"
    assert row["agency_responsible"] == "UBND phường An Xuyên" and row["status_notes"] is None
    assert row["lat"] == float(LAT) and row["long"] == float(LON) and row["address"] == "Trước chợ Cà Mau"
    assert row["media_url"] == "https://example.vn/o-ga.jpg" and row["zipcode"] is None
    assert row["requested_datetime"].endswith("+07:00") and row["expected_datetime"] > row["requested_datetime"]
    # The code PA-… works too; the id is always the public id.
    _r, (same,) = jget(client, f"requests/{report.code}.json")
    assert same["service_request_id"] == created["service_request_id"]
    _r, (tok,) = jget(client, f"tokens/{created['service_request_id']}.json")
    assert tok == {"service_request_id": created["service_request_id"], "token": created["service_request_id"]}


def test_post_request_xml_and_multivalue_attributes(client, world, api_key):
    services.category_save(actor=None, code="rac-thai", name="Rác thải", attributes=[
        {"code": "loai", "datatype": "multivaluelist", "required": True, "description": "Loại rác",
         "values": [{"key": "nhua", "name": "Nhựa"}, {"key": "xa-ban", "name": "Xà bần"}]},
        {"code": "so_luong", "datatype": "number", "description": "Khối lượng (m³)"}])
    data = form(api_key, service_code="rac-thai", **{"attribute[hien_trang]": None})
    data["attribute[loai][]"] = ["nhua", "xa-ban"]
    data["attribute[so_luong]"] = "2.5"
    response = post(client, data, fmt="xml")
    assert response.status_code == 200, response.content
    root = parse_xml(response.content)
    assert root.tag == "service_requests" and root[0].tag == "request"
    rid = root.find("request/service_request_id").text
    assert root.find("request/service_notice").text and root.find("request/account_id").text is None
    report = Report.objects.get(public_id=rid)
    assert report.attributes == {"loai": ["nhua", "xa-ban"], "so_luong": 2.5}
    _r, xml = xget(client, f"requests/{rid}.xml")
    assert xml.tag == "service_requests" and xml.find("request/service_request_id").text == rid
    assert xml.find("request/status").text == "open" and xml.find("request/lat").text == str(float(LAT))


def test_idempotency_key(client, world, api_key):
    first = post(client, form(api_key), HTTP_IDEMPOTENCY_KEY="lan-1")
    again = post(client, form(api_key), HTTP_IDEMPOTENCY_KEY="lan-1")
    assert first.status_code == again.status_code == 200
    assert json.loads(first.content)[0]["service_request_id"] == json.loads(again.content)[0]["service_request_id"]
    assert Report.objects.count() == 1 and AuditEvent.objects.filter(action="open311.request").count() == 1
    other = post(client, form(api_key, description="Nội dung khác"), HTTP_IDEMPOTENCY_KEY="lan-1")
    assert_error(other, 400)
    assert Report.objects.count() == 1


@pytest.mark.parametrize(("change", "status", "needle"), [
    ({"api_key": None}, 403, "api_key"),
    ({"api_key": "sai" * 20}, 403, "api_key"),
    ({"service_code": None}, 400, "service_code"),
    ({"service_code": "khong-co"}, 400, "Lĩnh vực"),
    ({"lat": None, "long": None, "address_id": None}, 400, "lat và long (WGS 84)"),
    ({"lat": None, "long": None, "address_id": None, "address_string": "Chợ Cà Mau"}, 400, "address_string"),
    ({"lat": None, "long": None}, 400, "address_id"),
    ({"long": None}, 400, "lat và long"),
    ({"lat": "abc"}, 400, "Tọa độ"),
    ({"lat": "21.0285", "long": "105.8542"}, 400, "ngoài địa bàn"),  # Hà Nội
    ({"description": ""}, 400, "mô tả"),
    ({"description": "x" * 4001}, 400, "4000"),
    ({"attribute[hien_trang]": None}, 400, "Hiện trạng"),
    ({"attribute[hien_trang]": "sai"}, 400, "hien_trang"),
    ({"attribute[khong_co]": "1"}, 400, "khong_co"),
    ({"email": "khong-phai-email"}, 400, "thư điện tử"),
    ({"media_url": "javascript:alert(1)"}, 400, "ảnh"),
    ({"address_id": "99999"}, 400, "Xã, phường"),
])
def test_rejected_posts_store_nothing(client, world, api_key, change, status, needle):
    for fmt in ("json", "xml"):
        message = assert_error(post(client, form(api_key, **change), fmt=fmt), status, fmt)
        assert needle.lower() in message.lower(), message
    assert Report.objects.count() == 0


def test_api_key_rules(client, world, api_key):
    account = UserFactory(is_service_account=True)
    token, other_scope = api_token_create(actor=None, user=account, name="khác", scopes=["procedures:read"],
                                          expires_at=None)
    assert_error(post(client, form(other_scope)), 403)
    revoked_token, revoked = api_token_create(actor=None, user=account, name="thu hồi", scopes=["open311"],
                                              expires_at=None)
    api_token_revoke(actor=None, token=revoked_token)
    assert_error(post(client, form(revoked)), 403)
    # A logged-in session is never an api_key, and the POST needs no CSRF token.
    client.force_login(world.citizen)
    assert_error(post(client, form(None)), 403)
    csrf_client = client.__class__(enforce_csrf_checks=True)
    csrf_client.force_login(world.citizen)
    assert post(csrf_client, form(api_key)).status_code == 200
    assert Report.objects.count() == 1 and Report.objects.get().reporter is None


def test_address_id_is_the_commune(client, world, api_key):
    response = post(client, form(api_key, address_id="32025"))
    report = Report.objects.get(public_id=json.loads(response.content)[0]["service_request_id"])
    assert report.commune.code == "32025" and report.agency == world.tanthanh_pc
    _r, (row,) = jget(client, f"requests/{report.public_id}.json")
    assert row["address_id"] == "32025"


# --- searching ----------------------------------------------------------------------------------


def _ids(body):
    return {r["service_request_id"] for r in body}


def test_get_requests_filters(client, world, api_key):
    road = submit(world)
    light = submit(world, category=world.other_category, attributes={})
    old = submit(world)
    Report.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=120))
    services.report_assign(report=light, actor=world.handler)
    services.report_resolve(report=light, actor=world.handler, answer="Đã thay bóng đèn.")

    _r, body = jget(client, "requests.json")
    assert _ids(body) == {str(road.public_id), str(light.public_id)}  # default window: 90 days
    _r, body = jget(client, "requests.json", service_code=CODE)
    assert _ids(body) == {str(road.public_id)}
    _r, body = jget(client, "requests.json", service_code=f"{CODE},chieu-sang", status="closed")
    assert _ids(body) == {str(light.public_id)}
    assert body[0]["status"] == "closed" and body[0]["status_notes"] == "Đã thay bóng đèn."
    _r, body = jget(client, "requests.json", status="open,closed", service_code="null")
    assert len(body) == 2
    start = (timezone.now() - timedelta(days=130)).isoformat()
    end = (timezone.now() - timedelta(days=110)).isoformat()
    _r, body = jget(client, "requests.json", start_date=start, end_date=end)
    assert _ids(body) == {str(old.public_id)}
    # "Z" and an unencoded "+" (read as a space) are both accepted.
    z = (timezone.now() - timedelta(days=1)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    _r, body = jget(client, "requests.json", start_date=z)
    assert len(body) == 2
    spaced = timezone.localtime(timezone.now() - timedelta(days=1)).isoformat(timespec="seconds").replace("+", " ")
    response = client.get(f"{BASE}/requests.json?start_date={spaced}")
    assert response.status_code == 200 and len(json.loads(response.content)) == 2
    # A list of ids overrides every other argument.
    _r, body = jget(client, "requests.json", service_request_id=f"{road.public_id},{old.public_id},{uuid.uuid4()}",
                    status="closed")
    assert _ids(body) == {str(road.public_id), str(old.public_id)}
    _r, body = jget(client, "requests.json", service_request_id=old.code)
    assert _ids(body) == {str(old.public_id)}
    # XML list
    _r, root = xget(client, "requests.xml", service_code=CODE)
    assert root.tag == "service_requests" and [e.tag for e in root] == ["request"]
    assert root.find("request/service_request_id").text == str(road.public_id)


def test_paging(client, world):
    reports = [submit(world) for _ in range(5)]
    newest_first = [str(r.public_id) for r in reversed(reports)]
    response, body = jget(client, "requests.json", page_size="2")
    assert [r["service_request_id"] for r in body] == newest_first[:2] and response["X-Total-Count"] == "5"
    _r, body = jget(client, "requests.json", page_size="2", page="3")
    assert [r["service_request_id"] for r in body] == newest_first[4:]
    _r, body = jget(client, "requests.json", page_size="2", page="4")
    assert body == []


def test_paging_beyond_core_pages(client, world, monkeypatch):
    from tinhso.feedback.open311 import views

    monkeypatch.setattr(views, "CORE_PAGE", 2)  # as if public_reports gave 2 rows per call
    reports = [submit(world) for _ in range(7)]
    newest_first = [str(r.public_id) for r in reversed(reports)]
    _r, body = jget(client, "requests.json")
    assert [r["service_request_id"] for r in body] == newest_first
    _r, body = jget(client, "requests.json", page_size="3", page="2")
    assert [r["service_request_id"] for r in body] == newest_first[3:6]


@pytest.mark.parametrize(("params", "needle"), [
    ({"start_date": "2026-01-01"}, "start_date"),  # no time zone
    ({"end_date": "hôm qua"}, "end_date"),
    ({"start_date": "2026-01-01T00:00:00+07:00", "end_date": "2026-06-01T00:00:00+07:00"}, "90"),
    ({"start_date": "2026-02-01T00:00:00+07:00", "end_date": "2026-01-01T00:00:00+07:00"}, "end_date"),
    ({"status": "mo"}, "Trạng thái"),
    ({"page": "0"}, "page"),
    ({"page_size": "1001"}, "page_size"),
    ({"service_request_id": ",".join(f"PA-260101-{i:04d}" for i in range(51))}, "UUID"),
])
def test_bad_search_parameters(client, world, params, needle):
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}/requests.{fmt}", params)
        assert needle.lower() in assert_error(response, 400, fmt).lower()


def test_unknown_request(client, world):
    assert_error(client.get(f"{BASE}/requests/{uuid.uuid4()}.json"), 404)
    assert_error(client.get(f"{BASE}/requests/PA-000000-0000.xml"), 404, "xml")
    assert_error(client.get(f"{BASE}/tokens/{uuid.uuid4()}.json"), 404)
    assert_error(client.get(f"{BASE}/tokens/abc.xml"), 404, "xml")


def test_spam_is_not_public(client, world):
    report = submit(world)
    services.report_refuse(report=report, actor=world.handler, reason="spam")
    assert_error(client.get(f"{BASE}/requests/{report.public_id}.json"), 404)
    assert jget(client, "requests.json")[1] == []
    assert jget(client, "servicerequestupdates.json")[1] == []


# --- updates ------------------------------------------------------------------------------------


def test_service_request_updates_after_resolution(client, world, api_key):
    response = post(client, form(api_key))
    rid = json.loads(response.content)[0]["service_request_id"]
    report = Report.objects.get(public_id=rid)
    before = timezone.now()
    services.report_assign(report=report, actor=world.handler, note="Ghi chú giao việc nội bộ")
    services.report_start(report=report, actor=world.handler)
    services.report_answer(report=report, actor=world.handler, body="Đã cử đội kiểm tra.")
    photo = SimpleUploadedFile("ket-qua.png", png(), content_type="image/png")
    services.report_resolve(report=report, actor=world.handler, answer="Đã vá ổ gà.", photo=photo)

    _r, updates = jget(client, "servicerequestupdates.json",
                       start_date=(before - timedelta(seconds=1)).isoformat())
    assert [u["service_request_id"] for u in updates] == [rid] * 4
    assert [(u["status"], u["description"]) for u in updates] == [
        ("open", "Đã tiếp nhận"), ("open", "Đang xử lý"), ("open", "Đã cử đội kiểm tra."), ("closed", "Đã vá ổ gà.")]
    assert len({u["update_id"] for u in updates}) == 4 and all(u["updated_datetime"] for u in updates)
    media = updates[-1]["media_url"]
    assert media and media.startswith("http://testserver/open311/v2/media/")
    image = client.get(media.removeprefix("http://testserver"))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content) == png()

    _r, (row,) = jget(client, f"requests/{rid}.json")
    assert row["status"] == "closed" and row["status_notes"] == "Đã vá ổ gà."
    _r, root = xget(client, "servicerequestupdates.xml", service_request_id=rid)
    assert root.tag == "service_request_updates" and {e.tag for e in root} == {"request_update"}
    assert root.find("request_update/update_id").text and len(root) == 4
    # Another request's id: nothing.
    _r, none = jget(client, "servicerequestupdates.json", service_request_id=str(uuid.uuid4()))
    assert none == []


def test_reporter_photo_is_served_through_the_public_view(client, world):
    photo = SimpleUploadedFile("anh.png", png(), content_type="image/png")
    report = submit(world, photos=[photo])
    _r, (row,) = jget(client, f"requests/{report.public_id}.json")
    assert row["media_url"].startswith("http://testserver/open311/v2/media/")
    response = client.get(row["media_url"].removeprefix("http://testserver"))
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"{BASE}/media/{report.public_id}/{uuid.uuid4()}").status_code == 404
    assert client.get(f"{BASE}/media/{uuid.uuid4()}/{row['media_url'].rsplit('/', 1)[1]}").status_code == 404


# --- privacy ------------------------------------------------------------------------------------


def test_no_personal_data_in_any_output(client, world, api_key):
    data = form(api_key, email="bimat@example.vn", phone="0987654321", first_name="Bí", last_name="Mật")
    rid = json.loads(post(client, data).content)[0]["service_request_id"]
    report = Report.objects.get(public_id=rid)
    own = submit(world, show_name=False)  # a citizen with an account, name not shown
    services.report_assign(report=report, actor=world.handler)
    services.report_add_note(report=report, actor=world.handler, body="GHI-CHU-NOI-BO số điện thoại 0987654321")
    services.report_refuse(report=own, actor=world.handler, reason="not_competent", note="LY-DO-RIENG-TU")
    secrets = ["bimat@example.vn", "0987654321", "Bí", "Mật", "GHI-CHU-NOI-BO", "LY-DO-RIENG-TU",
               world.citizen.full_name, world.citizen.email, world.citizen.phone, world.handler.full_name,
               world.handler.email]
    outputs = []
    for fmt in ("json", "xml"):
        for path in (f"requests.{fmt}", f"requests/{rid}.{fmt}", f"requests/{own.public_id}.{fmt}",
                     f"servicerequestupdates.{fmt}", f"services.{fmt}", f"tokens/{rid}.{fmt}"):
            response = client.get(f"{BASE}/{path}")
            assert response.status_code == 200, path
            outputs.append(response.content.decode())
    text = "\n".join(outputs)
    for secret in secrets:
        assert secret not in text, secret


def test_xml_escapes_text(client, world):
    submit(world, description="Cống <bị> nghẽn & tràn \"nước\" \x01")
    _r, root = xget(client, "requests.xml")
    assert root.find("request/description").text == "Cống <bị> nghẽn & tràn \"nước\" "


def test_status_mapping(client, world):
    submitted = submit(world)
    refused = submit(world)
    services.report_refuse(report=refused, actor=world.handler, reason="not_competent", note="Thuộc Sở Xây dựng")
    _r, body = jget(client, "requests.json")
    by_id = {r["service_request_id"]: r for r in body}
    assert by_id[str(submitted.public_id)]["status"] == "open"
    refused_row = by_id[str(refused.public_id)]
    assert refused_row["status"] == "closed" and refused_row["status_notes"] == "Không thuộc thẩm quyền giải quyết"
    assert Report.objects.get(pk=refused.pk).status == Status.REFUSED
