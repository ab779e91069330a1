"""Demo field reports for Cà Mau: categories (Open311 services) with SLAs and attributes,
routing rules (commune People's Committees by default; riverbank erosion to the Department of
Agriculture and Environment, provincial roads to the Department of Construction, officials'
attitude to the Department of Home Affairs), two shared answer templates and a dozen sample
reports in various states. Idempotent: categories by code, rules by (category, commune),
sample reports by their idempotency key."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

from tinhso.core.errors import DomainError

from . import services
from .models import Category, Report, ResponseTemplate, RoutingRule, RoutingTarget

YES_NO = [{"key": "co", "name": "Có"}, {"key": "khong", "name": "Không"}]

CATEGORIES = [
    {"code": "duong-giao-thong", "name": "Đường giao thông, cầu, cống (đường xã, hẻm)", "group": "Hạ tầng",
     "sla_days": 5, "keywords": "ổ gà, sụt lún, cầu hư, cống, đường hư",
     "description": "Hư hỏng đường giao thông nông thôn, đường đô thị, hẻm, cầu nhỏ, cống qua đường.",
     "attributes": [{"code": "hien_trang", "datatype": "singlevaluelist", "required": True, "order": 1,
                     "description": "Hiện trạng", "values": [
                         {"key": "o-ga", "name": "Ổ gà, ổ voi"}, {"key": "sut-lun", "name": "Sụt lún, nứt mặt đường"},
                         {"key": "cau-hu", "name": "Cầu hư hỏng, mất lan can"}, {"key": "khac", "name": "Khác"}]}]},
    {"code": "duong-tinh-quoc-lo", "name": "Đường tỉnh, quốc lộ, cầu lớn", "group": "Hạ tầng", "sla_days": 7,
     "keywords": "quốc lộ 1, quốc lộ 63, đường tỉnh, cầu",
     "description": "Hư hỏng trên các tuyến quốc lộ, đường tỉnh và cầu lớn do tỉnh quản lý.",
     "attributes": [{"code": "ten_tuyen", "datatype": "string", "required": True, "order": 1,
                     "description": "Tên tuyến đường (ví dụ: Quốc lộ 1, ĐT.983)"}]},
    {"code": "chieu-sang", "name": "Chiếu sáng công cộng", "group": "Hạ tầng", "sla_days": 3,
     "keywords": "đèn đường, trụ đèn, tối",
     "description": "Đèn đường không sáng, trụ đèn nghiêng đổ, dây điện chiếu sáng nguy hiểm.",
     "attributes": [{"code": "so_den_hong", "datatype": "number", "required": False, "order": 1,
                     "description": "Số bóng đèn không sáng"},
                    {"code": "so_tru", "datatype": "string", "required": False, "order": 2,
                     "description": "Số hiệu trụ đèn (nếu thấy)"}]},
    {"code": "rac-thai-moi-truong", "name": "Rác thải, vệ sinh môi trường", "group": "Môi trường", "sla_days": 3,
     "keywords": "rác, xả thải, mùi hôi, ô nhiễm",
     "description": "Rác tồn đọng, đổ trộm rác, xả nước thải, ô nhiễm mùi.",
     "attributes": [{"code": "loai_rac", "datatype": "multivaluelist", "required": False, "order": 1,
                     "description": "Loại rác, chất thải", "values": [
                         {"key": "sinh-hoat", "name": "Rác sinh hoạt"}, {"key": "xay-dung", "name": "Xà bần, vật liệu xây dựng"},
                         {"key": "nuoc-thai", "name": "Nước thải"}, {"key": "xac-dong-vat", "name": "Xác động vật"}]}]},
    {"code": "ngap-ung", "name": "Ngập úng, thoát nước", "group": "Môi trường", "sla_days": 3,
     "keywords": "ngập, triều cường, cống nghẹt, thoát nước",
     "description": "Ngập khi mưa hoặc triều cường, cống thoát nước bị nghẹt."},
    {"code": "sat-lo-bo-song", "name": "Sạt lở bờ sông, bờ biển", "group": "Thiên tai", "sla_days": 2,
     "keywords": "sạt lở, lở đất, bờ kè, bờ bao, xói lở",
     "description": "Sạt lở, nứt bờ sông, bờ biển, bờ kè đe dọa nhà dân và công trình.",
     "attributes": [{"code": "chieu_dai_m", "datatype": "number", "required": False, "order": 1,
                     "description": "Chiều dài đoạn sạt lở (mét, ước tính)"},
                    {"code": "nha_dan_bi_de_doa", "datatype": "singlevaluelist", "required": True, "order": 2,
                     "description": "Có nhà dân bị đe dọa không?", "values": YES_NO}]},
    {"code": "cap-nuoc", "name": "Cấp nước sinh hoạt", "group": "Dịch vụ công cộng", "sla_days": 3,
     "keywords": "mất nước, nước đục, vỡ ống",
     "description": "Mất nước, nước yếu, nước đục, vỡ đường ống cấp nước."},
    {"code": "trat-tu-cong-cong", "name": "Trật tự công cộng, lấn chiếm lòng lề đường", "group": "Trật tự đô thị",
     "sla_days": 5, "keywords": "lấn chiếm, vỉa hè, tiếng ồn, karaoke",
     "description": "Lấn chiếm vỉa hè, lòng đường, gây ồn ào, mất trật tự nơi công cộng."},
    {"code": "thai-do-can-bo", "name": "Thái độ, tác phong của cán bộ, công chức", "group": "Hành chính",
     "sla_days": 10, "keywords": "cán bộ, hách dịch, gây khó khăn, nhũng nhiễu",
     "description": "Cán bộ, công chức có thái độ không đúng mực, gây phiền hà khi giải quyết công việc.",
     "attributes": [{"code": "co_quan", "datatype": "string", "required": True, "order": 1,
                     "description": "Cơ quan, bộ phận nơi xảy ra"},
                    {"code": "thoi_diem", "datatype": "datetime", "required": False, "order": 2,
                     "description": "Thời điểm xảy ra"}]},
    {"code": "khac", "name": "Vấn đề khác", "group": "Khác", "sla_days": 7, "keywords": "",
     "description": "Các vấn đề khác tại địa phương."},
]

# category code (None = default rule) → (target, agency abbreviation, supervisor abbreviation)
RULES = [
    (None, RoutingTarget.COMMUNE_COMMITTEE, None, None),
    ("sat-lo-bo-song", RoutingTarget.AGENCY, "SNNMT", None),
    ("duong-tinh-quoc-lo", RoutingTarget.AGENCY, "SXD", None),
    ("thai-do-can-bo", RoutingTarget.AGENCY, "SNV", "TTr"),
]

TEMPLATES = [
    ("Đã khắc phục", "Cảm ơn ông/bà đã phản ánh. Cơ quan đã kiểm tra hiện trường và khắc phục xong vấn đề. "
                     "Kính mời ông/bà đánh giá kết quả xử lý."),
    ("Đã tiếp nhận, đang kiểm tra", "Cơ quan đã tiếp nhận phản ánh và cử cán bộ kiểm tra hiện trường. "
                                    "Kết quả sẽ được thông báo trong thời hạn quy định."),
]

ANXUYEN, TANTHANH, BACLIEU, GANHHAO, NAMCAN, DATMUI = "32002", "32025", "31825", "31972", "32191", "32248"

# key, category, commune, lat, long, address, description, attributes, what happens next
SAMPLES = [
    ("demo-1", "duong-giao-thong", ANXUYEN, "9.181200", "105.152300", "Đường Trần Hưng Đạo, khóm 5",
     "Ổ gà lớn giữa đường, trời mưa đọng nước, xe máy đi ngang dễ té ngã.", {"hien_trang": "o-ga"}, "rated"),
    ("demo-2", "chieu-sang", ANXUYEN, "9.176800", "105.148900", "Đường Phan Ngọc Hiển, gần chợ",
     "Ba trụ đèn đường không sáng gần một tuần, buổi tối rất tối.", {"so_den_hong": 3}, "in_progress"),
    ("demo-3", "rac-thai-moi-truong", ANXUYEN, "9.179500", "105.156100", "Bờ kênh cạnh chợ phường",
     "Rác sinh hoạt bị đổ xuống bờ kênh, bốc mùi hôi.", {"loai_rac": ["sinh-hoat"]}, "assigned"),
    ("demo-4", "ngap-ung", ANXUYEN, "9.173300", "105.144200", "Hẻm 12 đường Lý Thường Kiệt",
     "Mỗi lần triều cường nước ngập sâu 30 cm, cống thoát nước bị nghẹt.", {}, "resolved"),
    ("demo-5", "sat-lo-bo-song", GANHHAO, "9.032000", "105.419000", "Bờ sông Gành Hào, ấp 3",
     "Bờ sông xuất hiện vết nứt dài, một đoạn khoảng 20 m đã sụp xuống sông.",
     {"chieu_dai_m": 20, "nha_dan_bi_de_doa": "co"}, "submitted"),
    ("demo-6", "sat-lo-bo-song", NAMCAN, "8.761000", "104.999000", "Bờ sông Cửa Lớn, khóm 2",
     "Sạt lở bờ sông làm hư lộ bê tông, người dân đi lại nguy hiểm.", {"nha_dan_bi_de_doa": "khong"}, "submitted"),
    ("demo-7", "duong-tinh-quoc-lo", TANTHANH, "9.165000", "105.180000", "Quốc lộ 1, đoạn qua phường Tân Thành",
     "Mặt đường quốc lộ bị lún, hằn lún bánh xe sâu.", {"ten_tuyen": "Quốc lộ 1"}, "submitted"),
    ("demo-8", "cap-nuoc", BACLIEU, "9.285000", "105.724000", "Đường Hai Bà Trưng",
     "Mất nước sinh hoạt từ sáng đến chiều hai ngày liền.", {}, "submitted"),
    ("demo-9", "trat-tu-cong-cong", TANTHANH, "9.168500", "105.176500", "Vỉa hè trước trường tiểu học",
     "Hàng quán lấn chiếm hết vỉa hè, học sinh phải đi xuống lòng đường.", {}, "submitted"),
    ("demo-10", "thai-do-can-bo", DATMUI, "8.610000", "104.730000", "Trụ sở UBND xã",
     "Cán bộ tiếp dân trả lời cộc lốc, không hướng dẫn thủ tục.", {"co_quan": "Bộ phận một cửa xã"}, "submitted"),
    ("demo-11", "rac-thai-moi-truong", ANXUYEN, "9.179600", "105.156300", "Bờ kênh cạnh chợ phường",
     "Rác đổ bờ kênh cạnh chợ, đã lâu không ai dọn.", {}, "duplicate"),
    ("demo-12", "khac", ANXUYEN, "9.180000", "105.150000", "",
     "Mua hàng giá rẻ liên hệ số điện thoại trên trang web.", {}, "spam"),
]


def _agency(abbreviation: str | None, province_code: int):
    if not abbreviation:
        return None
    from tinhso.orgs.selectors import public_agencies

    pcode = f"{int(province_code):02d}"
    return public_agencies(level="province", admin_unit_code=pcode).filter(abbreviation=abbreviation).first()


def _load_catalogue(province_code: int, log: Callable[[str], None]) -> None:
    created = 0
    for order, spec in enumerate(CATEGORIES, start=1):
        if Category.objects.filter(code=spec["code"]).exists():
            continue
        fields = {k: v for k, v in spec.items() if k != "code"}
        services.category_save(actor=None, code=spec["code"], order=order * 10, **fields)
        created += 1
    rules = 0
    for code, target, agency_abbr, supervisor_abbr in RULES:
        category = Category.objects.filter(code=code).first() if code else None
        if RoutingRule.objects.filter(category=category, commune=None, is_active=True).exists():
            continue
        agency = _agency(agency_abbr, province_code)
        if target == RoutingTarget.AGENCY and agency is None:
            log(f"  (bỏ qua quy tắc {code}: chưa có cơ quan {agency_abbr})")
            continue
        services.routing_rule_save(actor=None, category=category, commune=None, target=target, agency=agency,
                                   supervisor=_agency(supervisor_abbr, province_code))
        rules += 1
    for title, body in TEMPLATES:
        if not ResponseTemplate.objects.filter(agency=None, title=title).exists():
            services.response_template_create(actor=None, title=title, body=body)
    log(f"✓ {len(CATEGORIES)} lĩnh vực phản ánh ({created} mới), {rules} quy tắc chuyển mới")


def _official_of(agency):
    from .selectors import HANDLER_ROLES
    from .services import officials_of

    return officials_of(agency_id=agency.pk, roles=HANDLER_ROLES).order_by("pk").first()


def _advance(report: Report, step: str, citizen, originals: dict) -> None:
    if step == "submitted":
        return
    official = _official_of(report.agency)
    if official is None:
        return
    if step == "duplicate":
        original = originals.get("demo-3")
        if original is not None:
            services.report_refuse(report=report, actor=official, reason="duplicate", duplicate_of=original,
                                   note="Trùng với phản ánh đã tiếp nhận tại cùng vị trí.")
        return
    if step == "spam":
        services.report_refuse(report=report, actor=official, reason="spam")
        return
    services.report_assign(report=report, actor=official)
    if step == "assigned":
        return
    services.report_start(report=report, actor=official)
    if step == "in_progress":
        services.report_add_note(report=report, actor=official, body="Đã báo Điện lực thay bóng đèn.")
        return
    services.report_resolve(report=report, actor=official, answer=TEMPLATES[0][1])
    if step == "rated":
        services.report_rate(report=report, actor=citizen, score=5, comment="Xử lý nhanh, cảm ơn phường.")


def _load_samples(log: Callable[[str], None]) -> None:
    from tinhso.accounts.selectors import user_by_login

    citizen = user_by_login("0912345678")  # the demo citizen (accounts.demo)
    if citizen is None:
        log("  (bỏ qua phản ánh mẫu: chưa có tài khoản người dân demo)")
        return
    originals: dict[str, Report] = {}
    created = 0
    for key, category, commune, lat, lon, address, description, attributes, step in SAMPLES:
        existing = Report.objects.filter(idempotency_scope=f"user:{citizen.pk}", idempotency_key=key).first()
        if existing is not None:
            originals[key] = existing
            continue
        try:
            report = services.report_submit(
                reporter=citizen, category=category, latitude=lat, longitude=lon, description=description,
                address_string=address, commune=commune, attributes=attributes, show_name=key == "demo-1",
                idempotency_key=key,
            )
            originals[key] = report
            _advance(report, step, citizen, originals)
        except DomainError as exc:
            log(f"  (bỏ qua phản ánh mẫu {key}: {exc.message})")
            continue
        created += 1
    log(f"✓ {len(SAMPLES)} phản ánh hiện trường mẫu ({created} mới)")


def load(*, province_code: int, log: Callable[[str], None]) -> None:
    _load_catalogue(province_code, log)
    if getattr(settings, "TINHSO_ENV", "") != "production" and int(province_code) == 96:
        _load_samples(log)
    from .demo_ideas import load as load_ideas  # comments and ideas (docs/ideas.md)

    load_ideas(province_code=province_code, log=log)
