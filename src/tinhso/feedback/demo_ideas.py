"""Demo consultations (góp ý, hiến kế) for Cà Mau: the demo ward's People's Committee asks about
its market and its streets, the Department of Justice about a draft support scheme; the demo
citizen and business post ideas, support them, and the agencies answer (one idea accepted with
an implementation timeline, one rejected, one being evaluated, one consultation closed with a
published summary, one draft). Idempotent: a consultation is created once (by title)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tinhso.core.errors import DomainError

from . import services_ideas as svc
from .models_ideas import Consultation
from .selectors_ideas import IDEA_ROLES

# A one-page PDF (the draft's cover), built without any PDF library.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

MARKET = "Lấy ý kiến phương án cải tạo, mở rộng chợ phường An Xuyên"
STREETS = "Hiến kế chỉnh trang vỉa hè, cây xanh các tuyến đường trung tâm phường"
JUSTICE = "Dự thảo Kế hoạch hỗ trợ pháp lý cho doanh nghiệp nhỏ và vừa năm 2027"
DRAFT = "Lấy ý kiến quy định giờ hoạt động của chợ đêm (dự thảo)"


def _official(login: str):
    from tinhso.accounts.selectors import user_by_login
    from tinhso.orgs.selectors import current_memberships

    user = user_by_login(login)
    if user is None:
        return None, None
    m = current_memberships(user=user, roles=IDEA_ROLES).select_related("agency").order_by("pk").first()
    return (user, m.agency) if m else (None, None)


def _create(official, agency, title, summary, body, *, days=30, documents=(), publish=True):
    existing = Consultation.objects.filter(title=title, agency=agency).first()
    if existing is not None:
        return existing, False
    now = timezone.now()
    c = svc.consultation_create(actor=official, agency=agency, title=title, summary=summary, body=body,
                                opens_at=now - timedelta(days=3), closes_at=now + timedelta(days=days),
                                documents=documents)
    if publish:
        svc.consultation_publish(actor=official, consultation=c)
    return c, True


def _idea(author, c, key, title, body, **kw):
    return svc.idea_post(author=author, consultation=c, title=title, body=body, idempotency_key=key, **kw)


def load(*, province_code: int, log: Callable[[str], None]) -> None:
    if getattr(settings, "TINHSO_ENV", "") == "production" or int(province_code) != 96:
        return
    from tinhso.accounts.selectors import user_by_login

    citizen, business = user_by_login("0912345678"), user_by_login("0939123456")
    ward_official, ward = _official("chutich@tinhso.local")
    justice_official, justice = _official("lanhdao@tinhso.local")
    if citizen is None or business is None or ward is None:
        log("  (bỏ qua góp ý, hiến kế mẫu: chưa có tài khoản demo)")
        return
    made = 0
    try:
        market, new = _create(
            ward_official, ward, MARKET,
            "Chợ phường xuống cấp, mái che dột, lối đi hẹp. UBND phường đưa ra hai phương án cải tạo và mời "
            "người dân, tiểu thương góp ý.",
            "Phương án 1: giữ nguyên vị trí, thay mái che, mở rộng lối đi chính lên 3 m, bố trí lại khu hàng tươi "
            "sống.\nPhương án 2: xây chợ mới tại khu đất công cạnh bờ kênh, chuyển chợ cũ thành bãi giữ xe.\n\n"
            "Kinh phí dự kiến: 12 tỷ đồng từ ngân sách phường và xã hội hóa.",
            documents=[SimpleUploadedFile("du-thao-phuong-an-cai-tao-cho.pdf", DEMO_PDF, "application/pdf")])
        if new:
            made += 1
            a = _idea(citizen, market, "demo-idea-1", "Giữ chợ cũ, ưu tiên làm lại mái che và rãnh thoát nước",
                      "Vị trí chợ cũ thuận tiện cho người lớn tuổi. Mùa mưa nước đọng rất lâu, nên làm lại rãnh "
                      "thoát nước trước, sau đó thay mái che.")
            b = _idea(business, market, "demo-idea-2", "Dành một khu cho sản phẩm OCOP của phường",
                      "Đề nghị bố trí 10 sạp cho sản phẩm OCOP (mắm, khô, mật ong) để khách du lịch dễ tìm mua.")
            c = _idea(citizen, market, "demo-idea-3", "Dời chợ ra bờ kênh để giảm kẹt xe",
                      "Đường trước chợ kẹt xe vào buổi sáng. Dời chợ ra khu đất bờ kênh sẽ thông thoáng hơn.",
                      show_name=False)
            svc.idea_support(idea=a, user=business)
            svc.idea_support(idea=b, user=citizen)
            svc.idea_answer(idea=a, actor=ward_official, decision="accept",
                            answer="UBND phường tiếp thu: ưu tiên cải tạo rãnh thoát nước và mái che trong năm "
                                   "2026, giữ nguyên vị trí chợ.")
            svc.idea_progress(idea=a, actor=ward_official, status="in_progress", progress=20,
                              note="Đã khảo sát hiện trạng, lập dự toán cải tạo rãnh thoát nước.")
            svc.idea_progress(idea=a, actor=ward_official, status="in_progress", progress=45,
                              note="Đã thi công xong 120 m rãnh thoát nước phía đường Phan Ngọc Hiển.")
            svc.idea_answer(idea=b, actor=ward_official, decision="evaluate",
                            answer="Đang làm việc với Hợp tác xã để bố trí khu hàng OCOP.")
            svc.idea_answer(idea=c, actor=ward_official, decision="reject",
                            answer="Khu đất bờ kênh nằm trong hành lang bảo vệ bờ kênh, không thể xây chợ.")
        streets, new = _create(
            ward_official, ward, STREETS,
            "Mời người dân hiến kế chỉnh trang vỉa hè, trồng cây xanh, bố trí chỗ để xe trên các tuyến đường "
            "trung tâm phường.", "Phạm vi: đường Trần Hưng Đạo, Phan Ngọc Hiển, Lý Thường Kiệt.", days=45)
        if new:
            made += 1
            _idea(citizen, streets, "demo-idea-4", "Trồng cây bóng mát trước trường tiểu học",
                  "Trước cổng trường nắng gắt, phụ huynh đứng chờ đón con rất nóng. Nên trồng thêm cây sao, dầu.")
        if justice is not None:
            plan, new = _create(
                justice_official, justice, JUSTICE,
                "Sở Tư pháp lấy ý kiến doanh nghiệp về dự thảo kế hoạch hỗ trợ pháp lý năm 2027.",
                "Dự thảo gồm: tư vấn pháp luật miễn phí, tập huấn hợp đồng, giải đáp vướng mắc qua cổng dịch vụ "
                "công.", days=20)
            if new:
                made += 1
                _idea(business, plan, "demo-idea-5", "Tổ chức tập huấn vào cuối tuần",
                      "Hộ kinh doanh bận buổi sáng các ngày trong tuần, đề nghị tập huấn vào chiều thứ Bảy.")
                done, _new = _create(justice_official, justice, "Lấy ý kiến về thủ tục chứng thực trực tuyến",
                                     "Sở Tư pháp đã lấy ý kiến về việc chứng thực bản sao điện tử.",
                                     "Nội dung: quy trình chứng thực bản sao điện tử từ bản chính.", days=10)
                _idea(citizen, done, "demo-idea-6", "Cho phép nhận kết quả qua thư điện tử",
                      "Bản sao điện tử nên được gửi qua thư điện tử và lưu trong kho dữ liệu cá nhân.")
                svc.consultation_close(actor=justice_official, consultation=done)
                svc.consultation_summarize(
                    actor=justice_official, consultation=done,
                    summary="Nhận 1 ý kiến. Sở tiếp thu việc gửi kết quả qua thư điện tử và kho dữ liệu cá nhân; "
                            "quy trình sẽ áp dụng từ quý I/2027.")
        _create(ward_official, ward, DRAFT, "Bản nháp chưa công bố.", "Nội dung đang soạn.", publish=False)
    except DomainError as exc:
        log(f"  (góp ý, hiến kế mẫu: {exc.message})")
        return
    log(f"✓ góp ý, hiến kế: {made} đợt lấy ý kiến mẫu mới")
