"""Indexing and searching on the database the suite runs on (SQLite FTS5 or PostgreSQL)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from tinhso.core.errors import ValidationFailed
from tinhso.search import registry
from tinhso.search.models import SearchDocument
from tinhso.search.selectors import search_documents
from tinhso.search.services import search_index, search_rebuild_backend, search_reindex, search_remove

from .conftest import thing

pytestmark = pytest.mark.django_db


def titles(query, **kw):
    return [h.title for h in search_documents(query=query, **kw).hits]


@pytest.fixture
def catalogue(db):
    docs = {
        "khai_sinh": search_index(
            obj=thing(), kind="procedure", title="Đăng ký khai sinh",
            body="Thủ tục cấp Giấy khai sinh cho trẻ em mới sinh, nộp tại Ủy ban nhân dân cấp xã.",
            url="/thu-tuc/dang-ky-khai-sinh",
        ),
        "dat": search_index(
            obj=thing(), kind="procedure", title="Cấp Giấy chứng nhận quyền sử dụng đất",
            body="Người sử dụng đất nộp hồ sơ tại bộ phận một cửa.", url="/thu-tuc/dat",
        ),
        "ket_hon": search_index(obj=thing(), kind="procedure", title="Đăng ký kết hôn", body="Hai bên nam nữ."),
        "agency": search_index(
            obj=thing(), kind="agency", title="Sở Tư pháp", body="Cơ quan quản lý hộ tịch, giấy khai sinh, kết hôn."
        ),
    }
    return docs


def test_without_diacritics_finds_with(catalogue):
    assert titles("giay khai sinh")[0] == "Đăng ký khai sinh"
    assert titles("Giấy khai sinh")[0] == "Đăng ký khai sinh"


def test_with_and_without_diacritics_give_the_same_results(catalogue):
    assert titles("Đăng ký") == titles("dang ky") == titles("DANG KY")
    assert set(titles("dang ky")) == {"Đăng ký khai sinh", "Đăng ký kết hôn"}


def test_d_with_stroke_folds(catalogue):
    assert titles("dat") == ["Cấp Giấy chứng nhận quyền sử dụng đất"]
    assert titles("Đất") == ["Cấp Giấy chứng nhận quyền sử dụng đất"]


def test_last_word_is_a_prefix(catalogue):
    assert titles("giay khai si")[0] == "Đăng ký khai sinh"
    assert "Đăng ký kết hôn" in titles("ket h")
    assert titles("khai sinh zz", fuzzy=False) == []  # all words must match; only the last is a prefix


def test_title_ranks_above_body(catalogue):
    # "khai sinh": in the title of the procedure, only in the body of the agency
    result = search_documents(query="khai sinh")
    assert [h.title for h in result.hits] == ["Đăng ký khai sinh", "Sở Tư pháp"]
    assert result.hits[0].score > result.hits[1].score


def test_hit_fields_and_snippet_from_original_text(catalogue):
    hit = search_documents(query="nop ho so").hits[0]
    assert hit.kind == "procedure"
    assert hit.url == "/thu-tuc/dat"
    assert hit.object_id == catalogue["dat"].object_id
    assert "nộp hồ sơ" in hit.snippet  # shown with its diacritics


@pytest.mark.parametrize(
    "query",
    ['"', "(", ")", "NEAR", "NEAR(", "*", "-", "giay -khai", "'; DROP TABLE search_searchdocument; --",
     "a" * 10_000, "giấy " * 3000, 'title:"x"', "^khai", "khai:*", "!@#$%^&*()", "\x00", "🙂", "OR AND NOT",
     "\\", "%", "_", "'", "giay'sinh", "ký & sinh | x", "<-> ! :"],
)
def test_malicious_queries_never_break(catalogue, query):
    result = search_documents(query=query)
    assert result.total >= 0
    assert SearchDocument.objects.count() == 4


def test_empty_query_finds_nothing(catalogue):
    assert search_documents(query="").total == 0
    assert search_documents(query="   ").hits == []


def test_kinds_filter(catalogue):
    assert titles("khai sinh", kinds=["agency"]) == ["Sở Tư pháp"]
    assert titles("khai sinh", kinds=["procedure"]) == ["Đăng ký khai sinh"]
    assert titles("khai sinh", kinds=["nothing"]) == []


def test_paging(catalogue):
    first = search_documents(query="dang ky", limit=1)
    second = search_documents(query="dang ky", limit=1, offset=1)
    assert first.total == second.total == 2
    assert {first.hits[0].title, second.hits[0].title} == {"Đăng ký khai sinh", "Đăng ký kết hôn"}
    assert search_documents(query="dang ky", offset=50).hits == []


def test_reindex_replaces_the_old_text(catalogue):
    obj = catalogue["ket_hon"].content_object
    search_index(obj=obj, kind="procedure", title="Ly hôn", body="")
    assert titles("ket hon", kinds=["procedure"]) == []
    assert titles("ly hon", kinds=["procedure"]) == ["Ly hôn"]
    assert SearchDocument.objects.count() == 4


def test_remove(catalogue):
    obj = catalogue["khai_sinh"].content_object
    assert search_remove(obj=obj) is True
    assert search_remove(obj=obj) is False
    assert "Đăng ký khai sinh" not in titles("khai sinh")


def test_non_public_documents_are_hidden(catalogue, agency, member, outsider, superuser):
    search_index(obj=thing(), kind="dossier", title="Hồ sơ khai sinh nội bộ", is_public=False, scope=agency.code)
    search_index(obj=thing(), kind="dossier", title="Hồ sơ khai sinh của tôi", is_public=False,
                 scope=f"user:{outsider.public_id}")

    q = "ho so khai sinh"
    assert titles(q, kinds=["dossier"]) == []
    assert titles(q, kinds=["dossier"], user=member) == []  # public_only by default
    assert titles(q, kinds=["dossier"], user=member, public_only=False) == ["Hồ sơ khai sinh nội bộ"]
    assert titles(q, kinds=["dossier"], user=outsider, public_only=False) == ["Hồ sơ khai sinh của tôi"]
    assert titles(q, kinds=["dossier"], user=None, public_only=False) == []
    assert len(titles(q, kinds=["dossier"], user=superuser, public_only=False)) == 2
    assert "Sở Tư pháp" in titles(q, user=member, public_only=False)  # public ones stay visible


def test_inactive_membership_gives_no_access(agency, member):
    from tinhso.orgs.models import Membership

    search_index(obj=thing(), kind="dossier", title="Hồ sơ nội bộ", is_public=False, scope=agency.code)
    Membership.objects.filter(user=member).update(is_active=False)
    assert titles("ho so noi bo", user=member, public_only=False) == []


@pytest.mark.parametrize("kwargs", [{"kind": "", "title": "x"}, {"kind": "procedure", "title": "  "},
                                    {"kind": "k" * 41, "title": "x"}])
def test_bad_index_calls(make_thing, kwargs):
    with pytest.raises(ValidationFailed):
        search_index(obj=make_thing(), **kwargs)
    assert not SearchDocument.objects.exists()


def test_unsaved_object_cannot_be_indexed():
    from tinhso.accounts.models import Role

    with pytest.raises(ValidationFailed):
        search_index(obj=Role(code="x", name="y"), kind="role", title="y")


def test_reindex_asks_providers_and_drops_stale(catalogue):
    kept = [thing("Cấp bản sao trích lục hộ tịch"), thing("Chứng thực chữ ký")]

    def provider():
        for obj in kept:
            yield {"obj": obj, "title": obj.name, "body": "", "url": f"/tt/{obj.pk}"}

    registry.register("procedure", provider)
    try:
        assert search_reindex(kinds=["procedure"]) == {"procedure": 2}
        assert set(SearchDocument.objects.filter(kind="procedure").values_list("title", flat=True)) == {
            "Cấp bản sao trích lục hộ tịch", "Chứng thực chữ ký"
        }
        assert titles("trich luc") == ["Cấp bản sao trích lục hộ tịch"]
        assert titles("khai sinh") == ["Sở Tư pháp"]  # the other kind is untouched
        call_command("search_reindex", "procedure")
        with pytest.raises(ValidationFailed):
            search_reindex(kinds=["unknown"])
    finally:
        registry.unregister("procedure")
    from tinhso.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="search.reindex").count() == 2


def test_rebuild_backend(catalogue):
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fts")
        assert titles("khai sinh") == []
    assert search_rebuild_backend() == 4
    assert titles("khai sinh")[0] == "Đăng ký khai sinh"
    call_command("search_reindex", "--backend-only")


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgres_typo_fallback(catalogue):
    assert titles("dang ky khai sinhh") == ["Đăng ký khai sinh"]
