"""Synthetic field reports for load tests and benchmarks (``tinhso feedback_synthetic --reports N``).

``synthetic_generate`` adds ``n`` reports spread over the last 24 months (a gentle upward trend,
every day of the week, mostly in daytime) and over every active category, at points inside the
province: administrative units carry no geometry, so every commune gets a centre — the known
centre of a few demo communes, otherwise a point drawn once (deterministically from its code)
inside a rough outline of Cà Mau's land (:data:`LAND_OUTLINES`; for another province, inside the
box of ``location.province_bbox``) — and reports cluster around it (wards denser than rural
communes). The handling and supervising agencies come from the core routing
(``routing.route``), the due date from the category's SLA in working days
(``workflow.calendar.add_working_days``). States are realistic for the age of the report: old
reports are mostly closed or resolved (some late), a few are still open and overdue (escalated
to the supervisor), recent ones are waiting, accepted or in progress, ~5 % are refused (not
competent, or spam, which is hidden from the public). Resolved reports carry the public
resolution answer of an official of the handling agency (when it has one) and a third of them a
rating. Reporters are a pool of synthetic citizens, shown by name on some reports, anonymous on
others; ~10 % come without an account (Open311) with a synthetic contact.

Rows are written with ``bulk_create`` in batches (default 5,000 reports), in day order. Codes are
real ``PA-<YYMMDD>-<NNNN>`` codes numbered after the ``ReportCounter`` of their day, and the
counters are advanced in the same transaction as each batch: a real report filed later never
collides with a synthetic code, even if the generation is interrupted.

No audit events, notifications or transition logs are written: synthetic bulk data is not a user
action (an audit trail of a million invented actions would only drown the real one, and sending
notifications about invented reports would be wrong); nothing the benchmarks measure depends on
them (the public history of a synthetic report shows only its submission). Synthetic rows are
marked instead — every report has ``idempotency_scope == SYNTHETIC_SCOPE`` (an internal column,
never public) and every reporter belongs to a pool of users whose e-mail is
``pa-…@`` + ``dossiers.synthetic.SYNTHETIC_DOMAIN`` (unusable passwords, never able to log in) —
so ``synthetic_purge`` (``tinhso feedback_synthetic --purge``) removes exactly them.

The pool shares the dossiers' synthetic domain: run ``feedback_synthetic --purge`` *before*
``tinhso demo --purge-synthetic`` (which removes every user of that domain).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from tinhso.dossiers.synthetic import SYNTHETIC_DOMAIN
from tinhso.search.text import fold
from tinhso.workflow.calendar import add_working_days, to_local

from . import location, routing
from .codes import PREFIX
from .models import (
    Answer,
    Category,
    Channel,
    Note,
    RefusalReason,
    Report,
    ReportCounter,
    ReportPhoto,
    Status,
    Support,
)
from .models import Rating as ReportRating

SYNTHETIC_SCOPE = "synthetic:bulk"  # Report.idempotency_scope of every synthetic report
REPORTER_PREFIX = "pa-"  # e-mail local part of the synthetic reporters
DEFAULT_BATCH = 5_000
SPAN_DAYS = 730  # 24 months
REPORTS_PER_REPORTER = 8

# Rough outlines of the land of a province (lat, lon polygons), to keep synthetic points out of
# the sea. Cà Mau after the 2025 merger (with the former Bạc Liêu): approximate, enough for data.
LAND_OUTLINES: dict[int, list[tuple[float, float]]] = {
    96: [(9.58, 104.88), (9.62, 105.25), (9.55, 105.55), (9.47, 105.85), (9.27, 105.84), (9.10, 105.57),
         (9.00, 105.40), (8.80, 105.15), (8.64, 104.82), (8.58, 104.72), (8.78, 104.76), (9.05, 104.80),
         (9.30, 104.81)],
}
# Known centres of a few communes (the demo reports' places).
KNOWN_CENTRES: dict[str, tuple[float, float]] = {
    "32002": (9.1790, 105.1520),  # phường An Xuyên
    "32025": (9.1660, 105.1790),  # phường Tân Thành
    "31825": (9.2850, 105.7240),  # phường Bạc Liêu
    "31972": (9.0320, 105.4190),  # xã Gành Hào
    "32191": (8.7610, 104.9990),  # xã Năm Căn
    "32248": (8.6100, 104.7300),  # xã Đất Mũi
}

_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ", "Ngô",
           "Hồ", "Dương", "Lý", "Tô", "Châu", "Lâm", "Quách")
_MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hoài", "Quốc", "Thu", "Bảo", "Gia", "Kim", "Hữu")
_GIVEN = ("An", "Bình", "Cúc", "Dũng", "Đức", "Giang", "Hà", "Hải", "Hạnh", "Hòa", "Hùng", "Khánh", "Lan", "Linh",
          "Lộc", "Mai", "Nam", "Nga", "Nhân", "Phúc", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tú", "Vy",
          "Xuân", "Yến")
_STREETS = ("Trần Hưng Đạo", "Phan Ngọc Hiển", "Lý Thường Kiệt", "Nguyễn Tất Thành", "Hùng Vương", "Ngô Quyền",
            "Lê Lợi", "Nguyễn Trãi", "Hai Bà Trưng", "Quang Trung", "Lộ Tẻ", "Đê Đông")
_PLACES = ("gần chợ", "trước trường tiểu học", "cạnh trạm y tế", "gần cầu", "đầu hẻm", "cạnh bến đò",
           "gần nhà văn hóa ấp", "đối diện UBND", "cuối đường", "gần chùa")
# Descriptions per category code (a generic list for any other category).
_TEXTS: dict[str, tuple[str, ...]] = {
    "duong-giao-thong": ("Ổ gà lớn giữa đường, trời mưa đọng nước, xe máy dễ té ngã.",
                         "Mặt đường bê tông bị nứt, sụt lún một đoạn dài.",
                         "Cầu nhỏ bị mất lan can, trẻ em đi học rất nguy hiểm."),
    "duong-tinh-quoc-lo": ("Mặt đường quốc lộ bị lún, hằn lún bánh xe sâu.",
                           "Đường tỉnh có nhiều ổ gà, xe tải qua lại gây bụi."),
    "chieu-sang": ("Đèn đường không sáng nhiều đêm liền, buổi tối rất tối.",
                   "Trụ đèn bị nghiêng, dây điện chiếu sáng thòng xuống thấp."),
    "rac-thai-moi-truong": ("Rác sinh hoạt bị đổ xuống bờ kênh, bốc mùi hôi.",
                            "Điểm tập kết rác tồn đọng nhiều ngày chưa được thu gom.",
                            "Cơ sở chế biến xả nước thải ra kênh, nước đen và hôi."),
    "ngap-ung": ("Mỗi lần triều cường nước ngập sâu, cống thoát nước bị nghẹt.",
                 "Mưa lớn là ngập cả đoạn đường, nước rút rất chậm."),
    "sat-lo-bo-song": ("Bờ sông xuất hiện vết nứt dài, một đoạn đã sụp xuống sông.",
                       "Sạt lở bờ kè làm hư lộ bê tông, người dân đi lại nguy hiểm."),
    "cap-nuoc": ("Mất nước sinh hoạt từ sáng đến chiều hai ngày liền.",
                 "Nước máy đục, có mùi lạ.", "Đường ống cấp nước bị vỡ, nước chảy tràn ra đường."),
    "trat-tu-cong-cong": ("Hàng quán lấn chiếm hết vỉa hè, người đi bộ phải xuống lòng đường.",
                          "Quán karaoke mở nhạc lớn sau 22 giờ."),
    "thai-do-can-bo": ("Cán bộ tiếp dân trả lời cộc lốc, không hướng dẫn thủ tục.",
                       "Cán bộ hẹn nhiều lần nhưng không giải quyết, không nói rõ lý do."),
}
_GENERIC = ("Đề nghị cơ quan chức năng kiểm tra, xử lý sớm.", "Tình trạng kéo dài đã lâu, ảnh hưởng đến người dân.")
_ANSWERS = ("Cơ quan đã kiểm tra hiện trường và khắc phục xong vấn đề. Cảm ơn ông/bà đã phản ánh.",
            "Đã phối hợp với đơn vị liên quan xử lý dứt điểm. Kính mời ông/bà đánh giá kết quả xử lý.",
            "Đã cử cán bộ kiểm tra, nhắc nhở và xử lý theo quy định.")
_COMMENTS = ("Xử lý nhanh, cảm ơn.", "Đã khắc phục tốt.", "Xử lý chậm.", "Chưa triệt để.", "")


@dataclass
class SyntheticResult:
    reports: int = 0
    users: int = 0
    answers: int = 0
    ratings: int = 0
    seconds: float = 0.0


def synthetic_reporters():
    """The synthetic reporters (a queryset of users)."""
    return get_user_model().objects.filter(email__startswith=REPORTER_PREFIX, email__endswith="@" + SYNTHETIC_DOMAIN)


def synthetic_reports():
    """Every synthetic report (marked by ``idempotency_scope``)."""
    return Report.objects.filter(idempotency_scope=SYNTHETIC_SCOPE)


# --- geography -----------------------------------------------------------------------------------


def _inside(poly: list[tuple[float, float]], lat: float, lon: float) -> bool:
    """Point in polygon (ray casting)."""
    inside = False
    j = len(poly) - 1
    for i in range(len(poly)):
        (yi, xi), (yj, xj) = poly[i], poly[j]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


@dataclass
class _Commune:
    unit: object
    lat: float
    lon: float
    sigma_km: float
    weight: float


class _Geo:
    def __init__(self, communes: list, rng: random.Random):
        self.box = location.province_bbox()
        self.poly = LAND_OUTLINES.get(int(settings.TINHSO_PROVINCE))
        self.rng = rng
        self.communes = [self._commune(u) for u in communes]
        self.weights = [c.weight for c in self.communes]

    def ok(self, lat: float, lon: float) -> bool:
        return self.box.contains(lat, lon) and (self.poly is None or _inside(self.poly, lat, lon))

    def _commune(self, unit) -> _Commune:
        ward = "phường" in (unit.kind or "").lower()
        if unit.code in KNOWN_CENTRES:
            lat, lon = KNOWN_CENTRES[unit.code]
        else:
            own = random.Random(zlib.crc32(unit.code.encode()))  # noqa: S311 - same centre on every run
            b = self.box
            for _ in range(500):
                lat, lon = own.uniform(b.south, b.north), own.uniform(b.west, b.east)
                if self.ok(lat, lon):
                    break
            else:  # pragma: no cover - an outline outside its box
                lat, lon = (b.south + b.north) / 2, (b.west + b.east) / 2
        return _Commune(unit=unit, lat=lat, lon=lon, sigma_km=0.8 if ward else 2.5, weight=3.0 if ward else 1.0)

    def point(self, commune: _Commune) -> tuple[float, float]:
        for _ in range(6):
            dlat = self.rng.gauss(0, commune.sigma_km) / 111.0
            dlon = self.rng.gauss(0, commune.sigma_km) / (111.0 * math.cos(math.radians(commune.lat)))
            lat, lon = commune.lat + dlat, commune.lon + dlon
            if self.ok(lat, lon):
                return lat, lon
        return commune.lat, commune.lon


def _communes():
    from tinhso.geo.models import AdminUnit, Level

    pcode = f"{int(settings.TINHSO_PROVINCE):02d}"
    return list(AdminUnit.objects.filter(level=Level.COMMUNE, parent__code=pcode, is_active=True).order_by("code"))


# --- rows --------------------------------------------------------------------------------------


def _per_day(n: int, days: list[dt.date], rng: random.Random) -> list[int]:
    """Spread ``n`` over ``days`` with a gentle upward trend, fewer on Sundays, some noise."""
    weights = []
    for i, d in enumerate(days):
        w = (1 + 0.8 * i / max(1, len(days) - 1)) * (0.6 if d.weekday() == 6 else 1.0) * rng.uniform(0.7, 1.3)
        weights.append(w)
    total = sum(weights)
    counts, acc, given = [], 0.0, 0
    for w in weights:
        acc += n * w / total
        k = round(acc) - given
        counts.append(k)
        given += k
    counts[-1] += n - given
    return counts


def _create_users(count: int, *, tag: str, batch: int, rng: random.Random) -> list[int]:
    User = get_user_model()
    ids: list[int] = []
    for start in range(0, count, batch):
        rows = []
        for i in range(start, min(count, start + batch)):
            name = f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
            rows.append(User(email=f"{REPORTER_PREFIX}{tag}-{i:07d}@{SYNTHETIC_DOMAIN}", full_name=name,
                             kind="citizen", password="!" + secrets.token_urlsafe(30)))  # unusable password
        with transaction.atomic():
            created = User.objects.bulk_create(rows, batch_size=batch)
        if created and created[0].pk is None:  # a backend without RETURNING
            ids = list(synthetic_reporters().filter(email__contains=f"-{tag}-").values_list("pk", flat=True))
        else:
            ids.extend(u.pk for u in created)
    return ids


def _attribute_values(definitions: list, rng: random.Random) -> dict:
    """Valid values for the category's Open311 attributes (required ones always, others often)."""
    out: dict = {}
    for d in definitions or ():
        if not d.get("required") and rng.random() < 0.5:
            continue
        kind, keys = d.get("datatype"), [v["key"] for v in d.get("values") or ()]
        if kind == "singlevaluelist" and keys:
            out[d["code"]] = rng.choice(keys)
        elif kind == "multivaluelist" and keys:
            out[d["code"]] = rng.sample(keys, rng.randint(1, len(keys)))
        elif kind == "number":
            out[d["code"]] = rng.randint(1, 30)
        elif kind == "datetime":
            if d.get("required"):
                out[d["code"]] = "2025-06-01T09:00:00+07:00"
        elif kind in ("string", "text"):
            out[d["code"]] = rng.choice(("Bộ phận một cửa", "Tuyến chính", "Không rõ"))
    return out


