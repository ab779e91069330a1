"""`tinhso demo --scale N` adds synthetic dossiers; `--purge-synthetic` removes exactly them."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F
from django.utils import timezone

from tinhso.audit.models import AuditEvent
from tinhso.dossiers import codes
from tinhso.dossiers.models import Dossier, DossierCounter, DossierStep, Rating, Status
from tinhso.dossiers.synthetic import SYNTHETIC_DOMAIN, synthetic_dossiers, synthetic_pool
from tinhso.notify.models import Notification
from tinhso.payments.models import PaymentIntent
from tinhso.workflow.models import TransitionLog

CODE = re.compile(r"^(?P<agency>.+)-(?P<day>\d{6})-(?P<n>\d{4,})$")


@pytest.fixture
def scaled(db):
    out = StringIO()
    call_command("demo", "--scale", "600", "--seed", "7", "--batch-size", "250", stdout=out)
    return out.getvalue()


def test_scale_generates_marked_valid_dossiers_without_audit(scaled):
    assert "100.0 %" in scaled and "600 synthetic dossiers" in scaled  # progress lines on stdout
    qs = synthetic_dossiers()
    assert qs.count() == 600 == Dossier.objects.count()
    assert synthetic_pool().count() == 30  # N / 20 applicants
    assert synthetic_pool().filter(password__startswith="!").count() == 30  # unusable passwords
    assert all(d.form_data == {"synthetic": True} for d in qs.only("form_data")[:50])
    # Valid, unique codes; the counters are at least the highest synthetic number of each day.
    rows = list(qs.values_list("code", "agency__code", "tracking_secret"))
    assert len({c for c, _a, _s in rows}) == 600
    highest: dict[tuple[str, str], int] = {}
    for code, agency_code, secret in rows:
        m = CODE.match(code)
        assert m and m["agency"] == agency_code, code
        assert re.fullmatch(r"[A-Z2-7]{8}", secret)
        key = (agency_code, m["day"])
        highest[key] = max(highest.get(key, 0), int(m["n"]))
    counters = {(c.agency.code, c.date.strftime("%y%m%d")): c.last_number
                for c in DossierCounter.objects.select_related("agency")}
    assert all(counters[k] >= n for k, n in highest.items())
    # A realistic mix over the last 24 months.
    statuses = dict(qs.values_list("status").annotate(n=Count("id")))
    assert statuses.get(Status.DONE, 0) > 300
    assert statuses.get(Status.REFUSED, 0) > 0
    assert set(statuses) - {Status.DONE, Status.REFUSED} & {Status.PROCESSING, Status.RESULT_READY,
                                                             Status.AWAITING_APPROVAL, Status.SUPPLEMENT_REQUESTED}
    online = qs.filter(channel="online").count()
    assert 0.6 * 600 < online < 0.8 * 600
    now = timezone.now()
    oldest = qs.order_by("received_at").exclude(received_at=None).first().received_at
    assert (now - oldest).days > 600 and qs.filter(received_at__gt=now).count() == 0
    assert qs.filter(is_overdue=True).exists() and qs.filter(finished_at__gt=F("due_at")).exists()
    assert DossierStep.objects.filter(dossier__in=qs).count() >= 2 * qs.exclude(received_at=None).count()
    assert PaymentIntent.objects.filter(status="paid", purpose="dossier_fee").exists()
    assert Rating.objects.exists()
    # Bulk data is not a user action: no audit event, transition log or notification about it.
    assert not AuditEvent.objects.filter(action__startswith="dossier").exists()
    # (The demo's sample field reports are real service calls: they have their own history.)
    assert not TransitionLog.objects.filter(flow="dossier").exists()
    assert not Notification.objects.filter(event__startswith="dossier").exists()


def test_real_code_after_synthetic_does_not_collide(scaled):
    latest = synthetic_dossiers().order_by("-submitted_at").first()
    code = codes.next_code(agency=latest.agency, when=latest.submitted_at)
    assert not Dossier.objects.filter(code=code).exists()


def test_purge_synthetic_removes_only_synthetic_rows(scaled):
    from tinhso.accounts.models import User

    real_users = User.objects.exclude(email__endswith="@" + SYNTHETIC_DOMAIN).count()
    counters = DossierCounter.objects.count()
    out = StringIO()
    call_command("demo", "--scale", "0", "--purge-synthetic", stdout=out)
    assert "600 dossiers" in out.getvalue()
    assert Dossier.objects.count() == 0 and DossierStep.objects.count() == 0 and Rating.objects.count() == 0
    assert not PaymentIntent.objects.exists()
    assert synthetic_pool().count() == 0
    assert User.objects.count() == real_users  # the demo accounts stay
    assert DossierCounter.objects.count() == counters  # numbers are never reused


def test_purge_synthetic_also_removes_synthetic_field_reports_first(scaled):
    from tinhso.feedback.models import Report
    from tinhso.feedback.synthetic import synthetic_generate, synthetic_reports

    real_reports = Report.objects.count()
    synthetic_generate(n=40, seed=3)
    assert synthetic_reports().count() == 40
    call_command("demo", "--scale", "0", "--purge-synthetic", stdout=StringIO())
    assert synthetic_reports().count() == 0 and synthetic_pool().count() == 0
    assert Report.objects.count() == real_reports  # the demo's real sample reports stay


def test_scale_rejects_negative(db):
    with pytest.raises(CommandError):
        call_command("demo", "--scale", "-1", stdout=StringIO())
    assert not Dossier.objects.exists()
