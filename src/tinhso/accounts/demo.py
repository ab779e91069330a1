"""Demo accounts: one per kind of user, all with the password ``TinhSo@2026``.

Officials and the system admin get a confirmed TOTP device with a fixed secret (derived from
the login, printed by ``describe_accounts``) so whoever tries the demo can add it to an
authenticator app, or ask ``tinhso demo_otp <login>`` for the current code. Never loaded when
``TINHSO_ENV=production``: a known password on a real installation would be a hole.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

DEMO_PASSWORD = "TinhSo@2026"  # noqa: S105 - published demo password, refused in production
DEMO_DOMAIN = "tinhso.local"


@dataclass(frozen=True)
class DemoAccount:
    login: str
    full_name: str
    label: str
    kind: str  # citizen | business | official
    role: str = ""
    place: str = ""  # commune | justice | science | construction
    position: str = ""
    one_stop: bool = False
    title: str = ""
    superuser: bool = False
    business_name: str = ""

    @property
    def needs_otp(self) -> bool:
        return self.kind == "official"


ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("0912345678", "Nguyễn Văn An", "Người dân", "citizen"),
    DemoAccount("0939123456", "Trần Thị Bình", "Hộ kinh doanh", "business",
                business_name="Hộ kinh doanh Bình An (mắm, khô đặc sản)"),
    DemoAccount(f"motcua@{DEMO_DOMAIN}", "Lê Thị Cúc", "Công chức một cửa", "official",
                role="clerk", place="commune", position="cong-chuc-mot-cua", one_stop=True,
                title="Công chức Văn phòng – Thống kê"),
    # The commune's own specialist and leader process commune-level procedures (birth registration …).
    DemoAccount(f"tuphap@{DEMO_DOMAIN}", "Trương Văn Lợi", "Công chức Tư pháp – Hộ tịch", "official",
                role="specialist", place="commune", position="chuyen-vien", title="Công chức Tư pháp – Hộ tịch"),
    DemoAccount(f"chutich@{DEMO_DOMAIN}", "Lý Thị Mai", "Chủ tịch UBND", "official",
                role="leader", place="commune", position="chu-tich", title="Chủ tịch UBND phường"),
    DemoAccount(f"tocongnghe@{DEMO_DOMAIN}", "Ngô Thị Kim", "Tổ công nghệ số cộng đồng", "official",
                role="digital_team", place="commune", title="Thành viên Tổ công nghệ số cộng đồng"),
    DemoAccount(f"chuyenvien@{DEMO_DOMAIN}", "Phạm Văn Dũng", "Chuyên viên xử lý", "official",
                role="specialist", place="justice", position="chuyen-vien", title="Chuyên viên"),
    DemoAccount(f"lanhdao@{DEMO_DOMAIN}", "Võ Minh Đức", "Lãnh đạo phê duyệt", "official",
                role="leader", place="justice", position="pho-giam-doc", title="Phó Giám đốc"),
    DemoAccount(f"vanthu@{DEMO_DOMAIN}", "Huỳnh Thị Giang", "Văn thư", "official",
                role="document_clerk", place="justice", position="van-thu", title="Văn thư"),
    # A department official who handles field reports sent up by the communes (urban drainage,
    # roads): the commune reassigns a report to the department, which resolves it.
    DemoAccount(f"xaydung@{DEMO_DOMAIN}", "Đỗ Thanh Phong", "Cán bộ xử lý phản ánh (Sở Xây dựng)", "official",
                role="report_handler", place="construction", position="chuyen-vien", title="Chuyên viên"),
    DemoAccount(f"dulieu@{DEMO_DOMAIN}", "Đặng Quốc Huy", "Cán bộ dữ liệu", "official",
                role="data_officer", place="science", position="chuyen-vien", title="Chuyên viên"),
    DemoAccount(f"admin@{DEMO_DOMAIN}", "Quản trị hệ thống", "Quản trị hệ thống (superuser)", "official",
                superuser=True, title="Quản trị hệ thống"),
)
DEMO_LOGINS = frozenset(a.login for a in ACCOUNTS)


def totp_key_bytes(login: str) -> bytes:
    """The fixed 20-byte TOTP secret of a demo account (public on purpose: it is a demo)."""
    return hashlib.sha1(f"tinhso-demo-totp:{login}".encode()).digest()  # noqa: S324 - not a security hash


def totp_secret_b32(login: str) -> str:
    return base64.b32encode(totp_key_bytes(login)).decode().rstrip("=")


# --- loading ----------------------------------------------------------------------------------


def _find_agency(place: str, province_code: int, log: Callable[[str], None]):
    from tinhso.orgs.models import Agency, AgencyKind, AgencyLevel

    pcode = f"{int(province_code):02d}"
    qs = Agency.objects.filter(is_active=True).select_related("admin_unit")
    if place == "commune":
        communes = qs.filter(kind=AgencyKind.PEOPLES_COMMITTEE, level=AgencyLevel.COMMUNE,
                             admin_unit__parent__code=pcode)
        agency = (
            communes.filter(admin_unit__name__icontains="An Xuyên").first()
            or communes.filter(admin_unit__kind__icontains="phường").order_by("admin_unit__code").first()
            or communes.order_by("admin_unit__code").first()
        )
    else:
        departments = qs.filter(kind=AgencyKind.DEPARTMENT, level=AgencyLevel.PROVINCE, admin_unit__code=pcode)
        wanted = {"justice": "Tư pháp", "science": "Khoa học và Công nghệ", "construction": "Xây dựng"}[place]
        agency = departments.filter(name__icontains=wanted).first() or departments.order_by("code").first()
    if agency is None:
        log(f"  (bỏ qua phân công {place}: chưa có cơ quan phù hợp — hãy nạp dữ liệu cơ quan trước)")
    return agency


def _ensure_user(spec: DemoAccount):
    from tinhso.accounts import services
    from tinhso.accounts.models import CitizenProfile, UserKind
    from tinhso.accounts.selectors import user_by_login

    user = user_by_login(spec.login)
    if user is not None:
        return user, False
    if spec.kind in (UserKind.CITIZEN, UserKind.BUSINESS):
        user = services.user_register(
            full_name=spec.full_name, login=spec.login, password=DEMO_PASSWORD, kind=spec.kind,
            business_name=spec.business_name, household_business=spec.kind == UserKind.BUSINESS,
        )
        if spec.kind == UserKind.CITIZEN:
            profile = CitizenProfile.objects.get(user=user)
            profile.set_national_id("096090001234")  # obviously fake: province 96, all test digits
            profile.address = "Số 12, đường Lý Thường Kiệt"
            profile.save()
    else:
        user = services.official_create(
            actor=None, full_name=spec.full_name, login=spec.login, password=DEMO_PASSWORD,
            title=spec.title, is_superuser=spec.superuser,
            validate_password_strength=False,  # the published demo password resembles the logins
        )
    return user, True


def _ensure_totp(user, login: str) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    key = totp_key_bytes(login).hex()
    if not TOTPDevice.objects.filter(user=user, key=key, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="Demo", key=key, confirmed=True)


def _ensure_membership(user, spec: DemoAccount, agency, admin) -> None:
    from tinhso.orgs import selectors as orgs_selectors
    from tinhso.orgs import services as orgs_services
    from tinhso.orgs.models import Membership

    if Membership.objects.filter(user=user, agency=agency, role__code=spec.role, is_active=True).exists():
        return
    unit = orgs_selectors.one_stop_unit(agency=agency) if spec.one_stop else None
    position = orgs_selectors.position_by_code(code=spec.position) if spec.position else None
    orgs_services.membership_grant(actor=admin, user=user, agency=agency, role_code=spec.role, unit=unit,
                                   position=position)


def load(*, province_code: int, log: Callable[[str], None]) -> None:
    if getattr(settings, "TINHSO_ENV", "") == "production":
        log("• Bỏ qua tài khoản demo: TINHSO_ENV=production.")
        return
    from tinhso.accounts.models import Role

    # The roles come from the 0002 data migration; this keeps the loader safe on a database
    # where someone deleted them.
    from tinhso.orgs.catalogue import ROLE_NAMES

    for code in {a.role for a in ACCOUNTS if a.role}:
        Role.objects.get_or_create(code=code, defaults={"name": ROLE_NAMES.get(code, code)})

    created = 0
    admin_spec = next(a for a in ACCOUNTS if a.superuser)
    admin, was_created = _ensure_user(admin_spec)
    created += was_created
    for spec in ACCOUNTS:
        user, was_created = (admin, False) if spec is admin_spec else _ensure_user(spec)
        created += was_created
        if spec.needs_otp:
            _ensure_totp(user, spec.login)
        if spec.role and spec.place:
            agency = _find_agency(spec.place, province_code, log)
            if agency is not None:
                _ensure_membership(user, spec, agency, admin)
    log(f"✓ {len(ACCOUNTS)} tài khoản demo ({created} mới), mật khẩu chung {DEMO_PASSWORD}")


# --- describing and OTP codes ------------------------------------------------------------------


def current_otp(login: str) -> str | None:
    """The code a demo account's authenticator would show now, or None if ``login`` is not a
    demo account with its demo device."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tinhso.accounts.selectors import normalize_login, user_by_login

    login = normalize_login(login) or login
    if login not in DEMO_LOGINS:
        return None
    user = user_by_login(login)
    if user is None:
        return None
    device = TOTPDevice.objects.filter(user=user, key=totp_key_bytes(login).hex(), confirmed=True).first()
    if device is None:
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def _agency_names() -> dict[str, str]:
    """login → "role @ agency" for the accounts that have a membership."""
    try:
        from tinhso.orgs.models import Membership

        rows = Membership.objects.filter(user__email__in=DEMO_LOGINS, is_active=True).select_related("user", "agency")
        return {m.user.email: m.agency.short_name or m.agency.name for m in rows}
    except Exception:  # noqa: BLE001 - description only
        return {}


