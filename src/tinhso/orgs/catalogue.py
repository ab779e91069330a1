"""Reference data for agencies: role and position names, the standard provincial apparatus
after the 2025 reorganisation, and the electronic agency codes (QCVN 102:2016).

Agency codes have the form ``<level 4>.<level 3>.<level 2>.<level 1>`` (``000.00.00.H12``).
Assumptions, documented in docs/orgs.md:

* Level 1 (the province) is data: ``TINHSO_AGENCY_PROVINCE_SEGMENT`` when set, else the table
  below (Cà Mau → H12), else the placeholder ``H<province code>`` that a deployment must replace.
* Provincial agencies get level 2 numbers from the table below (the provincial committee is
  ``000.00.00.<P>``); they are demo values that an administrator can correct.
* Commune committees (no district level since 1 July 2025) derive their code from the official
  5-digit commune code, so it is unique and stable: ``<last 3 digits>.<first 2 digits>.90.<P>``
  (Phường An Xuyên, code 32002 → ``002.32.90.H12``). Level 2 segment ``90`` is reserved for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from tinhso.orgs.models import AgencyKind, UnitKind

# Role codes created by the accounts data migration; names are the defaults used when a
# loader or a test needs a role before that migration's rows exist.
ROLE_NAMES: dict[str, str] = {
    "clerk": "Công chức một cửa",
    "specialist": "Chuyên viên xử lý",
    "leader": "Lãnh đạo phê duyệt",
    "document_clerk": "Văn thư",
    "data_officer": "Cán bộ quản lý dữ liệu",
    "digital_team": "Thành viên Tổ công nghệ số cộng đồng",
    "agency_admin": "Quản trị cơ quan",
    "report_handler": "Cán bộ xử lý phản ánh",
}


@dataclass(frozen=True)
class PositionSpec:
    code: str
    name: str
    rank: int
    is_leader: bool


POSITIONS: tuple[PositionSpec, ...] = (
    PositionSpec("chu-tich", "Chủ tịch", 10, True),
    PositionSpec("pho-chu-tich", "Phó Chủ tịch", 20, True),
    PositionSpec("giam-doc", "Giám đốc", 10, True),
    PositionSpec("pho-giam-doc", "Phó Giám đốc", 20, True),
    PositionSpec("chanh-thanh-tra", "Chánh Thanh tra", 10, True),
    PositionSpec("chanh-van-phong", "Chánh Văn phòng", 30, True),
    PositionSpec("truong-phong", "Trưởng phòng", 40, True),
    PositionSpec("pho-truong-phong", "Phó Trưởng phòng", 50, True),
    PositionSpec("chuyen-vien", "Chuyên viên", 80, False),
    PositionSpec("cong-chuc-mot-cua", "Công chức một cửa", 85, False),
    PositionSpec("van-thu", "Văn thư", 90, False),
)


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str
    abbreviation: str = ""


@dataclass(frozen=True)
class AgencySpec:
    key: str  # stable key inside the catalogue
    segment: int  # QCVN 102 level 2 number (0 = the provincial committee itself)
    name: str  # "{province}" is replaced by "tỉnh Cà Mau" / "thành phố Hà Nội"
    short_name: str  # "{pl}" is replaced by "tỉnh" / "thành phố"
    abbreviation: str
    kind: str
    units: tuple[UnitSpec, ...] = ()


def _units(*divisions: tuple[str, str], one_stop: bool = True) -> tuple[UnitSpec, ...]:
    units = [UnitSpec("van-phong", "Văn phòng", UnitKind.OFFICE, "VP")]
    units += [UnitSpec(code, name, UnitKind.DIVISION) for code, name in divisions]
    if one_stop:
        units.append(UnitSpec("mot-cua", "Bộ phận một cửa", UnitKind.ONE_STOP, "BPMC"))
    return tuple(units)


PEOPLES_COMMITTEE_KEY = "ubnd"

# The provincial apparatus after the 2025 reorganisation (Nghị định 45/2025/NĐ-CP).
PROVINCIAL_AGENCIES: tuple[AgencySpec, ...] = (
    AgencySpec(PEOPLES_COMMITTEE_KEY, 0, "Ủy ban nhân dân {province}", "UBND {pl}", "UBND", AgencyKind.PEOPLES_COMMITTEE),
    AgencySpec(
        "vp", 1, "Văn phòng Ủy ban nhân dân {province}", "Văn phòng UBND {pl}", "VP", AgencyKind.OFFICE,
        (
            UnitSpec("tong-hop", "Phòng Tổng hợp", UnitKind.DIVISION),
            UnitSpec("kinh-te", "Phòng Kinh tế", UnitKind.DIVISION),
            UnitSpec("van-hoa-xa-hoi", "Phòng Văn hóa – Xã hội", UnitKind.DIVISION),
            UnitSpec("hanh-chinh-to-chuc", "Phòng Hành chính – Tổ chức", UnitKind.OFFICE),
        ),
    ),
    AgencySpec(
        "snv", 2, "Sở Nội vụ {province}", "Sở Nội vụ", "SNV", AgencyKind.DEPARTMENT,
        _units(("to-chuc-bien-che", "Phòng Tổ chức, biên chế"), ("cong-chuc-vien-chuc", "Phòng Công chức, viên chức")),
    ),
    AgencySpec(
        "stc", 3, "Sở Tài chính {province}", "Sở Tài chính", "STC", AgencyKind.DEPARTMENT,
        _units(("ngan-sach", "Phòng Quản lý ngân sách"), ("dang-ky-kinh-doanh", "Phòng Đăng ký kinh doanh")),
    ),
    AgencySpec(
        "stp", 4, "Sở Tư pháp {province}", "Sở Tư pháp", "STP", AgencyKind.DEPARTMENT,
        _units(("hanh-chinh-tu-phap", "Phòng Hành chính tư pháp"), ("bo-tro-tu-phap", "Phòng Bổ trợ tư pháp")),
    ),
    AgencySpec(
        "skhcn", 5, "Sở Khoa học và Công nghệ {province}", "Sở Khoa học và Công nghệ", "SKHCN", AgencyKind.DEPARTMENT,
        _units(("chuyen-doi-so", "Phòng Chuyển đổi số"), ("buu-chinh-vien-thong", "Phòng Bưu chính, Viễn thông")),
    ),
    AgencySpec(
        "sct", 6, "Sở Công Thương {province}", "Sở Công Thương", "SCT", AgencyKind.DEPARTMENT,
        _units(("quan-ly-thuong-mai", "Phòng Quản lý thương mại"), ("quan-ly-nang-luong", "Phòng Quản lý năng lượng")),
    ),
    AgencySpec(
        "snnmt", 7, "Sở Nông nghiệp và Môi trường {province}", "Sở Nông nghiệp và Môi trường", "SNNMT",
        AgencyKind.DEPARTMENT,
        _units(("quan-ly-dat-dai", "Phòng Quản lý đất đai"), ("moi-truong", "Phòng Môi trường")),
    ),
    AgencySpec(
        "sxd", 8, "Sở Xây dựng {province}", "Sở Xây dựng", "SXD", AgencyKind.DEPARTMENT,
        _units(("quan-ly-xay-dung", "Phòng Quản lý xây dựng"), ("quan-ly-giao-thong", "Phòng Quản lý giao thông")),
    ),
    AgencySpec(
        "sgddt", 9, "Sở Giáo dục và Đào tạo {province}", "Sở Giáo dục và Đào tạo", "SGDĐT", AgencyKind.DEPARTMENT,
        _units(("giao-duc-pho-thong", "Phòng Giáo dục phổ thông"), ("quan-ly-chat-luong", "Phòng Quản lý chất lượng")),
    ),
    AgencySpec(
        "syt", 10, "Sở Y tế {province}", "Sở Y tế", "SYT", AgencyKind.DEPARTMENT,
        _units(("nghiep-vu-y", "Phòng Nghiệp vụ Y"), ("nghiep-vu-duoc", "Phòng Nghiệp vụ Dược")),
    ),
    AgencySpec(
        "svhttdl", 11, "Sở Văn hóa, Thể thao và Du lịch {province}", "Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL",
        AgencyKind.DEPARTMENT,
        _units(("quan-ly-van-hoa", "Phòng Quản lý văn hóa và gia đình"), ("quan-ly-du-lich", "Phòng Quản lý du lịch")),
    ),
    AgencySpec(
        "sdttg", 12, "Sở Dân tộc và Tôn giáo {province}", "Sở Dân tộc và Tôn giáo", "SDTTG", AgencyKind.DEPARTMENT,
        _units(("chinh-sach-dan-toc", "Phòng Chính sách dân tộc"), ("quan-ly-ton-giao", "Phòng Quản lý tôn giáo")),
    ),
    AgencySpec(
        "ttr", 13, "Thanh tra {province}", "Thanh tra {pl}", "TTr", AgencyKind.INSPECTORATE,
        _units(("nghiep-vu-1", "Phòng Nghiệp vụ 1"), ("nghiep-vu-2", "Phòng Nghiệp vụ 2"), one_stop=False)
        + (UnitSpec("tiep-cong-dan", "Ban Tiếp công dân", UnitKind.OTHER),),
    ),
    AgencySpec(
        "bqlkcn", 14, "Ban Quản lý các khu công nghiệp {province}", "Ban Quản lý các khu công nghiệp", "BQLKCN",
        AgencyKind.DEPARTMENT,
        _units(("quan-ly-doanh-nghiep", "Phòng Quản lý doanh nghiệp")),
    ),
    AgencySpec(
        "ttpvhcc", 15, "Trung tâm Phục vụ hành chính công {province}", "Trung tâm Phục vụ hành chính công",
        "TTPVHCC", AgencyKind.PUBLIC_SERVICE_UNIT,
        (
            UnitSpec("hanh-chinh-tong-hop", "Phòng Hành chính – Tổng hợp", UnitKind.OFFICE),
            UnitSpec("mot-cua", "Bộ phận một cửa", UnitKind.ONE_STOP, "BPMC"),
        ),
    ),
)


def commune_units(commune_kind: str) -> tuple[UnitSpec, ...]:
    """Units of a commune People's Committee after 2025: its office, two divisions, the one-stop desk."""
    economy = "Phòng Kinh tế, Hạ tầng và Đô thị" if commune_kind == "phường" else "Phòng Kinh tế"
    return (
        UnitSpec("van-phong", "Văn phòng HĐND và UBND", UnitKind.OFFICE, "VP"),
        UnitSpec("kinh-te", economy, UnitKind.DIVISION),
        UnitSpec("van-hoa-xa-hoi", "Phòng Văn hóa – Xã hội", UnitKind.DIVISION),
        UnitSpec("mot-cua", "Bộ phận một cửa", UnitKind.ONE_STOP, "BPMC"),
    )


# QCVN 102:2016 level-1 codes of provinces known to this table (post-2025 codes keep the
# pre-merger code of the province whose name was kept). Anything else comes from the setting.
PROVINCE_SEGMENTS: dict[int, str] = {96: "H12"}

COMMUNE_SEGMENT = "90"


def province_segment(province_code: int) -> str:
    configured = (getattr(settings, "TINHSO_AGENCY_PROVINCE_SEGMENT", "") or "").strip().upper()
    if configured and int(province_code) == int(settings.TINHSO_PROVINCE):
        return configured
    # Placeholder for provinces without a known code: well-formed, clearly documented as such.
    return PROVINCE_SEGMENTS.get(int(province_code), f"H{int(province_code) % 100:02d}")


def provincial_agency_code(*, province_code: int, segment: int) -> str:
    return f"000.00.{segment:02d}.{province_segment(province_code)}"


def commune_committee_code(*, province_code: int, commune_code: str) -> str:
    """Derived from the official 5-digit commune code: unique and stable across reloads."""
    code = f"{int(commune_code):05d}"
    return f"{code[2:]}.{code[:2]}.{COMMUNE_SEGMENT}.{province_segment(province_code)}"
