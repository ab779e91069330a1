"""Concurrent writers must still produce one valid chain (PostgreSQL: real row locks)."""

import threading

import pytest
from django.db import connection, connections, transaction

from tinhso.audit.models import AuditEvent
from tinhso.audit.services import record_event
from tinhso.audit.verification import verify_chain


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_build_a_valid_chain():
    threads_count, per_thread = 6, 15
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    record_event(actor=None, action="test.concurrent", details={"thread": n, "i": i})
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(threads_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert connection.vendor == "postgresql"
    total = threads_count * per_thread
    assert list(AuditEvent.objects.order_by("id").values_list("seq", flat=True)) == list(range(1, total + 1))
    result = verify_chain()
    assert result.ok, result.problems
    assert result.count == total
