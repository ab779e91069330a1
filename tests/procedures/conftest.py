import pytest


@pytest.fixture
def demo_catalogue(province_96):
    """Cà Mau with its agencies and the demo catalogue loaded."""
    from tinhso.orgs import demo as orgs_demo
    from tinhso.procedures import demo

    orgs_demo.load(province_code=96, log=lambda _msg: None)
    demo.load(province_code=96, log=lambda _msg: None)
    return province_96


@pytest.fixture
def make_procedure(db):
    """Create a small valid procedure through the service (system actor)."""
    from tinhso.procedures import services

    def make(*, code="9.000001", agencies=(), published=True, name="Cấp giấy phép thử nghiệm", **over):
        field = services.procedure_field_ensure(actor=None, code="thu-nghiem", name="Thử nghiệm")
        values = {
            "actor": None, "code": code, "name": name, "field": field, "service_level": "full_online",
            "implementing_level": "province" if agencies else "commune", "processing_days": 5,
            "agencies": list(agencies), "result": "Giấy phép thử nghiệm",
            "form_schema": {"type": "object", "properties": {"ho_ten": {"type": "string", "title": "Họ tên"}},
                            "required": ["ho_ten"]},
            "fees": [{"name": "Lệ phí", "amount": 50000}],
            "documents": [{"code": "don", "name": "Đơn đề nghị cấp phép", "copies": "01 bản chính"}],
            "steps": [{"name": "Tiếp nhận", "role_code": "clerk", "days": 1},
                      {"name": "Thẩm định", "role_code": "specialist", "days": 3},
                      {"name": "Phê duyệt", "role_code": "leader", "days": 1}],
            "is_published": published,
        }
        values.update(over)
        return services.procedure_create(**values)

    return make
