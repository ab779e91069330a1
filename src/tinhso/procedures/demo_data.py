"""The demo catalogue: common procedures of a province after the 2025 reorganisation.

Codes marked ``check`` in ``CODE_TO_CHECK`` are plausible codes of the national procedure
database (Cơ sở dữ liệu quốc gia về TTHC) that must be confirmed against dichvucong.gov.vn
before a real deployment; amounts set by the Provincial People's Council are typical values
(see docs/procedures.md).
"""

from __future__ import annotations

FIELDS = (
    ("ho-tich", "Hộ tịch", 10),
    ("chung-thuc", "Chứng thực", 20),
    ("ly-lich-tu-phap", "Lý lịch tư pháp", 30),
    ("cu-tru", "Đăng ký, quản lý cư trú", 40),
    ("dang-ky-kinh-doanh", "Thành lập và hoạt động của hộ kinh doanh, doanh nghiệp", 50),
    ("xay-dung", "Hoạt động xây dựng", 60),
    ("dat-dai", "Đất đai", 70),
    ("thuong-mai", "Lưu thông hàng hóa trong nước", 80),
    ("an-toan-thuc-pham", "An toàn thực phẩm", 90),
    ("khoa-hoc-cong-nghe", "Hoạt động khoa học và công nghệ", 100),
    ("kham-chua-benh", "Khám bệnh, chữa bệnh", 110),
)

# Codes that could not be confirmed from memory: shown in docs/procedures.md as "to be checked".
CODE_TO_CHECK = frozenset({
    "2.000884", "2.000720", "1.004194", "1.009994", "1.012756", "2.000635", "2.000488",
    "2.002042", "2.000591", "2.000633", "1.012790", "1.012275",
})

# --- schema helpers ------------------------------------------------------------------------------


def s(title, *, desc=None, **extra):
    prop = {"type": "string", "title": title}
    if desc:
        prop["description"] = desc
    prop.update({k.replace("_", "-") if k.startswith("x_") else k: v for k, v in extra.items()})
    return prop


def date(title, desc=None):
    return s(title, desc=desc, format="date", x_widget="date")


def cccd(title="Số định danh cá nhân (CCCD)"):
    return s(title, desc="12 chữ số in trên thẻ căn cước.", x_widget="national_id")


def phone(title="Số điện thoại liên hệ"):
    return s(title, desc="Để cơ quan liên hệ khi cần bổ sung hồ sơ.", x_widget="phone", x_autocomplete="tel")


def choice(title, options, *, widget="select", desc=None):
    prop = {"type": "string", "title": title, "enum": [v for v, _l in options],
            "enumNames": [label for _v, label in options], "x-widget": widget}
    if desc:
        prop["description"] = desc
    return prop


def commune(title="Nơi cư trú (xã, phường)"):
    return s(title, x_widget="commune")


def pledge():
    return {"type": "boolean", "title": "Tôi cam đoan những nội dung khai trên đây là đúng sự thật và chịu trách "
                                       "nhiệm trước pháp luật về cam đoan của mình."}


def form(props: dict, required: list[str], title: str) -> dict:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "title": title,
        "properties": props,
        "required": required,
        "additionalProperties": False,
    }


def applicant_block() -> dict:
    return {
        "ho_ten_nguoi_yeu_cau": s("Họ, chữ đệm, tên người yêu cầu", maxLength=100, x_autocomplete="name"),
        "cccd_nguoi_yeu_cau": cccd(),
        "dien_thoai": phone(),
        "noi_cu_tru": commune(),
        "dia_chi": s("Địa chỉ cụ thể (số nhà, đường, ấp/khóm)", maxLength=200, x_autocomplete="street-address"),
    }


APPLICANT_REQUIRED = ["ho_ten_nguoi_yeu_cau", "cccd_nguoi_yeu_cau", "dien_thoai", "noi_cu_tru"]
GENDER = [("nam", "Nam"), ("nu", "Nữ")]
RELATION = [("cha", "Cha"), ("me", "Mẹ"), ("ong", "Ông"), ("ba", "Bà"), ("khac", "Người thân thích khác"),
            ("uy_quyen", "Người được ủy quyền")]
PURPOSE_MARRIAGE = [("ket_hon", "Để đăng ký kết hôn"), ("khac", "Mục đích khác")]


def doc(code, name, copies, *, required=True, description=""):
    return {"code": code, "name": name, "copies": copies, "is_required": required, "description": description}


def step(name, role, days, agency=None):
    return {"name": name, "role_code": role, "days": days, "agency_key": agency}


RECEIVE = "Tiếp nhận, kiểm tra hồ sơ tại Bộ phận một cửa"
APPROVE_COMMUNE = "Lãnh đạo UBND xã, phường xem xét, ký"
APPROVE_DEPT = "Lãnh đạo Sở xem xét, ký"

HOTICH_LAW = (
    "Luật Hộ tịch số 60/2014/QH13;\n"
    "Nghị định số 123/2015/NĐ-CP quy định chi tiết một số điều và biện pháp thi hành Luật Hộ tịch;\n"
    "Thông tư số 04/2020/TT-BTP quy định chi tiết thi hành Luật Hộ tịch và Nghị định 123/2015/NĐ-CP;\n"
    "Nghị định số 87/2020/NĐ-CP quy định về Cơ sở dữ liệu hộ tịch điện tử, đăng ký hộ tịch trực tuyến."
)
CHUNGTHUC_LAW = (
    "Nghị định số 23/2015/NĐ-CP về cấp bản sao từ sổ gốc, chứng thực bản sao từ bản chính, chứng thực chữ ký "
    "và chứng thực hợp đồng, giao dịch;\n"
    "Thông tư số 01/2020/TT-BTP hướng dẫn Nghị định 23/2015/NĐ-CP;\n"
    "Thông tư số 226/2016/TT-BTC quy định mức thu, chế độ thu, nộp phí chứng thực."
)