class _Builder:
    def __init__(self, *, now: dt.datetime, rng: random.Random, users: list[int], categories: list, geo: _Geo):
        self.now, self.rng, self.users, self.geo = now, rng, users, geo
        self.categories = categories
        self.cat_weights = [3.0 if c.code in ("duong-giao-thong", "rac-thai-moi-truong", "chieu-sang") else 1.0
                            for c in categories]
        self._routes: dict = {}
        self._officials: dict = {}
        self._dues: dict = {}
        self._attrs_ok: dict = {}

    def route(self, category, commune):
        key = (category.pk, commune.pk)
        if key not in self._routes:
            r = routing.route(category=category, commune=commune)
            self._routes[key] = (r.agency.pk, r.supervisor.pk if r.supervisor else None)
        return self._routes[key]

    def official(self, agency_id: int) -> int | None:
        if agency_id not in self._officials:
            from .selectors import HANDLER_ROLES
            from .services import officials_of

            self._officials[agency_id] = officials_of(agency_id=agency_id, roles=HANDLER_ROLES).order_by(
                "pk").values_list("pk", flat=True).first()
        return self._officials[agency_id]

    def due(self, submitted: dt.datetime, sla: int) -> dt.datetime:
        # The default counting rule depends only on the local date of receipt (no cutoff).
        key = (to_local(submitted).date(), sla)
        if key not in self._dues:
            self._dues[key] = add_working_days(submitted, sla)
        return self._dues[key]

    def attributes(self, category) -> dict:
        from .attributes import clean_values

        values = _attribute_values(category.attributes, self.rng)
        if category.pk not in self._attrs_ok:  # check once per category that the values are valid
            values = clean_values(category.attributes, values)
            self._attrs_ok[category.pk] = True
        return values

    def report(self, day: dt.date, hour: float) -> tuple[Report, dict]:
        rng, now = self.rng, self.now
        tz = timezone.get_current_timezone()
        submitted = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz) + dt.timedelta(hours=hour)
        if submitted > now:
            submitted = now - dt.timedelta(minutes=rng.uniform(1, 180))
        cat = rng.choices(self.categories, weights=self.cat_weights)[0]
        commune = rng.choices(self.geo.communes, weights=self.geo.weights)[0]
        lat, lon = self.geo.point(commune)
        agency_id, supervisor_id = self.route(cat, commune.unit)
        due = self.due(submitted, cat.sla_days)
        texts = _TEXTS.get(cat.code, _GENERIC)
        description = rng.choice(texts) + (" " + rng.choice(_GENERIC) if rng.random() < 0.3 else "")
        address = f"Đường {rng.choice(_STREETS)}, {rng.choice(_PLACES)}" if rng.random() < 0.8 else ""
        r = Report(
            category_id=cat.pk, description=description, latitude=round(lat, 6), longitude=round(lon, 6),
            address_string=address, commune_id=commune.unit.pk, attributes=self.attributes(cat),
            agency_id=agency_id, supervisor_id=supervisor_id, submitted_at=submitted, due_at=due,
            idempotency_scope=SYNTHETIC_SCOPE, idempotency_key=None, payload_hash="",
        )
        c = rng.random()
        r.channel = Channel.WEB if c < 0.65 else Channel.APP if c < 0.85 else Channel.OPEN311 if c < 0.95 else Channel.STAFF
        if r.channel == Channel.OPEN311 and rng.random() < 0.7:  # without an account: a contact
            name = f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
            r.contact_name = name
            r.contact_phone = "09" + "".join(rng.choice("0123456789") for _ in range(8))
            r.contact_email = f"lienhe-{rng.getrandbits(40):010x}@{SYNTHETIC_DOMAIN}"
        else:
            r.reporter_id = rng.choice(self.users)
            r.is_anonymous = rng.random() < 0.15
            r.show_name = not r.is_anonymous and rng.random() < 0.15
        extra = self._state(r, cat)
        return r, extra

    def _state(self, r: Report, cat) -> dict:
        rng, now = self.rng, self.now
        extra: dict = {}
        official = self.official(r.agency_id)
        age_h = (now - r.submitted_at).total_seconds() / 3600

        def accept(max_hours: float) -> dt.datetime:
            return min(now, r.submitted_at + dt.timedelta(hours=rng.uniform(0.3, max(0.5, max_hours))))

        if rng.random() < 0.05 and age_h > 2:
            r.status = Status.REFUSED
            r.refusal_reason = RefusalReason.SPAM if rng.random() < 0.3 else RefusalReason.NOT_COMPETENT
            r.is_public = r.refusal_reason != RefusalReason.SPAM
            r.closed_at = accept(48)
            return extra
        overdue_now = r.due_at < now
        if overdue_now:  # the longer past its deadline, the likelier it was dealt with
            days_late = (now - r.due_at).total_seconds() / 86400
            p_resolved = 0.7 if days_late < 7 else 0.93 if days_late < 30 else 0.995
        else:
            p_resolved = 0.35
        resolve = rng.random() < p_resolved and age_h > 4
        if resolve:
            r.accepted_at = accept(24)
            r.assignee_id = official
            span = (r.due_at - r.accepted_at).total_seconds()
            if rng.random() < 0.82 or span <= 0:
                resolved = r.accepted_at + dt.timedelta(seconds=max(600, span * rng.uniform(0.1, 1.0)))
            else:
                resolved = r.due_at + dt.timedelta(hours=rng.uniform(2, 240))
            if resolved >= now:
                resolve = False
                r.accepted_at = None
                r.assignee_id = None
        if resolve:
            r.resolved_at = resolved
            r.resolution_seconds = int((resolved - r.submitted_at).total_seconds())
            r.resolved_on_time = resolved <= r.due_at
            if resolved > r.due_at:
                r.escalated_at, r.escalation_level = r.due_at + dt.timedelta(minutes=15), 1
            if official is not None:
                extra["answer"] = Answer(body=rng.choice(_ANSWERS), agency_id=r.agency_id, author_id=official,
                                         is_resolution=True, created_at=resolved)
            autoclose = resolved + dt.timedelta(days=max(settings.TINHSO_FEEDBACK_AUTOCLOSE_DAYS,
                                                         settings.TINHSO_FEEDBACK_REOPEN_DAYS))
            rated_at = resolved + dt.timedelta(hours=rng.uniform(1, 96))
            if r.reporter_id and rng.random() < 0.35 and rated_at < now:
                score = rng.choices((5, 4, 3, 2, 1), weights=(45, 30, 12, 8, 5))[0]
                extra["rating"] = ReportRating(score=score, comment=rng.choice(_COMMENTS), created_at=rated_at)
                r.status, r.closed_at = Status.CLOSED, rated_at
            elif autoclose < now:
                r.status, r.closed_at = Status.CLOSED, autoclose
            else:
                r.status = Status.RESOLVED
            return extra
        # Still open.
        # (An agency without a handler account in the demo still accepts: no assignee then.)
        u = rng.random()
        if (age_h < 8 and u < 0.6) or u < 0.15:
            r.status = Status.SUBMITTED
        elif u < 0.45:
            r.status = Status.ASSIGNED
            r.accepted_at, r.assignee_id = accept(24), official
        else:
            r.status = Status.IN_PROGRESS
            r.accepted_at, r.assignee_id = accept(24), official
        r.support_count = rng.choices((0, 1, 2, 5), weights=(80, 12, 6, 2))[0]
        if overdue_now:
            r.escalated_at, r.escalation_level = r.due_at + dt.timedelta(minutes=15), 1
        return extra


