"""`tinhso feedback_synthetic --reports N` adds synthetic field reports; `--purge` removes exactly them."""

from __future__ import annotations

import dataclasses
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from tinhso.audit.models import AuditEvent
from tinhso.feedback import codes, location, selectors, services, synthetic
from tinhso.feedback.models import Answer, Rating, Report, ReportCounter, Status
from tinhso.notify.models import Notification
from tinhso.workflow.models import TransitionLog

from .conftest import LAT, LON

CODE = re.compile(r"^PA-(?P<day>\d{6})-(?P<n>\d{4,})$")
N = 400


def _all_text(obj) -> str:
    if dataclasses.is_dataclass(obj):
        return " ".join(_all_text(getattr(obj, f.name)) for f in dataclasses.fields(obj))
    if isinstance(obj, (list, tuple)):
        return " ".join(_all_text(o) for o in obj)
    if isinstance(obj, dict):
        return " ".join(_all_text(v) for v in obj.values())
    return str(obj)


@pytest.fixture
def generated(world):
    real = services.report_submit(reporter=world.citizen, category=world.category, latitude=LAT, longitude=LON,
                                  description="Ổ gà thật", attributes={"hien_trang": "o-ga"})
    before = {"audit": AuditEvent.objects.count(), "notifications": Notification.objects.count(),
              "logs": TransitionLog.objects.count()}
    out = StringIO()
    call_command("feedback_synthetic", "--reports", str(N), "--seed", "3", "--batch-size", "150", stdout=out)
    return {"real": real, "before": before, "out": out.getvalue()}


def test_generates_marked_valid_reports_without_audit(world, generated):
    out = generated["out"]
    assert "100.0 %" in out and f"{N} synthetic reports" in out  # progress lines
    qs = synthetic.synthetic_reports()
    assert qs.count() == N and Report.objects.count() == N + 1
    assert synthetic.synthetic_reporters().count() == N // synthetic.REPORTS_PER_REPORTER
    assert synthetic.synthetic_reporters().exclude(password__startswith="!").count() == 0
    # No audit events, notifications or transition logs for bulk rows.
    assert AuditEvent.objects.count() == generated["before"]["audit"]
    assert Notification.objects.count() == generated["before"]["notifications"]
    assert TransitionLog.objects.count() == generated["before"]["logs"]
    # Valid unique codes; the day counters cover them, so a real report filed now does not collide.
    rows = list(qs.values_list("code", flat=True))
    assert len(set(rows)) == N
    highest: dict[str, int] = {}
    for code in rows:
        m = CODE.match(code)
        assert m, code
        highest[m["day"]] = max(highest.get(m["day"], 0), int(m["n"]))
    counters = {c.date.strftime("%y%m%d"): c.last_number for c in ReportCounter.objects.all()}
    assert all(counters[d] >= n for d, n in highest.items())
    later = services.report_submit(reporter=world.citizen_b, category=world.category, latitude=LAT, longitude=LON,
                                   description="Sau dữ liệu tổng hợp", attributes={"hien_trang": "khac"})
    assert later.code not in rows


