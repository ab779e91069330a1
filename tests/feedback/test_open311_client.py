"""A round trip with a real, unmodified Open311 GeoReport v2 client over HTTP.

``georeport`` (PyPI, Apache-2.0; needs ``requests`` and ``xmltodict``) reads services, service
definitions and requests in JSON and XML. It has no call to create a request, so the POST uses
``requests`` exactly as the spec describes (form-encoded). Skipped when the package is absent:
it is not a dependency of the project (install it by hand to run this file)."""

from __future__ import annotations

import pytest

from tests.feedback.conftest import LAT, LON
from tinhso.accounts.services import api_token_create
from tinhso.feedback import services
from tinhso.feedback.models import Report

georeport = pytest.importorskip("georeport")
requests = pytest.importorskip("requests")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def setup(transactional_db, live_server, world):
    from tests.factories import UserFactory

    account = UserFactory(is_service_account=True)
    _token, key = api_token_create(actor=None, user=account, name="client", scopes=["open311"], expires_at=None)
    return f"{live_server.url}/open311/v2", key


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_round_trip_with_georeport(setup, world, fmt):
    root, key = setup
    client = georeport.GeoReport(root, api_key=key, output_format=fmt)

    services_ = client.get_service_list()
    codes = {s["service_code"] for s in services_}
    assert codes == {"duong-giao-thong", "chieu-sang"}
    definition = client.get_service_definition("duong-giao-thong")
    attrs = definition["attributes"]
    if fmt == "xml":  # xmltodict: one child is a dict, several are a list
        attrs = attrs["attribute"]
        attrs = [attrs] if isinstance(attrs, dict) else attrs
    assert attrs[0]["code"] == "hien_trang"

    response = requests.post(f"{root}/requests.{fmt}", data={
        "api_key": key, "service_code": "duong-giao-thong", "lat": str(LAT), "long": str(LON),
        "address_id": "32002", "description": "Ổ gà trước cổng trường", "attribute[hien_trang]": "o-ga",
        "email": "dan@example.vn",
    }, timeout=10)
    response.raise_for_status()
    if fmt == "json":
        rid = response.json()[0]["service_request_id"]
    else:
        import xmltodict

        rid = xmltodict.parse(response.content)["service_requests"]["request"]["service_request_id"]

    one = client.get_service_request(rid)
    assert one["service_request_id"] == rid and one["status"] == "open"
    report = Report.objects.get(public_id=rid)
    services.report_assign(report=report, actor=world.handler)
    services.report_resolve(report=report, actor=world.handler, answer="Đã vá xong.")
    many = client.get_service_requests(service_code="duong-giao-thong", status="closed")
    if isinstance(many, dict):
        many = [many]
    assert [r["service_request_id"] for r in many] == [rid]
    assert many[0]["status_notes"] == "Đã vá xong."
    assert "dan@example.vn" not in str(many)

    bad = requests.post(f"{root}/requests.{fmt}", data={"api_key": "sai", "service_code": "x"}, timeout=10)
    assert bad.status_code == 403