PROCEDURES: list[dict] = [
    {
        "code": "1.001193",
        "name": "Đăng ký khai sinh",
        "field": "ho-tich",
        "service_level": "full_online",
        "implementing_level": "commune",
        "processing_days": 1,
        "counting_rule": {"cutoff": "15:00"},
        "applicants": "Cha, mẹ, ông, bà hoặc người thân thích khác của trẻ em; người được ủy quyền.",
        "conditions": "Đăng ký trong thời hạn 60 ngày kể từ ngày sinh. Giải quyết ngay trong ngày; hồ sơ nhận sau "
                      "15 giờ thì trả kết quả trong ngày làm việc tiếp theo.",
        "result": "Giấy khai sinh (bản chính) và trích lục khai sinh bản sao nếu có yêu cầu; số định danh cá nhân "
                  "được cấp cho trẻ.",
        "legal_basis": HOTICH_LAW,
        "fees": [{"name": "Lệ phí đăng ký khai sinh", "amount": 0,
                  "note": "Miễn lệ phí đăng ký khai sinh đúng hạn (Điều 11 Luật Hộ tịch)."},
                 {"name": "Phí cấp bản sao trích lục khai sinh (bản giấy)", "amount": 8000,
                  "quantity_field": "so_ban_sao", "quantity_unit": "bản sao trích lục",
                  "note": "8.000 đ/bản (Thông tư 281/2016/TT-BTC), tính theo số bản sao đề nghị cấp; "
                          "bản sao điện tử miễn phí."}],
        "documents": [
            doc("to-khai", "Tờ khai đăng ký khai sinh (mẫu ban hành kèm Thông tư 04/2020/TT-BTP)", "01 bản chính",
                required=False,
                description="Khi nộp trực tuyến, thông tin khai trên biểu mẫu điện tử thay cho tờ khai giấy."),
            doc("giay-chung-sinh", "Giấy chứng sinh", "01 bản chính (bản chụp hoặc bản điện tử khi nộp trực tuyến)",
                description="Không có giấy chứng sinh thì nộp văn bản của người làm chứng xác nhận việc sinh; "
                            "trẻ bị bỏ rơi nộp biên bản xác nhận việc trẻ bị bỏ rơi."),
            doc("uy-quyen", "Văn bản ủy quyền (nếu đăng ký thay)", "01 bản chính hoặc bản sao chứng thực",
                required=False,
                description="Không cần chứng thực nếu người được ủy quyền là ông, bà, anh, chị, em ruột của trẻ."),
            doc("dang-ky-ket-hon", "Giấy chứng nhận kết hôn của cha, mẹ (nếu có)", "01 bản chụp", required=False,
                description="Không phải nộp nếu thông tin đã có trong Cơ sở dữ liệu hộ tịch điện tử."),
        ],
        "steps": [
            step(RECEIVE, "clerk", 0),
            step("Công chức tư pháp – hộ tịch kiểm tra, ghi sổ hộ tịch, cấp số định danh", "specialist", 1),
            step(APPROVE_COMMUNE, "leader", 0),
        ],
        "form": form(
            {
                **{k: v for k, v in applicant_block().items()},
                "quan_he": choice("Quan hệ với trẻ", RELATION),
                "ho_ten_tre": s("Họ, chữ đệm, tên của trẻ", maxLength=100),
                "gioi_tinh": choice("Giới tính", GENDER, widget="radio"),
                "ngay_sinh": date("Ngày, tháng, năm sinh", "Ví dụ: 05/03/2026"),
                "noi_sinh": s("Nơi sinh", desc="Tên cơ sở y tế hoặc địa chỉ nơi sinh.", maxLength=200),
                "dan_toc": s("Dân tộc", maxLength=40, default="Kinh"),
                "quoc_tich": s("Quốc tịch", maxLength=40, default="Việt Nam"),
                "ho_ten_me": s("Họ, chữ đệm, tên người mẹ", maxLength=100),
                "ngay_sinh_me": date("Ngày sinh của mẹ"),
                "cccd_me": cccd("Số định danh cá nhân của mẹ"),
                "ho_ten_cha": s("Họ, chữ đệm, tên người cha", desc="Để trống nếu chưa xác định được cha.",
                                maxLength=100),
                "cccd_cha": cccd("Số định danh cá nhân của cha"),
                "so_ban_sao": {"type": "integer", "title": "Số bản sao trích lục khai sinh đề nghị cấp",
                               "minimum": 0, "maximum": 10, "default": 0},
                "cam_doan": pledge(),
            },
            [*APPLICANT_REQUIRED, "quan_he", "ho_ten_tre", "gioi_tinh", "ngay_sinh", "noi_sinh", "dan_toc",
             "quoc_tich", "ho_ten_me", "cam_doan"],
            "Tờ khai đăng ký khai sinh",
        ),
    },
    {
        "code": "1.000894",
        "name": "Đăng ký kết hôn",
        "field": "ho-tich",
        "service_level": "partial_online",
        "implementing_level": "commune",
        "processing_days": 1,
        "counting_rule": {"cutoff": "15:00"},
        "applicants": "Nam, nữ công dân Việt Nam cư trú trong nước đủ điều kiện kết hôn theo Luật Hôn nhân và "
                      "gia đình.",
        "conditions": "Nam từ đủ 20 tuổi, nữ từ đủ 18 tuổi; tự nguyện; không thuộc trường hợp cấm kết hôn. "
                      "Hai bên phải có mặt khi trao Giấy chứng nhận kết hôn. Trường hợp cần xác minh, thời hạn "
                      "không quá 05 ngày làm việc.",
        "result": "Giấy chứng nhận kết hôn (01 bản chính cho mỗi bên).",
        "legal_basis": "Luật Hôn nhân và gia đình số 52/2014/QH13;\n" + HOTICH_LAW,
        "fees": [{"name": "Lệ phí đăng ký kết hôn", "amount": 0,
                  "note": "Miễn lệ phí đối với công dân Việt Nam cư trú ở trong nước (Điều 11 Luật Hộ tịch)."}],
        "documents": [
            doc("to-khai", "Tờ khai đăng ký kết hôn", "01 bản chính (hai bên cùng ký)"),
            doc("xac-nhan-hon-nhan", "Giấy xác nhận tình trạng hôn nhân",
                "01 bản chính (khi đăng ký tại nơi không phải nơi thường trú)", required=False),
        ],
        "steps": [
            step(RECEIVE, "clerk", 0),
            step("Công chức tư pháp – hộ tịch kiểm tra điều kiện kết hôn, ghi sổ", "specialist", 1),
            step(APPROVE_COMMUNE, "leader", 0),
        ],
        "form": form(
            {
                "ho_ten_chong": s("Họ, chữ đệm, tên bên nam", maxLength=100),
                "ngay_sinh_chong": date("Ngày sinh bên nam"),
                "cccd_chong": cccd("Số định danh cá nhân bên nam"),
                "ho_ten_vo": s("Họ, chữ đệm, tên bên nữ", maxLength=100),
                "ngay_sinh_vo": date("Ngày sinh bên nữ"),
                "cccd_vo": cccd("Số định danh cá nhân bên nữ"),
                "noi_cu_tru": commune("Nơi cư trú của một trong hai bên"),
                "dien_thoai": phone(),
                "cam_doan": pledge(),
            },
            ["ho_ten_chong", "ngay_sinh_chong", "cccd_chong", "ho_ten_vo", "ngay_sinh_vo", "cccd_vo",
             "noi_cu_tru", "dien_thoai", "cam_doan"],
            "Tờ khai đăng ký kết hôn",
        ),
    },
    {
        "code": "1.000656",
        "name": "Đăng ký khai tử",
        "field": "ho-tich",
        "service_level": "full_online",
        "implementing_level": "commune",
        "processing_days": 1,
        "counting_rule": {"cutoff": "15:00"},
        "applicants": "Vợ, chồng, con, cha, mẹ hoặc người thân thích khác của người chết; đại diện cơ quan, "
                      "tổ chức, cá nhân liên quan.",
        "conditions": "Đăng ký trong thời hạn 15 ngày kể từ ngày có người chết.",
        "result": "Trích lục khai tử (bản chính).",
        "legal_basis": HOTICH_LAW,
        "fees": [{"name": "Lệ phí đăng ký khai tử", "amount": 0,
                  "note": "Miễn lệ phí đăng ký khai tử đúng hạn."}],
        "documents": [
            doc("to-khai", "Tờ khai đăng ký khai tử", "01 bản chính", required=False,
                description="Khi nộp trực tuyến, biểu mẫu điện tử thay cho tờ khai."),
            doc("giay-bao-tu", "Giấy báo tử hoặc giấy tờ thay giấy báo tử", "01 bản chính hoặc bản chụp"),
        ],
        "steps": [
            step(RECEIVE, "clerk", 0),
            step("Công chức tư pháp – hộ tịch kiểm tra, ghi sổ hộ tịch", "specialist", 1),
            step(APPROVE_COMMUNE, "leader", 0),
        ],
        "form": form(
            {
                **applicant_block(),
                "ho_ten_nguoi_chet": s("Họ, chữ đệm, tên người đã chết", maxLength=100),
                "cccd_nguoi_chet": cccd("Số định danh cá nhân của người đã chết"),
                "ngay_chet": date("Ngày chết"),
                "noi_chet": s("Nơi chết", maxLength=200),
                "nguyen_nhan": s("Nguyên nhân chết", maxLength=200),
                "cam_doan": pledge(),
            },
            [*APPLICANT_REQUIRED, "ho_ten_nguoi_chet", "ngay_chet", "noi_chet", "cam_doan"],
            "Tờ khai đăng ký khai tử",
        ),
    },
    {
        "code": "1.004873",
        "name": "Cấp Giấy xác nhận tình trạng hôn nhân",
        "field": "ho-tich",
        "service_level": "full_online",
        "implementing_level": "commune",
        "processing_days": 3,
        "applicants": "Công dân Việt Nam cư trú trong nước.",
        "conditions": "Trường hợp cần xác minh, thời hạn được kéo dài không quá 10 ngày làm việc.",
        "result": "Giấy xác nhận tình trạng hôn nhân (có giá trị 06 tháng).",
        "legal_basis": HOTICH_LAW,
        "fees": [{"name": "Lệ phí cấp Giấy xác nhận tình trạng hôn nhân", "amount": 15000,
                  "note": "Mức thu theo Nghị quyết của HĐND tỉnh."}],
        "documents": [
            doc("to-khai", "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân", "01 bản chính", required=False,
                description="Khi nộp trực tuyến, biểu mẫu điện tử thay cho tờ khai."),
            doc("ly-hon", "Bản án, quyết định ly hôn hoặc trích lục khai tử của vợ/chồng (nếu có)", "01 bản chụp",
                required=False),
        ],
        "steps": [
            step(RECEIVE, "clerk", 0),
            step("Công chức tư pháp – hộ tịch tra cứu cơ sở dữ liệu, xác minh", "specialist", 2),
            step(APPROVE_COMMUNE, "leader", 1),
        ],
        "form": form(
            {
                **applicant_block(),
                "ngay_sinh": date("Ngày sinh của người yêu cầu"),
                "tinh_trang": choice("Tình trạng hôn nhân hiện tại", [
                    ("chua_ket_hon", "Chưa đăng ký kết hôn với ai"), ("ly_hon", "Đã ly hôn"),
                    ("vo_chong_chet", "Vợ/chồng đã chết"), ("dang_co_vo_chong", "Đang có vợ/chồng")]),
                "muc_dich": choice("Mục đích sử dụng", PURPOSE_MARRIAGE, widget="radio"),
                "ket_hon_voi": s("Họ tên người dự định kết hôn (nếu dùng để kết hôn)", maxLength=100),
                "cam_doan": pledge(),
            },
            [*APPLICANT_REQUIRED, "ngay_sinh", "tinh_trang", "muc_dich", "cam_doan"],
            "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân",
        ),
    },
    {
        "code": "2.000635",
        "name": "Cấp bản sao trích lục hộ tịch",
        "field": "ho-tich",
        "service_level": "full_online",
        "implementing_level": "commune",
        "processing_days": 1,
        "counting_rule": {"cutoff": "15:00"},
        "applicants": "Cá nhân có yêu cầu cấp bản sao trích lục về sự kiện hộ tịch đã đăng ký.",
        "result": "Bản sao trích lục hộ tịch (giấy hoặc điện tử).",
        "legal_basis": HOTICH_LAW,
        "fees": [{"name": "Phí cấp bản sao trích lục hộ tịch", "amount": 8000, "quantity_field": "so_ban",
                  "quantity_unit": "bản", "note": "8.000 đ/bản (Thông tư 281/2016/TT-BTC)."}],
        "documents": [doc("to-khai", "Tờ khai cấp bản sao trích lục hộ tịch", "01 bản chính", required=False)],
        "steps": [
            step(RECEIVE, "clerk", 0),
            step("Công chức tư pháp – hộ tịch tra cứu sổ hộ tịch, in bản sao", "specialist", 1),
            step(APPROVE_COMMUNE, "leader", 0),
        ],
        "form": form(
            {
                **applicant_block(),
                "loai_trich_luc": choice("Loại sự kiện hộ tịch", [
                    ("khai_sinh", "Khai sinh"), ("ket_hon", "Kết hôn"), ("khai_tu", "Khai tử"),
                    ("khac", "Khác")]),
                "ho_ten_nguoi_duoc_cap": s("Họ tên người có sự kiện hộ tịch", maxLength=100),
                "so_ban": {"type": "integer", "title": "Số bản đề nghị cấp", "minimum": 1, "maximum": 10},
            },
            [*APPLICANT_REQUIRED, "loai_trich_luc", "ho_ten_nguoi_duoc_cap", "so_ban"],
            "Tờ khai cấp bản sao trích lục hộ tịch",
        ),
    },
    {
        "code": "2.000815",
        "name": "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp",
        "field": "chung-thuc",
        "service_level": "partial_online",
        "implementing_level": "commune",
        "processing_days": 1,
        "counting_rule": {"cutoff": "15:00"},
        "applicants": "Cá nhân, tổ chức có yêu cầu chứng thực bản sao.",
        "conditions": "Giải quyết trong ngày; nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo. Phải xuất "
                      "trình bản chính khi nhận kết quả.",
        "result": "Bản sao được chứng thực từ bản chính.",
        "legal_basis": CHUNGTHUC_LAW,
        "fees": [{"name": "Phí chứng thực bản sao từ bản chính", "amount": 2000,
                  "quantity_field": "so_trang", "quantity_unit": "trang",
                  "note": "2.000 đ/trang (Thông tư 226/2016/TT-BTC), tính trên tổng số trang cần chứng thực; "
                          "từ trang thứ ba của mỗi bản thu 1.000 đ/trang, tối đa 200.000 đ/bản."}],
        "documents": [
            doc("ban-chinh", "Bản chính giấy tờ, văn bản cần chứng thực", "01 bản chính (xuất trình)"),
            doc("ban-sao", "Bản sao cần chứng thực", "Số bản theo yêu cầu", required=False,
                description="Không có bản sao thì cơ quan chụp từ bản chính."),
        ],
        "steps": [
            step(RECEIVE, "clerk", 0),
            step("Công chức tư pháp đối chiếu bản sao với bản chính", "specialist", 1),
            step("Lãnh đạo UBND xã, phường ký chứng thực", "leader", 0),
        ],
        "form": form(
            {
                "ho_ten_nguoi_yeu_cau": s("Họ, chữ đệm, tên người yêu cầu", maxLength=100, x_autocomplete="name"),
                "dien_thoai": phone(),
                "ten_giay_to": s("Tên giấy tờ cần chứng thực", maxLength=200),
                "so_trang": {"type": "integer", "title": "Tổng số trang cần chứng thực",
                             "description": "Số trang của bản chính × số bản sao; ví dụ giấy tờ 2 trang, cần "
                                            "3 bản: 6 trang.", "minimum": 1, "maximum": 500},
                "so_ban": {"type": "integer", "title": "Số bản sao cần chứng thực", "minimum": 1, "maximum": 50},
            },
            ["ho_ten_nguoi_yeu_cau", "dien_thoai", "ten_giay_to", "so_trang", "so_ban"],
            "Yêu cầu chứng thực bản sao",
        ),
    },
    {
        "code": "2.000884",
        "name": "Chứng thực chữ ký trong các giấy tờ, văn bản",
        "field": "chung-thuc",
        "service_level": "partial_online",
        "implementing_level": "commune",
        "processing_days": 1,
        "counting_rule": {"cutoff": "15:00"},
        "applicants": "Cá nhân yêu cầu chứng thực chữ ký của mình.",
        "conditions": "Người yêu cầu phải ký trước mặt người thực hiện chứng thực.",
        "result": "Giấy tờ, văn bản được chứng thực chữ ký.",
        "legal_basis": CHUNGTHUC_LAW,
        "fees": [{"name": "Phí chứng thực chữ ký", "amount": 10000, "note": "10.000 đ/trường hợp."}],
        "documents": [
            doc("giay-to-tuy-than", "Căn cước hoặc hộ chiếu còn giá trị sử dụng", "01 bản chính (xuất trình)"),
            doc("van-ban", "Giấy tờ, văn bản sẽ ký", "01 bản chính"),
        ],
        "steps": [
            step(RECEIVE, "clerk", 0),
            step("Công chức tư pháp kiểm tra, người yêu cầu ký trước mặt", "specialist", 1),
            step("Lãnh đạo UBND xã, phường ký chứng thực", "leader", 0),
        ],
        "form": form(
            {
                "ho_ten_nguoi_yeu_cau": s("Họ, chữ đệm, tên người yêu cầu", maxLength=100, x_autocomplete="name"),
                "cccd_nguoi_yeu_cau": cccd(),
                "dien_thoai": phone(),
                "ten_van_ban": s("Tên giấy tờ, văn bản cần chứng thực chữ ký", maxLength=200),
            },
            ["ho_ten_nguoi_yeu_cau", "cccd_nguoi_yeu_cau", "dien_thoai", "ten_van_ban"],
            "Yêu cầu chứng thực chữ ký",
        ),
    },
    {
        "code": "1.004194",
        "name": "Xác nhận thông tin về cư trú",
        "field": "cu-tru",
        "service_level": "full_online",
        "implementing_level": "commune",
        "processing_days": 1,
        "applicants": "Công dân Việt Nam có yêu cầu xác nhận thông tin về cư trú.",
        "conditions": "Do Công an cấp xã thực hiện; trong bản demo UBND xã, phường tiếp nhận hồ sơ. Thông tin "
                      "có trong Cơ sở dữ liệu về cư trú: giải quyết trong 1/2 ngày làm việc; cần xác minh: "
                      "không quá 03 ngày làm việc.",
        "result": "Giấy xác nhận thông tin về cư trú (giá trị 01 năm với nơi thường trú, tạm trú).",
        "legal_basis": "Luật Cư trú số 68/2020/QH14;\nNghị định số 62/2021/NĐ-CP;\nThông tư số 55/2021/TT-BCA "
                       "(sửa đổi bởi Thông tư số 66/2023/TT-BCA).",
        "fees": [{"name": "Lệ phí", "amount": 0, "note": "Không thu lệ phí."}],
        "documents": [doc("to-khai", "Tờ khai thay đổi thông tin cư trú (Mẫu CT01)", "01 bản chính",
                          required=False, description="Khi nộp trực tuyến, biểu mẫu điện tử thay cho tờ khai.")],
        "steps": [
            step(RECEIVE, "clerk", 0),
            step("Cán bộ tra cứu Cơ sở dữ liệu về cư trú", "specialist", 1),
            step("Lãnh đạo xem xét, ký xác nhận", "leader", 0),
        ],
        "form": form(
            {**applicant_block(),
             "noi_dung": choice("Nội dung đề nghị xác nhận", [
                 ("thuong_tru", "Nơi thường trú"), ("tam_tru", "Nơi tạm trú"), ("hien_tai", "Nơi ở hiện tại"),
                 ("qua_trinh", "Quá trình cư trú")]),
             "muc_dich": s("Mục đích sử dụng", maxLength=200)},
            [*APPLICANT_REQUIRED, "noi_dung"],
            "Đề nghị xác nhận thông tin về cư trú",
        ),
    },
    {
        "code": "2.000720",
        "name": "Đăng ký thành lập hộ kinh doanh",
        "field": "dang-ky-kinh-doanh",
        "service_level": "full_online",
        "implementing_level": "commune",
        "processing_days": 3,
        "applicants": "Cá nhân, thành viên hộ gia đình là công dân Việt Nam có năng lực hành vi dân sự đầy đủ.",
        "conditions": "Tên hộ kinh doanh không trùng với hộ kinh doanh khác trong phạm vi xã, phường.",
        "result": "Giấy chứng nhận đăng ký hộ kinh doanh.",
        "legal_basis": "Luật Doanh nghiệp số 59/2020/QH14;\nNghị định số 01/2021/NĐ-CP về đăng ký doanh nghiệp "
                       "(Chương VIII – hộ kinh doanh);\nThông tư số 01/2021/TT-BKHĐT.",
        "fees": [{"name": "Lệ phí đăng ký hộ kinh doanh", "amount": 100000,
                  "note": "Mức thu theo Nghị quyết của HĐND tỉnh."}],
        "documents": [
            doc("giay-de-nghi", "Giấy đề nghị đăng ký hộ kinh doanh", "01 bản chính"),
            doc("bien-ban-hop", "Biên bản họp thành viên hộ gia đình (nếu các thành viên cùng thành lập)",
                "01 bản chính", required=False),
            doc("hop-dong-thue", "Hợp đồng thuê hoặc giấy tờ về quyền sử dụng địa điểm kinh doanh", "01 bản sao",
                required=False),
        ],
        "steps": [
            step(RECEIVE, "clerk", 0),
            step("Công chức Phòng Kinh tế thẩm định hồ sơ, kiểm tra tên", "specialist", 2),
            step(APPROVE_COMMUNE, "leader", 1),
        ],
        "form": form(
            {
                **applicant_block(),
                "ten_ho_kinh_doanh": s("Tên hộ kinh doanh", desc="Có cụm từ «Hộ kinh doanh» và tên riêng.",
                                       maxLength=150, pattern="^[Hh]ộ kinh doanh "),
                "dia_diem": s("Địa điểm kinh doanh", maxLength=200),
                "nganh_nghe": s("Ngành, nghề kinh doanh", x_widget="textarea", maxLength=1000),
                "von": {"type": "integer", "title": "Vốn kinh doanh (đồng)", "minimum": 0},
                "so_lao_dong": {"type": "integer", "title": "Số lao động dự kiến", "minimum": 0, "maximum": 1000},
                "cam_doan": pledge(),
            },
            [*APPLICANT_REQUIRED, "ten_ho_kinh_doanh", "dia_diem", "nganh_nghe", "von", "cam_doan"],
            "Giấy đề nghị đăng ký hộ kinh doanh",
        ),
    },
    {
        "code": "1.009994",
        "name": "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        "field": "xay-dung",
        "service_level": "partial_online",
        "implementing_level": "commune",
        "processing_days": 15,
        "applicants": "Chủ đầu tư xây dựng nhà ở riêng lẻ (hộ gia đình, cá nhân).",
        "conditions": "Phù hợp quy hoạch; bảo đảm an toàn cho công trình và công trình lân cận; thiết kế đáp ứng "
                      "yêu cầu của Luật Xây dựng.",
        "result": "Giấy phép xây dựng.",
        "legal_basis": "Luật Xây dựng số 50/2014/QH13, được sửa đổi bởi Luật số 62/2020/QH14;\nNghị định số "
                       "15/2021/NĐ-CP quy định chi tiết một số nội dung về quản lý dự án đầu tư xây dựng.",
        "fees": [{"name": "Lệ phí cấp giấy phép xây dựng nhà ở riêng lẻ", "amount": 75000,
                  "note": "Mức thu theo Nghị quyết của HĐND tỉnh."}],
        "documents": [
            doc("don-de-nghi", "Đơn đề nghị cấp giấy phép xây dựng", "01 bản chính"),
            doc("giay-to-dat", "Giấy tờ hợp pháp về quyền sử dụng đất", "01 bản sao có chứng thực"),
            doc("ban-ve", "02 bộ bản vẽ thiết kế xây dựng (mặt bằng, mặt cắt, mặt đứng, móng, đấu nối)",
                "02 bộ"),
        ],
        "steps": [
            step(RECEIVE, "clerk", 1),
            step("Phòng Kinh tế, Hạ tầng và Đô thị thẩm định hồ sơ, kiểm tra thực địa", "specialist", 11),
            step(APPROVE_COMMUNE, "leader", 3),
        ],
        "form": form(
            {
                **applicant_block(),
                "dia_diem_xay_dung": s("Địa điểm xây dựng (thửa đất, tờ bản đồ, địa chỉ)", maxLength=200),
                "dien_tich_dat": {"type": "number", "title": "Diện tích thửa đất (m²)", "minimum": 1},
                "dien_tich_xay_dung": {"type": "number", "title": "Diện tích xây dựng tầng 1 (m²)", "minimum": 1},
                "so_tang": {"type": "integer", "title": "Số tầng", "minimum": 1, "maximum": 7},
                "chieu_cao": {"type": "number", "title": "Chiều cao công trình (m)", "minimum": 1},
                "cam_doan": pledge(),
            },
            [*APPLICANT_REQUIRED, "dia_diem_xay_dung", "dien_tich_dat", "dien_tich_xay_dung", "so_tang",
             "cam_doan"],
            "Đơn đề nghị cấp giấy phép xây dựng",
        ),
    },
    {
        "code": "1.012756",
        "name": "Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận quyền sử dụng đất lần đầu",
        "field": "dat-dai",
        "service_level": "partial_online",
        "implementing_level": "commune",
        "processing_days": 20,
        "applicants": "Hộ gia đình, cá nhân, cộng đồng dân cư đang sử dụng đất.",
        "conditions": "Đất không có tranh chấp, phù hợp quy hoạch; thời gian không tính thời gian thực hiện "
                      "nghĩa vụ tài chính.",
        "result": "Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất.",
        "legal_basis": "Luật Đất đai số 31/2024/QH15;\nNghị định số 101/2024/NĐ-CP quy định về điều tra cơ bản "
                       "đất đai; đăng ký, cấp Giấy chứng nhận;\nNghị định số 151/2025/NĐ-CP về phân định thẩm "
                       "quyền của chính quyền địa phương 02 cấp trong lĩnh vực đất đai.",
        "fees": [{"name": "Lệ phí cấp Giấy chứng nhận", "amount": 100000,
                  "note": "Mức thu theo Nghị quyết của HĐND tỉnh; chưa gồm tiền sử dụng đất, lệ phí trước bạ."}],
        "documents": [
            doc("don-dang-ky", "Đơn đăng ký đất đai, tài sản gắn liền với đất (Mẫu 04/ĐK)", "01 bản chính"),
            doc("giay-to-nguon-goc", "Giấy tờ về quyền sử dụng đất (nếu có)", "01 bản sao", required=False),
            doc("ban-ve-tai-san", "Sơ đồ tài sản gắn liền với đất (nếu có)", "01 bản chính", required=False),
        ],
        "steps": [
            step(RECEIVE, "clerk", 1),
            step("Công chức địa chính kiểm tra hiện trạng, nguồn gốc, niêm yết công khai", "specialist", 10),
            step("Văn phòng đăng ký đất đai đo đạc, cập nhật hồ sơ địa chính, in Giấy chứng nhận", "specialist", 6,
                 agency="SNNMT"),
            step(APPROVE_COMMUNE, "leader", 3),
        ],
        "form": form(
            {
                **applicant_block(),
                "thua_dat": s("Thửa đất số", maxLength=20),
                "to_ban_do": s("Tờ bản đồ số", maxLength=20),
                "dien_tich": {"type": "number", "title": "Diện tích (m²)", "minimum": 1},
                "muc_dich_su_dung": choice("Mục đích sử dụng đất", [
                    ("ont", "Đất ở tại nông thôn"), ("odt", "Đất ở tại đô thị"), ("luc", "Đất trồng lúa"),
                    ("nts", "Đất nuôi trồng thủy sản"), ("cln", "Đất trồng cây lâu năm")]),
                "nguon_goc": s("Nguồn gốc sử dụng đất", x_widget="textarea", maxLength=1000),
                "cam_doan": pledge(),
            },
            [*APPLICANT_REQUIRED, "thua_dat", "to_ban_do", "dien_tich", "muc_dich_su_dung", "cam_doan"],
            "Đơn đăng ký đất đai, tài sản gắn liền với đất",
        ),
    },
    {
        "code": "2.000633",
        "name": "Cấp giấy phép bán lẻ rượu",
        "field": "thuong-mai",
        "service_level": "full_online",
        "implementing_level": "commune",
        "processing_days": 10,
        "applicants": "Thương nhân, hộ kinh doanh có địa điểm bán lẻ rượu trên địa bàn xã, phường.",
        "conditions": "Có đăng ký kinh doanh ngành bán lẻ đồ uống có cồn; địa điểm cố định, hợp pháp; tuân thủ "
                      "quy định về phòng cháy chữa cháy.",
        "result": "Giấy phép bán lẻ rượu (thời hạn 05 năm).",
        "legal_basis": "Nghị định số 105/2017/NĐ-CP về kinh doanh rượu;\nNghị định số 17/2020/NĐ-CP sửa đổi;\n"
                       "Thông tư số 168/2016/TT-BTC về phí thẩm định kinh doanh hàng hóa hạn chế kinh doanh.",
        "fees": [{"name": "Phí thẩm định cấp giấy phép bán lẻ rượu", "amount": 600000,
                  "note": "1.200.000 đ nếu địa điểm kinh doanh tại phường."}],
        "documents": [
            doc("don-de-nghi", "Đơn đề nghị cấp giấy phép bán lẻ rượu", "01 bản chính"),
            doc("dia-diem", "Giấy tờ chứng minh quyền sử dụng địa điểm kinh doanh", "01 bản sao"),
            doc("cam-ket", "Bản cam kết tuân thủ quy định về phòng cháy chữa cháy, bảo vệ môi trường", "01 bản chính"),
        ],
        "steps": [
            step(RECEIVE, "clerk", 1),
            step("Phòng Kinh tế thẩm định hồ sơ, kiểm tra địa điểm", "specialist", 7),
            step(APPROVE_COMMUNE, "leader", 2),
        ],
        "form": form(
            {**applicant_block(),
             "ten_co_so": s("Tên thương nhân, hộ kinh doanh", maxLength=150),
             "dia_diem_ban": s("Địa điểm bán lẻ", maxLength=200)},
            [*APPLICANT_REQUIRED, "ten_co_so", "dia_diem_ban"],
            "Đơn đề nghị cấp giấy phép bán lẻ rượu",
        ),
    },
    # --- provincial level ---
    {
        "code": "2.000488",
        "name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam",
        "field": "ly-lich-tu-phap",
        "service_level": "full_online",
        "implementing_level": "province",
        "agencies": ["STP"],
        "processing_days": 10,
        "applicants": "Công dân Việt Nam; người nước ngoài đã hoặc đang cư trú tại Việt Nam.",
        "conditions": "Trường hợp cần xác minh điều kiện đương nhiên được xóa án tích, thời hạn không quá 15 ngày.",
        "result": "Phiếu lý lịch tư pháp số 1 hoặc số 2 (giấy hoặc điện tử).",
        "legal_basis": "Luật Lý lịch tư pháp số 28/2009/QH12;\nNghị định số 111/2010/NĐ-CP;\nThông tư số "
                       "244/2016/TT-BTC về phí cung cấp thông tin lý lịch tư pháp.",
        "fees": [{"name": "Phí cung cấp thông tin lý lịch tư pháp", "amount": 200000,
                  "note": "Sinh viên, người có công với cách mạng: 100.000 đ; trẻ em, người cao tuổi, người "
                          "khuyết tật, hộ nghèo: miễn phí. Từ phiếu thứ 3 trở đi: 5.000 đ/phiếu."}],
        "documents": [
            doc("to-khai", "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "01 bản chính", required=False,
                description="Khi nộp trực tuyến, biểu mẫu điện tử thay cho tờ khai."),
            doc("giay-to-tuy-than", "Bản chụp căn cước hoặc hộ chiếu", "01 bản chụp"),
            doc("uy-quyen", "Văn bản ủy quyền (nếu ủy quyền làm thủ tục, chỉ với Phiếu số 1)", "01 bản chính",
                required=False),
        ],
        "steps": [
            step(RECEIVE, "clerk", 1),
            step("Phòng Hành chính tư pháp tra cứu, xác minh thông tin với cơ quan công an", "specialist", 7),
            step(APPROVE_DEPT, "leader", 2),
        ],
        "form": form(
            {
                **applicant_block(),
                "ngay_sinh": date("Ngày sinh"),
                "gioi_tinh": choice("Giới tính", GENDER, widget="radio"),
                "loai_phieu": choice("Loại phiếu đề nghị cấp", [("1", "Phiếu lý lịch tư pháp số 1"),
                                                                ("2", "Phiếu lý lịch tư pháp số 2")],
                                     widget="radio"),
                "so_luong": {"type": "integer", "title": "Số lượng phiếu", "minimum": 1, "maximum": 10},
                "muc_dich": s("Mục đích sử dụng phiếu", maxLength=200),
                "cam_doan": pledge(),
            },
            [*APPLICANT_REQUIRED, "ngay_sinh", "gioi_tinh", "loai_phieu", "so_luong", "cam_doan"],
            "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",
        ),
    },
    {
        "code": "2.002042",
        "name": "Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên",
        "field": "dang-ky-kinh-doanh",
        "service_level": "full_online",
        "implementing_level": "province",
        "agencies": ["STC"],
        "processing_days": 3,
        "applicants": "Tổ chức, cá nhân thành lập doanh nghiệp.",
        "result": "Giấy chứng nhận đăng ký doanh nghiệp.",
        "legal_basis": "Luật Doanh nghiệp số 59/2020/QH14;\nNghị định số 01/2021/NĐ-CP về đăng ký doanh nghiệp;\n"
                       "Thông tư số 47/2019/TT-BTC về phí, lệ phí đăng ký doanh nghiệp.",
        "fees": [
            {"name": "Lệ phí đăng ký doanh nghiệp", "amount": 0,
             "note": "Miễn lệ phí khi đăng ký qua mạng; nộp giấy: 50.000 đ."},
            {"name": "Phí công bố nội dung đăng ký doanh nghiệp", "amount": 100000, "note": ""},
        ],
        "documents": [
            doc("giay-de-nghi", "Giấy đề nghị đăng ký doanh nghiệp", "01 bản chính"),
            doc("dieu-le", "Điều lệ công ty", "01 bản chính"),
            doc("giay-to-chu-so-huu", "Bản sao giấy tờ pháp lý của chủ sở hữu", "01 bản sao"),
        ],
        "steps": [
            step(RECEIVE, "clerk", 0),
            step("Phòng Đăng ký kinh doanh thẩm định hồ sơ", "specialist", 2),
            step(APPROVE_DEPT, "leader", 1),
        ],
        "form": form(
            {
                **applicant_block(),
                "ten_cong_ty": s("Tên công ty bằng tiếng Việt", maxLength=200, pattern="^Công ty TNHH "),
                "tru_so": s("Địa chỉ trụ sở chính", maxLength=200),
                "von_dieu_le": {"type": "integer", "title": "Vốn điều lệ (đồng)", "minimum": 1},
                "nganh_nghe": s("Ngành, nghề kinh doanh (mã ngành cấp 4)", x_widget="textarea", maxLength=2000),
                "email": s("Thư điện tử của doanh nghiệp", format="email", x_autocomplete="email"),
            },
            [*APPLICANT_REQUIRED, "ten_cong_ty", "tru_so", "von_dieu_le", "nganh_nghe"],
            "Giấy đề nghị đăng ký doanh nghiệp",
        ),
    },
    {
        "code": "2.000591",
        "name": "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm (lĩnh vực Công Thương)",
        "field": "an-toan-thuc-pham",
        "service_level": "partial_online",
        "implementing_level": "province",
        "agencies": ["SCT"],
        "processing_days": 20,
        "applicants": "Cơ sở sản xuất, kinh doanh thực phẩm thuộc quản lý của ngành Công Thương.",
        "conditions": "Cơ sở đáp ứng điều kiện về nhà xưởng, trang thiết bị, người trực tiếp sản xuất; được "
                      "thẩm định thực tế đạt yêu cầu.",
        "result": "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm (hiệu lực 03 năm).",
        "legal_basis": "Luật An toàn thực phẩm số 55/2010/QH12;\nNghị định số 15/2018/NĐ-CP;\nThông tư số "
                       "43/2018/TT-BCT;\nThông tư số 279/2016/TT-BTC về phí trong công tác an toàn thực phẩm.",
        "fees": [{"name": "Phí thẩm định cơ sở kinh doanh thực phẩm", "amount": 1000000,
                  "note": "Cơ sở sản xuất nhỏ lẻ: 500.000 đ; cơ sở sản xuất khác: 2.500.000 đ."}],
        "documents": [
            doc("don-de-nghi", "Đơn đề nghị cấp Giấy chứng nhận", "01 bản chính"),
            doc("thuyet-minh", "Bản thuyết minh về cơ sở vật chất, trang thiết bị, dụng cụ", "01 bản chính"),
            doc("xac-nhan-tap-huan", "Giấy xác nhận đã được tập huấn kiến thức an toàn thực phẩm", "01 bản sao"),
        ],
        "steps": [
            step(RECEIVE, "clerk", 1),
            step("Phòng Quản lý thương mại thẩm định hồ sơ, thẩm định thực tế tại cơ sở", "specialist", 16),
            step(APPROVE_DEPT, "leader", 3),
        ],
        "form": form(
            {**applicant_block(),
             "ten_co_so": s("Tên cơ sở", maxLength=200),
             "loai_hinh": choice("Loại hình", [("san_xuat", "Sản xuất"), ("kinh_doanh", "Kinh doanh"),
                                               ("ca_hai", "Sản xuất và kinh doanh")], widget="radio"),
             "mat_hang": s("Mặt hàng sản xuất, kinh doanh", x_widget="textarea", maxLength=1000)},
            [*APPLICANT_REQUIRED, "ten_co_so", "loai_hinh", "mat_hang"],
            "Đơn đề nghị cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
        ),
    },
    {
        "code": "1.012790",
        "name": "Công nhận sáng kiến",
        "field": "khoa-hoc-cong-nghe",
        "service_level": "full_online",
        "implementing_level": "province",
        "agencies": ["SKHCN"],
        "processing_days": 30,
        "applicants": "Tác giả sáng kiến (cá nhân, đồng tác giả) hoặc chủ đầu tư tạo ra sáng kiến.",
        "conditions": "Sáng kiến có tính mới, đã được áp dụng hoặc áp dụng thử và mang lại lợi ích thiết thực.",
        "result": "Giấy chứng nhận sáng kiến.",
        "legal_basis": "Nghị định số 13/2012/NĐ-CP ban hành Điều lệ sáng kiến;\nThông tư số 18/2013/TT-BKHCN "
                       "hướng dẫn thi hành một số quy định của Điều lệ sáng kiến.",
        "fees": [{"name": "Lệ phí", "amount": 0, "note": "Không thu phí, lệ phí."}],
        "documents": [
            doc("don-yeu-cau", "Đơn yêu cầu công nhận sáng kiến", "01 bản chính"),
            doc("tai-lieu", "Tài liệu mô tả sáng kiến và kết quả áp dụng", "01 bộ"),
        ],
        "steps": [
            step(RECEIVE, "clerk", 1),
            step("Hội đồng sáng kiến đánh giá, chuyên viên tổng hợp kết quả", "specialist", 25),
            step(APPROVE_DEPT, "leader", 4),
        ],
        "form": form(
            {**applicant_block(),
             "ten_sang_kien": s("Tên sáng kiến", maxLength=300),
             "linh_vuc_ap_dung": s("Lĩnh vực áp dụng", maxLength=200),
             "ngay_ap_dung": date("Ngày áp dụng lần đầu"),
             "mo_ta": s("Tóm tắt nội dung sáng kiến", x_widget="textarea", maxLength=3000)},
            [*APPLICANT_REQUIRED, "ten_sang_kien", "linh_vuc_ap_dung", "ngay_ap_dung", "mo_ta"],
            "Đơn yêu cầu công nhận sáng kiến",
        ),
    },
    {
        "code": "1.012275",
        "name": "Cấp giấy phép hoạt động đối với phòng khám",
        "field": "kham-chua-benh",
        "service_level": "partial_online",
        "implementing_level": "province",
        "agencies": ["SYT"],
        "processing_days": 60,
        "applicants": "Cơ sở khám bệnh, chữa bệnh hình thức tổ chức phòng khám.",
        "conditions": "Đáp ứng điều kiện về cơ sở vật chất, thiết bị y tế, nhân sự theo Nghị định 96/2023/NĐ-CP; "
                      "được thẩm định thực tế.",
        "result": "Giấy phép hoạt động khám bệnh, chữa bệnh.",
        "legal_basis": "Luật Khám bệnh, chữa bệnh số 15/2023/QH15;\nNghị định số 96/2023/NĐ-CP quy định chi tiết "
                       "một số điều của Luật Khám bệnh, chữa bệnh;\nThông tư số 59/2023/TT-BTC về phí trong lĩnh "
                       "vực y tế.",
        "fees": [{"name": "Phí thẩm định cấp giấy phép hoạt động", "amount": 4300000, "note": ""}],
        "documents": [
            doc("don-de-nghi", "Đơn đề nghị cấp giấy phép hoạt động", "01 bản chính"),
            doc("danh-sach-nhan-su", "Danh sách người hành nghề, người làm việc tại cơ sở", "01 bản chính"),
            doc("co-so-vat-chat", "Bản kê khai cơ sở vật chất, thiết bị y tế", "01 bản chính"),
        ],
        "steps": [
            step(RECEIVE, "clerk", 2),
            step("Phòng Nghiệp vụ Y thẩm định hồ sơ, thẩm định thực tế tại cơ sở", "specialist", 50),
            step(APPROVE_DEPT, "leader", 8),
        ],
        "form": form(
            {**applicant_block(),
             "ten_co_so": s("Tên phòng khám", maxLength=200),
             "chuyen_khoa": s("Chuyên khoa", maxLength=200),
             "dia_diem": s("Địa điểm hoạt động", maxLength=200),
             "nguoi_chiu_trach_nhiem": s("Người chịu trách nhiệm chuyên môn kỹ thuật", maxLength=100)},
            [*APPLICANT_REQUIRED, "ten_co_so", "chuyen_khoa", "dia_diem", "nguoi_chiu_trach_nhiem"],
            "Đơn đề nghị cấp giấy phép hoạt động",
        ),
    },
]