def test_realistic_spread(world, generated):
    qs = synthetic.synthetic_reports()
    statuses = dict(qs.values_list("status").annotate(n=Count("id")))
    done = statuses.get(Status.CLOSED, 0) + statuses.get(Status.RESOLVED, 0)
    assert done > 0.6 * N
    assert statuses.get(Status.REFUSED, 0) > 0
    assert sum(statuses.get(s, 0) for s in (Status.SUBMITTED, Status.ASSIGNED, Status.IN_PROGRESS)) > 0
    now = timezone.now()
    open_ = qs.filter(status__in=[Status.SUBMITTED, Status.ASSIGNED, Status.IN_PROGRESS])
    assert open_.filter(due_at__lt=now, escalated_at__isnull=False).exists()  # overdue, escalated
    assert qs.filter(submitted_at__gt=now).count() == 0
    oldest = qs.order_by("submitted_at").first().submitted_at
    assert (now - oldest).days > 600
    assert set(qs.values_list("category_id", flat=True)) == {world.category.pk, world.other_category.pk}
    assert qs.values("commune").distinct().count() > 20
    box = location.province_bbox()
    assert all(box.contains(float(a), float(b)) for a, b in qs.values_list("latitude", "longitude"))
    # Routing: the commune committee where there is one, else the provincial committee.
    assert set(qs.filter(commune=world.anxuyen).values_list("agency_id", flat=True)) == {world.anxuyen_pc.pk}
    assert set(qs.exclude(commune__in=[world.anxuyen, world.tanthanh]).values_list("agency_id", flat=True)) == {
        world.province_pc.pk}
    # Due dates in working days (the category's SLA) after submission.
    for r in qs.select_related("category")[:50]:
        from tinhso.workflow.calendar import add_working_days

        assert r.due_at == add_working_days(r.submitted_at, r.category.sla_days)
    # Resolved ones carry statistics columns, a public answer (by an official of the handler when
    # it has one) and some a rating.
    resolved = qs.filter(resolved_at__isnull=False)
    assert not resolved.filter(resolution_seconds__isnull=True).exists()
    assert resolved.filter(resolved_on_time=False).exists() and resolved.filter(resolved_on_time=True).exists()
    assert Answer.objects.filter(report__in=resolved.filter(agency=world.anxuyen_pc), is_resolution=True).exists()
    assert Rating.objects.filter(report__in=qs).exists()
    assert qs.filter(reporter__isnull=True).exclude(contact_email="").exists()
    assert qs.filter(is_anonymous=True).exists() and qs.filter(show_name=True).exists()
    assert qs.filter(is_public=False, refusal_reason="spam").exists()
    stats = selectors.report_statistics(user=world.superuser, since=now - timezone.timedelta(days=800), until=now,
                                        group_by="category")
    assert sum(row["received"] for row in stats) == N + 1


def test_public_selectors_never_expose_synthetic_personal_data(world, generated):
    qs = synthetic.synthetic_reports()
    secrets_ = set()
    for r in qs.filter(is_anonymous=True).select_related("reporter")[:30]:
        secrets_.add(r.reporter.full_name)
        secrets_.add(r.reporter.email)
    for r in qs.exclude(contact_email=""):
        secrets_ |= {r.contact_email, r.contact_phone}
    assert secrets_
    page = selectors.public_reports(page_size=100)
    points = selectors.reports_in_viewport(bbox=location.province_bbox(), limit=2000)
    details = [selectors.public_report_get(public_id=p.public_id) for p in points[:40]]
    text = _all_text([page.items, points, details])
    for secret in secrets_:
        if secret and "@" in secret:
            assert secret not in text
    assert "@" + synthetic.SYNTHETIC_DOMAIN not in text
    # Names only where the reporter chose to show them (never for anonymous reports).
    shown = {p.public_id: p.reporter_name for p in selectors.public_reports(page_size=100, status="closed").items}
    anonymous = set(qs.filter(is_anonymous=True).values_list("public_id", flat=True))
    assert all(shown[pid] == "" for pid in anonymous & set(shown))
    # Spam is never public.
    spam = set(qs.filter(is_public=False).values_list("public_id", flat=True))
    assert spam and not spam & {p.public_id for p in points}
    assert len(points) == qs.filter(is_public=True).count() + 1


def test_purge_removes_exactly_the_synthetic_rows(world, generated):
    real = generated["real"]
    services.report_support(report=synthetic.synthetic_reports().filter(status=Status.ASSIGNED).first()
                            or synthetic.synthetic_reports().filter(status=Status.SUBMITTED).first(),
                            user=world.citizen_b)
    users_before = world.citizen.__class__.objects.exclude(pk__in=synthetic.synthetic_reporters()).count()
    out = StringIO()
    call_command("feedback_synthetic", "--purge", stdout=out)
    assert f"{N:,} synthetic reports" in out.getvalue()
    assert synthetic.synthetic_reports().count() == 0 and synthetic.synthetic_reporters().count() == 0
    assert list(Report.objects.values_list("pk", flat=True)) == [real.pk]
    assert world.citizen.__class__.objects.count() == users_before
    assert not Answer.objects.exclude(report=real).exists() and not Rating.objects.exists()
    # Counters are kept: numbers are never reused.
    assert ReportCounter.objects.count() > 1
    again = codes.next_code(when=timezone.now())
    assert again != real.code


def test_command_validation(db):
    with pytest.raises(CommandError):
        call_command("feedback_synthetic", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("feedback_synthetic", "--reports", "-1", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("feedback_synthetic", "--reports", "5", stdout=StringIO())  # no category, no commune
