import json
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from tinhso.audit.hashing import event_hash
from tinhso.audit.models import AppendOnlyError, AuditChainHead, AuditEvent
from tinhso.audit.services import record_event

from .conftest import triggers_off

pytestmark = pytest.mark.django_db


def run_verify(*args):
    from io import StringIO

    out = StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out)
    except CommandError as exc:
        return False, out.getvalue(), str(exc)
    return True, out.getvalue(), ""


@pytest.fixture
def chain(make_user):
    user = make_user()
    events = [
        record_event(actor=user, action="user.login"),
        record_event(actor=None, action="system.tick", details={"n": 1}),
        record_event(actor=user, action="dossier.receive", obj=user, details={"note": "Hồ sơ đầy đủ"}),
        record_event(actor=user, action="file.upload", details={"size": 10, "when": uuid.UUID(int=1)}),
        record_event(actor=user, action="user.logout"),
    ]
    return user, events


def test_events_form_a_continuous_linked_chain(chain):
    _user, events = chain
    stored = list(AuditEvent.objects.order_by("id"))
    assert [e.seq for e in stored] == [1, 2, 3, 4, 5]
    assert stored[0].prev_hash == ""
    for prev, cur in zip(stored, stored[1:], strict=False):
        assert cur.prev_hash == prev.hash
    for event in stored:
        assert event_hash(event) == event.hash
        assert len(event.hash) == 64
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (5, stored[-1].hash)


def test_event_describes_actor_object_and_keeps_unicode(chain):
    user, _events = chain
    event = AuditEvent.objects.get(action="dossier.receive")
    assert event.actor == user
    assert str(user.public_id) in event.actor_repr
    assert event.object_type == "accounts.user"
    assert event.object_id == str(user.pk)
    assert event.details == {"note": "Hồ sơ đầy đủ"}
    assert AuditEvent.objects.get(action="system.tick").actor_repr == "system"
    assert AuditEvent.objects.get(action="file.upload").details["when"] == str(uuid.UUID(int=1))


def test_verify_ok(chain):
    ok, out, _err = run_verify()
    assert ok
    assert "OK: 5 events verified" in out


def test_verify_json(chain):
    ok, out, _err = run_verify("--json")
    assert ok
    data = json.loads(out)
    assert data["ok"] is True and data["count"] == 5 and data["problems"] == []
    assert data["last_seq"] == 5


def test_verify_empty_chain_is_ok(db):
    ok, out, _err = run_verify()
    assert ok and "OK: 0 events verified" in out


def test_request_ip_and_user_agent_are_recorded(make_user):
    request = RequestFactory().get("/", REMOTE_ADDR="203.113.1.9", HTTP_USER_AGENT="Mozilla/5.0 Điện thoại")
    event = record_event(actor=make_user(), action="user.login", request=request)
    event.refresh_from_db()
    assert event.ip == "203.113.1.9"
    assert event.user_agent == "Mozilla/5.0 Điện thoại"
    request6 = RequestFactory().get("/", REMOTE_ADDR="2001:db8:0:0:0:0:0:1")
    record_event(actor=None, action="user.login", request=request6)
    assert run_verify()[0]


def test_secrets_are_never_stored(make_user):
    details = {
        "password": "hunter2",
        "new_password": "x",
        "accessToken": "t",
        "otp": "123456",
        "otp_code": "654321",
        "client_secret": "s",
        "nested": {"api_key": "k", "ok": 1, "items": [{"token": "z", "name": "a"}]},
        "footprint": "kept",
        "phone": "0912345678",
    }
    event = record_event(actor=make_user(), action="user.password_change", details=details)
    event.refresh_from_db()
    assert event.details == {"nested": {"ok": 1, "items": [{"name": "a"}]}, "footprint": "kept",
                             "phone": "0912345678"}
    assert "hunter2" not in json.dumps(event.details)


def test_existing_event_cannot_be_saved_or_deleted(chain):
    event = AuditEvent.objects.first()
    event.action = "forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 5
    assert run_verify()[0]


def test_database_trigger_refuses_raw_update(chain):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'forged' WHERE seq = 2")
    assert AuditEvent.objects.get(seq=2).action == "system.tick"


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_database_trigger_refuses_raw_delete_on_postgresql(chain):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 2")
    assert AuditEvent.objects.count() == 5


def test_deleting_the_actor_keeps_the_chain_valid(chain):
    user, _events = chain
    user.delete()
    assert AuditEvent.objects.filter(actor__isnull=False).count() == 0
    assert AuditEvent.objects.filter(actor_repr__contains=str(user.public_id)).count() == 4
    assert run_verify()[0]


def test_tampered_row_is_named(chain):
    target = AuditEvent.objects.get(seq=3)
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_repr = %s WHERE seq = 3", ["giả mạo"])
    ok, out, err = run_verify()
    assert not ok
    assert "FAILED" in err
    assert f"seq=3 public_id={target.public_id} action=dossier.receive" in out
    assert "altered" in out


