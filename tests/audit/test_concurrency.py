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
    # Each thread appends to its own chain; every chain is continuous from 1 in append order.
    by_chain: dict[int, list[int]] = {}
    for chain, seq in AuditEvent.objects.order_by("id").values_list("chain", "seq"):
        by_chain.setdefault(chain, []).append(seq)
    assert all(seqs == list(range(1, len(seqs) + 1)) for seqs in by_chain.values()), by_chain
    assert sum(len(seqs) for seqs in by_chain.values()) == total
    result = verify_chain()
    assert result.ok, result.problems
    assert result.count == total


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_appends_on_different_chains_do_not_wait_for_each_other(settings):
    """A transaction holding chain A's head does not block an append to chain B."""
    from tinhso.audit import services

    settings.TINHSO_AUDIT_CHAINS = 8
    chains = iter([3, 5])
    holding = threading.Event()
    release = threading.Event()
    done: list[int] = []
    errors: list[BaseException] = []

    def hold() -> None:
        try:
            with transaction.atomic():
                record_event(actor=None, action="test.hold")
                holding.set()
                release.wait(10)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    def append() -> None:
        try:
            holding.wait(10)
            with transaction.atomic():
                record_event(actor=None, action="test.other")
            done.append(1)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    original = services.current_chain
    local = threading.local()

    def fixed_chain() -> int:
        if not hasattr(local, "chain"):
            local.chain = next(chains)
        return local.chain

    services.current_chain = fixed_chain
    try:
        a = threading.Thread(target=hold)
        a.start()
        holding.wait(10)
        b = threading.Thread(target=append)
        b.start()
        b.join(5)
        finished_while_held = bool(done)
        release.set()
        a.join(10)
        b.join(10)
    finally:
        services.current_chain = original
    assert not errors
    assert finished_while_held
    assert sorted(AuditEvent.objects.values_list("chain", flat=True)) == [3, 5]
    assert verify_chain().ok
