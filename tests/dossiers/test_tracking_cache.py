"""The public tracking API answers from a cache that every change a tracker can see clears on commit."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import Client

from tests.dossiers.factories import received_dossier, submitted_dossier
from tinhso.dossiers import services
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.selectors import dossier_track


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _track(client: Client, dossier, *, secret=None, lang=None):
    headers = {"HTTP_COOKIE": f"django_language={lang}"} if lang else {}
    return client.get(f"/api/v1/dossiers/tracking/{quote(dossier.code)}",
                      {"secret": secret if secret is not None else dossier.tracking_secret}, **headers)


def test_answer_is_the_selectors_view_and_a_hit_costs_no_query(
        agency, free_procedure, django_assert_num_queries):
    d = submitted_dossier(free_procedure, agency)
    client = Client()
    first = _track(client, d)
    assert first.status_code == 200 and first["Content-Type"].startswith("application/json")
    view = dossier_track(code=d.code, secret=d.tracking_secret)
    body = first.json()
    assert body["code"] == view["code"] and body["status"] == view["status"] == "submitted"
    assert [h["status"] for h in body["history"]] == ["submitted"]
    assert set(body) == {"code", "procedure", "procedure_code", "agency", "status", "status_label", "submitted_at",
                         "received_at", "due_at", "finished_at", "returned_at", "is_overdue", "history"}
    with django_assert_num_queries(0):
        second = _track(client, d)
    assert second.content == first.content


def test_a_transition_is_visible_at_once(agency, team, free_procedure, django_capture_on_commit_callbacks):
    d = submitted_dossier(free_procedure, agency)
    client = Client()
    assert _track(client, d).json()["status"] == "submitted"
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_receive(dossier=d, actor=team.clerk)
    body = _track(client, d).json()
    assert body["status"] == "processing" and body["received_at"] and body["due_at"]
    assert [h["status"] for h in body["history"]] == ["submitted", "processing"]


def test_the_overdue_flag_is_visible_at_once(agency, team, free_procedure, django_capture_on_commit_callbacks):
    d = received_dossier(free_procedure, agency, team)
    client = Client()
    assert _track(client, d).json()["is_overdue"] is False
    d.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.dossiers_mark_overdue(now=d.due_at + dt.timedelta(minutes=1)) == 1
    assert _track(client, d).json()["is_overdue"] is True


def test_a_new_due_date_is_visible_at_once(agency, team, free_procedure, django_capture_on_commit_callbacks):
    d = received_dossier(free_procedure, agency, team)
    client = Client()
    before = _track(client, d).json()["due_at"]
    d.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
            services.dossier_apologise(dossier=d, actor=team.clerk, reason="Cần xác minh thêm",
                                   new_due_at=d.due_at + dt.timedelta(days=5))
    assert _track(client, d).json()["due_at"] != before


def test_wrong_secret_is_refused_also_when_the_answer_is_cached(agency, free_procedure):
    d = submitted_dossier(free_procedure, agency)
    client = Client()
    assert _track(client, d).status_code == 200
    wrong = "AAAAAAAA" if d.tracking_secret != "AAAAAAAA" else "BBBBBBBB"
    resp = _track(client, d, secret=wrong)
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "dossier_not_found"
    assert d.code not in resp.content.decode()
    assert client.get("/api/v1/dossiers/tracking/KHONG-CO", {"secret": "AAAAAAAA"}).status_code == 404


def test_drafts_are_not_tracked(agency, free_procedure, citizen):
    d = services.dossier_save_draft(applicant=citizen, procedure=free_procedure, agency=agency, form_data={})
    Dossier.objects.filter(pk=d.pk).update(code="DRAFT-CODE-1", tracking_secret="AAAAAAAA")
    resp = Client().get("/api/v1/dossiers/tracking/DRAFT-CODE-1", {"secret": "AAAAAAAA"})
    assert resp.status_code == 404


def test_each_language_has_its_own_answer(agency, free_procedure):
    d = submitted_dossier(free_procedure, agency)
    client = Client()
    vi = _track(client, d, lang="vi").json()["status_label"]
    en = _track(client, d, lang="en").json()["status_label"]
    assert (vi, en) == ("Chờ tiếp nhận", "Awaiting receipt")
    assert _track(client, d, lang="vi").json()["status_label"] == vi


def test_no_personal_data_in_the_cached_answer(agency, team, free_procedure):
    from tests.factories import UserFactory

    applicant = UserFactory(full_name="Trần Thị Bí Mật")
    d = received_dossier(free_procedure, agency, team, applicant)
    text = _track(Client(), d).content.decode()
    for private in ("Trần Thị Bí Mật", applicant.email, d.tracking_secret, team.clerk.full_name):
        assert private not in text
    assert json.loads(text)["status"] == "processing"


def test_the_cached_answer_is_dropped_on_commit_only(agency, team, free_procedure,
                                                      django_capture_on_commit_callbacks):
    """The entry is deleted when the change commits, never earlier, and not for a rollback."""
    from django.conf import settings
    from django.db import transaction

    from tinhso.dossiers.tracking import cache_key

    d = submitted_dossier(free_procedure, agency)
    key = cache_key(code=d.code, language=settings.LANGUAGE_CODE)
    client = Client()
    assert _track(client, d).json()["status"] == "submitted"
    assert cache.get(key) is not None
    with pytest.raises(RuntimeError), transaction.atomic():
        services.dossier_receive(dossier=d, actor=team.clerk)
        raise RuntimeError("roll back")
    assert cache.get(key) is not None  # rolled back: nothing to forget
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.dossier_receive(dossier=d, actor=team.clerk)
        assert cache.get(key) is not None  # not before the commit
    for callback in callbacks:
        callback()
    assert cache.get(key) is None
    assert _track(client, d).json()["status"] == "processing"