def test_tampered_row_with_recomputed_hash_breaks_the_next_link(chain):
    target = AuditEvent.objects.get(seq=2)
    target.details = {"n": 999}
    new_hash = event_hash(target)
    with triggers_off(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("UPDATE audit_auditevent SET details = %s::jsonb, hash = %s WHERE seq = 2",
                           [json.dumps({"n": 999}), new_hash])
        else:
            cursor.execute("UPDATE audit_auditevent SET details = %s, hash = %s WHERE seq = 2",
                           [json.dumps({"n": 999}), new_hash])
    ok, out, _err = run_verify()
    assert not ok
    successor = AuditEvent.objects.get(seq=3)
    assert f"seq=3 public_id={successor.public_id}" in out


def test_deleted_middle_row_is_detected(chain):
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 3")
    ok, out, _err = run_verify("--json")
    assert not ok
    problems = json.loads(out)["problems"]
    assert [p["kind"] for p in problems] == ["deleted"]
    assert problems[0]["seq"] == 4
    assert "seq 3" in problems[0]["message"]


def test_deleted_last_row_is_detected(chain):
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 5")
    ok, out, _err = run_verify()
    assert not ok
    assert "seq=5" in out and "[deleted]" in out


def test_forged_inserted_row_is_detected(chain):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (seq, public_id, occurred_at, actor_repr, action, object_type,"
            " object_id, object_repr, user_agent, details, prev_hash, hash)"
            " VALUES (6, %s, %s, 'system', 'user.grant_admin', '', '', '', '', %s, %s, %s)",
            [uuid.uuid4().hex if connection.vendor == "sqlite" else str(uuid.uuid4()),
             "2025-01-01 00:00:00+00:00", "{}", "0" * 64, "f" * 64],
        )
    ok, out, _err = run_verify()
    assert not ok
    assert "seq=6" in out and "action=user.grant_admin" in out


def test_trigger_allows_only_nulling_the_actor(chain):
    user, _events = chain
    other = type(user).objects.create_user(email="other-actor@example.vn", full_name="Khác")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET actor_id = %s WHERE seq = 1", [other.pk])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET actor_id = NULL WHERE actor_id = %s", [user.pk])
    assert AuditEvent.objects.filter(actor__isnull=False).count() == 0
    assert run_verify()[0]


# --- parallel chains -----------------------------------------------------------------------------


def _append_on(chain_number, action, monkeypatch):
    from tinhso.audit import services

    monkeypatch.setattr(services, "current_chain", lambda: chain_number)
    return record_event(actor=None, action=action)


def test_events_of_several_chains_verify_and_each_head_matches(db, monkeypatch):
    for i in range(3):
        _append_on(1, f"test.one.{i}", monkeypatch)
        _append_on(4, f"test.four.{i}", monkeypatch)
    assert list(AuditEvent.objects.filter(chain=4).order_by("id").values_list("seq", flat=True)) == [1, 2, 3]
    assert dict(AuditChainHead.objects.values_list("id", "last_seq")) == {1: 3, 4: 3}
    ok, out, _err = run_verify("--json")
    assert ok
    data = json.loads(out)
    assert data["count"] == 6 and set(data["chains"]) == {"1", "4"}


def test_chain_number_is_covered_by_the_hash_from_chain_two(db, monkeypatch):
    from tinhso.audit.hashing import HASHED_FIELDS, compute_hash

    one = _append_on(1, "test.one", monkeypatch)
    two = _append_on(2, "test.two", monkeypatch)
    values = {name: getattr(one, name) for name in HASHED_FIELDS}
    assert compute_hash(values, one.prev_hash) == one.hash  # chain 1: the original form
    values = {name: getattr(two, name) for name in HASHED_FIELDS}
    assert compute_hash(values, two.prev_hash) != two.hash
    assert compute_hash({**values, "chain": 2}, two.prev_hash) == two.hash


def test_moving_an_event_to_another_chain_is_detected(db, monkeypatch):
    _append_on(2, "test.a", monkeypatch)
    _append_on(3, "test.b", monkeypatch)
    with triggers_off(), connection.cursor() as cursor:  # an attacker with database rights
        cursor.execute("UPDATE audit_auditevent SET chain = 5 WHERE action = 'test.b'")
    ok, out, _err = run_verify()
    assert not ok
    assert "chain=5" in out and "chuỗi 3" in out  # altered hash, and chain 3's head without events


def test_deleted_chain_head_is_detected(db, monkeypatch):
    _append_on(6, "test.a", monkeypatch)
    AuditChainHead.objects.filter(pk=6).delete()
    ok, out, _err = run_verify()
    assert not ok and "chuỗi 6" in out


def test_a_thread_keeps_its_chain_and_one_chain_setting_means_chain_one(db, settings):
    import threading

    from tinhso.audit.services import current_chain

    settings.TINHSO_AUDIT_CHAINS = 8
    mine = current_chain()
    assert mine == current_chain() and 1 <= mine <= 8
    seen = set()
    barrier = threading.Barrier(12)  # all alive at once: no reused thread identifiers

    def look():
        seen.add(current_chain())
        barrier.wait(5)

    threads = [threading.Thread(target=look) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) > 1  # other threads spread over other chains
    settings.TINHSO_AUDIT_CHAINS = 1
    assert current_chain() == 1
