import pytest

from tinhso.procedures import services
from tinhso.procedures.models import Procedure
from tinhso.procedures.selectors import format_vnd, procedures_public

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["giay khai sinh", "khai sinh", "Khai Sinh", "dang ky khai sinh", "GIẤY KHAI SINH"])
def test_search_ignores_diacritics(demo_catalogue, query):
    names = [p.name for p in procedures_public(q=query)]
    assert names and names[0] == "Đăng ký khai sinh"


def test_search_by_code_and_document_name(demo_catalogue):
    assert [p.code for p in procedures_public(q="1.001193")] == ["1.001193"]
    assert "Đăng ký khai sinh" in [p.name for p in procedures_public(q="giay chung sinh")]
    assert not procedures_public(q="zzzz khong co").exists()


def test_filters(demo_catalogue):
    province = procedures_public(level="province")
    assert province.exists() and all(p.implementing_level == "province" for p in province)
    civil = procedures_public(field="ho-tich")
    assert civil.count() >= 4 and all(p.field.code == "ho-tich" for p in civil)
    assert not procedures_public(level="nonsense").exists()
    assert all(p.service_level == "full_online" for p in procedures_public(level="full_online"))


def test_list_page(client, demo_catalogue):
    response = client.get("/thu-tuc/")
    assert response.status_code == 200
    assert "Đăng ký khai sinh" in response.content.decode()
    response = client.get("/thu-tuc/", {"q": "giay khai sinh"})
    body = response.content.decode()
    assert "Đăng ký khai sinh" in body and "Đăng ký kết hôn" not in body
    response = client.get("/thu-tuc/", {"q": "khong ton tai xyz"})
    assert "Không tìm thấy thủ tục phù hợp" in response.content.decode()
    response = client.get("/thu-tuc/", {"linh_vuc": "ly-lich-tu-phap", "cap": "province"})
    assert "Phiếu lý lịch tư pháp" in response.content.decode()
    assert client.get("/thu-tuc/", {"trang": "999", "cap": "bad"}).status_code == 200


def test_pagination(client, make_procedure):
    for i in range(25):
        make_procedure(code=f"9.{i:06d}", name=f"Thủ tục thử số {i:02d}")
    first = client.get("/thu-tuc/").content.decode()
    second = client.get("/thu-tuc/", {"trang": 2}).content.decode()
    assert "Trang 1/2" in first and "Trang 2/2" in second
    assert first.count("/thu-tuc/9.") == 20 and second.count("/thu-tuc/9.") == 5


def test_empty_catalogue(client, db):
    response = client.get("/thu-tuc/")
    assert response.status_code == 200 and "Chưa có thủ tục nào" in response.content.decode()


def test_detail_page_for_citizens(client, demo_catalogue):
    response = client.get("/thu-tuc/1.001193/")
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("Đăng ký khai sinh", "UBND xã, phường nơi cư trú", "1 ngày làm việc", "Miễn phí",
                 "Giấy chứng sinh", "Luật Hộ tịch", "Nộp hồ sơ trực tuyến", 'href="/ho-so/nop/1.001193/"',
                 "Công chức tư pháp"):
        assert text in body, text
    body = client.get("/thu-tuc/2.000488/").content.decode()
    assert "200.000 đ" in body and "Sở Tư pháp" in body and "10 ngày làm việc" in body


def test_detail_404_for_unknown_and_unpublished(client, make_procedure):
    p = make_procedure()
    assert client.get("/thu-tuc/9.000001/").status_code == 200
    services.procedure_unpublish(actor=None, procedure=p)
    assert client.get("/thu-tuc/9.000001/").status_code == 404
    assert client.get("/thu-tuc/khong-co/").status_code == 404
    assert Procedure.objects.count() == 1


def test_format_vnd():
    assert format_vnd(0) == "Miễn phí"
    assert format_vnd(50000) == "50.000 đ"
    assert format_vnd(4300000) == "4.300.000 đ"


def test_template_link_on_detail(client, make_procedure):
    from tests.factories import UserFactory
    from tinhso.files.models import StoredFile

    p = make_procedure()
    stored = StoredFile.objects.create(owner=UserFactory(), purpose="procedure_template", original_name="Mẫu đơn.docx",
                                       kind="docx", content_type="x", size=1, sha256="0" * 64, storage_name="a/b.docx")
    p.required_documents.update(template=stored)
    body = client.get("/thu-tuc/9.000001/").content.decode()
    assert f"/files/{stored.public_id}/" in body and "Tải mẫu: Mẫu đơn.docx" in body


def test_list_page_query_count_does_not_grow(client, make_procedure, django_assert_max_num_queries):
    for i in range(3):
        make_procedure(code=f"9.10000{i}", name=f"Thủ tục A {i}")
    with django_assert_max_num_queries(12) as few:
        client.get("/thu-tuc/", {"q": "thu tuc"})
    for i in range(10):
        make_procedure(code=f"9.20000{i}", name=f"Thủ tục B {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/thu-tuc/", {"q": "thu tuc"})