# --- generation ----------------------------------------------------------------------------------


def synthetic_generate(*, n: int, batch_size: int = DEFAULT_BATCH, seed: int | None = None,
                       now: dt.datetime | None = None, span_days: int = SPAN_DAYS,
                       progress: Callable[[str], None] | None = None) -> SyntheticResult:
    """Add ``n`` synthetic reports (see the module docstring). Needs active categories and the
    province's communes (``tinhso demo``). Returns the numbers of rows written."""
    from tinhso.core.errors import ValidationFailed

    started = time.monotonic()
    result = SyntheticResult()
    if n <= 0:
        return result
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    now = now or timezone.now()
    categories = list(Category.objects.filter(is_active=True).order_by("order", "code"))
    communes = _communes()
    if not categories or not communes:
        raise ValidationFailed("No active report category or no commune of the province: run `tinhso demo` first.")
    report = progress or (lambda _msg: None)
    tag = f"{int(time.time()):x}{rng.randrange(16**3):03x}"
    n_users = max(1, n // REPORTS_PER_REPORTER)
    report(f"Creating {n_users:,} synthetic reporters …")
    users = _create_users(n_users, tag=tag, batch=batch_size, rng=rng)
    result.users = len(users)

    builder = _Builder(now=now, rng=rng, users=users, categories=categories, geo=_Geo(communes, rng))
    today = to_local(now).date()
    days = [today - dt.timedelta(days=i) for i in range(span_days, -1, -1)]
    per_day = _per_day(n, days, rng)
    counters = {c.date: c.last_number for c in ReportCounter.objects.filter(date__gte=days[0] - dt.timedelta(days=1))}
    pending: list[tuple[Report, dict]] = []

    def flush() -> None:
        if not pending:
            return
        touched = {to_local(r.submitted_at).date() for r, _e in pending}
        with transaction.atomic():
            ReportCounter.objects.bulk_create(
                [ReportCounter(date=d, last_number=counters[d]) for d in touched],
                update_conflicts=True, unique_fields=["date"], update_fields=["last_number"],
            )
            created = Report.objects.bulk_create([r for r, _e in pending], batch_size=batch_size)
            if created and created[0].pk is None:  # no RETURNING: look the ids up by code
                ids = dict(Report.objects.filter(code__in=[r.code for r in created]).values_list("code", "pk"))
                for r in created:
                    r.pk = r.id = ids[r.code]
            answers, ratings = [], []
            for r, extra in pending:
                if "answer" in extra:
                    extra["answer"].report_id = r.pk
                    answers.append(extra["answer"])
                if "rating" in extra:
                    extra["rating"].report_id = r.pk
                    ratings.append(extra["rating"])
            Answer.objects.bulk_create(answers, batch_size=batch_size)
            ReportRating.objects.bulk_create(ratings, batch_size=batch_size)
            # ``updated_at`` is auto_now (bulk_create stamps it now): the last change instead.
            Report.objects.filter(pk__in=[r.pk for r in created]).update(
                updated_at=Coalesce(F("closed_at"), F("resolved_at"), F("escalated_at"), F("accepted_at"),
                                    F("submitted_at")))
        result.reports += len(pending)
        result.answers += len(answers)
        result.ratings += len(ratings)
        pending.clear()
        report(f"  {100 * result.reports / n:5.1f} %  {result.reports:,} / {n:,} synthetic reports "
               f"({time.monotonic() - started:.0f} s)")

    for day, k in zip(days, per_day, strict=True):
        hours = sorted(min(23.99, max(0.0, rng.gauss(12.5, 4.0))) for _ in range(k))
        for hour in hours:
            r, extra = builder.report(day, hour)
            local_day = to_local(r.submitted_at).date()
            counters[local_day] = counters.get(local_day, 0) + 1
            r.code = f"{PREFIX}-{local_day:%y%m%d}-{counters[local_day]:04d}"
            r.search_text = fold(" ".join([r.code, r.description, r.address_string]))
            pending.append((r, extra))
            if len(pending) >= batch_size:
                flush()
    flush()
    result.seconds = round(time.monotonic() - started, 1)
    return result


def synthetic_purge(*, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Delete every synthetic report (with its answers, ratings, supports, notes, photos links)
    and the synthetic reporters. Report counters are left as they are: codes are never reused.
    A real report refused as a duplicate of a synthetic one loses that link."""
    report = progress or (lambda _msg: None)
    reports = synthetic_reports()
    counts: dict[str, int] = {}
    with transaction.atomic():
        counts["unlinked_duplicates"] = Report.objects.filter(duplicate_of__in=reports).exclude(
            idempotency_scope=SYNTHETIC_SCOPE).update(duplicate_of=None)
        # Synthetic reports never point at each other, but clear the links first anyway.
        reports.filter(duplicate_of__isnull=False).update(duplicate_of=None)
        for label, model in (("ratings", ReportRating), ("answers", Answer), ("notes", Note), ("supports", Support),
                             ("photos", ReportPhoto)):
            qs = model.objects.filter(report__in=reports)
            counts[label] = qs._raw_delete(qs.db)  # no signals, no cascade collection: bulk data
            report(f"  {counts[label]:,} {label}")
        counts["reports"] = reports._raw_delete(reports.db)
        users = synthetic_reporters()
        counts["users"] = users._raw_delete(users.db)
    report(f"  {counts['reports']:,} reports, {counts['users']:,} synthetic reporters removed")
    return counts