def describe_accounts() -> str:
    """A table of the demo accounts and how to log in, for ``make run`` / ``tinhso demo``."""
    if getattr(settings, "TINHSO_ENV", "") == "production":
        return ""
    try:
        from tinhso.accounts.models import User

        existing = set(User.objects.filter(email__in=DEMO_LOGINS).values_list("email", flat=True))
        existing |= set(User.objects.filter(phone__in=DEMO_LOGINS).values_list("phone", flat=True))
    except Exception:  # noqa: BLE001 - database not ready: describe the intended accounts
        existing = set(DEMO_LOGINS)
    if not existing:
        return ""
    agencies = _agency_names()
    rows = [("Vai trò", "Đăng nhập", "Mật khẩu", "Khóa TOTP (base32)")]
    for a in ACCOUNTS:
        if a.login not in existing:
            continue
        label = a.label + (f" — {agencies[a.login]}" if a.login in agencies else "")
        rows.append((label, a.login, DEMO_PASSWORD, totp_secret_b32(a.login) if a.needs_otp else "—"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["", "Tài khoản demo (chỉ dùng thử, không dùng cho hệ thống thật):"]
    for i, r in enumerate(rows):
        lines.append("  " + "  ".join(cell.ljust(widths[j]) for j, cell in enumerate(r)).rstrip())
        if i == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    lines += [
        "",
        "Đăng nhập tại /accounts/login/ bằng số điện thoại hoặc thư điện tử và mật khẩu trên.",
        "Cán bộ và quản trị cần thêm mã xác thực 6 chữ số: thêm khóa TOTP vào ứng dụng xác thực",
        "(Google Authenticator, FreeOTP…), hoặc lấy mã hiện tại bằng lệnh:",
        f"  tinhso demo_otp admin@{DEMO_DOMAIN}",
        "",
    ]
    return "\n".join(lines)
