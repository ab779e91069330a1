"""The declarative state machine: definition checks, firing, permissions, guards, hooks,
history, audit, and concurrent transitions."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections  # noqa: F401 (connection: skipif)
from django.utils.translation import gettext_lazy as _

from tinhso.audit.models import AuditEvent
from tinhso.core.errors import Conflict, NotAllowed, ValidationFailed
from tinhso.workflow.machine import MachineDefinitionError, StateMachine, Transition
from tinhso.workflow.models import TransitionLog

from .conftest import Ticket

pytestmark = pytest.mark.django_db


def is_official(user, obj) -> bool:
    return user.kind == "official"


def needs_title(obj, **kw):
    return None if obj.title else "Cần có tiêu đề trước khi nộp."


def needs_reason(obj, *, data, **kw):
    return None if data.get("reason") else "Cần nêu lý do từ chối."


def remember_handler(ctx):
    ctx.obj.handled_by = ctx.actor.full_name
    ctx.update_fields.add("handled_by")


after_calls: list = []


class TicketFlow(StateMachine):
    field = "status"
    object_label = _("hồ sơ")
    states = {
        "draft": _("Nháp"),
        "submitted": _("Đã nộp"),
        "received": _("Đã tiếp nhận"),
        "refused": _("Từ chối"),
        "cancelled": _("Đã hủy"),
    }
    transitions = [
        Transition("submit", source=["draft"], target="submitted", label=_("Nộp hồ sơ"), guards=[needs_title]),
        Transition(
            "receive", source=["submitted"], target="received", label=_("Tiếp nhận"),
            permission=is_official, on_enter=remember_handler,
            after=lambda ctx: after_calls.append((ctx.obj.pk, ctx.log.pk)),
        ),
        Transition("refuse", source="submitted", target="refused", label=_("Từ chối"),
                   permission=is_official, guards=[needs_reason]),
        Transition("cancel", source=["draft", "submitted"], target="cancelled", label=_("Hủy")),
    ]


@pytest.fixture
def ticket(db) -> Ticket:
    return Ticket.objects.create(title="Đăng ký khai sinh")


# --- definition ---------------------------------------------------------------------------


def test_name_defaults_from_class_name():
    assert TicketFlow.name == "ticket"


@pytest.mark.parametrize(
    "transitions, message",
    [
        ([Transition("go", source=["draft"], target="nowhere")], "unknown state 'nowhere'"),
        ([Transition("go", source=["limbo"], target="done")], "unknown state 'limbo'"),
        ([Transition("Go!", source=["draft"], target="done")], "snake_case"),
        (
            [Transition("go", source=["draft"], target="done"), Transition("go", source=["draft"], target="draft")],
            "declared twice",
        ),
        ([Transition("go", source=["draft"], target="done", guards=["nope"])], "guards"),
    ],
)
def test_bad_definitions_fail_at_class_creation(transitions, message):
    with pytest.raises(MachineDefinitionError, match=message):
        type("Broken", (StateMachine,), {"field": "status", "states": {"draft": "Nháp", "done": "Xong"},
                                         "transitions": transitions})


def test_same_name_from_different_states_is_allowed():
    class Approvals(StateMachine):
        field = "status"
        states = {"a": "A", "b": "B", "c": "C"}
        transitions = [Transition("approve", source="a", target="b"), Transition("approve", source="b", target="c")]

    assert Approvals.get_transition("approve", "b").target == "c"


def test_missing_field_or_states_fail():
    with pytest.raises(MachineDefinitionError):

        class NoField(StateMachine):
            states = {"a": "A"}

    with pytest.raises(MachineDefinitionError):

        class NoStates(StateMachine):
            field = "status"


def test_abstract_base_is_not_validated():
    class Base(StateMachine, abstract=True):
        pass

    class Concrete(Base):
        field = "status"
        states = {"a": "A"}

    assert Concrete.name == "concrete"


# --- firing -------------------------------------------------------------------------------


def test_fire_changes_state_logs_and_audits(ticket, citizen):
    log = TicketFlow.fire(ticket, "submit", actor=citizen, note="nộp trực tuyến", data={"channel": "online"})

    assert ticket.status == "submitted"
    assert Ticket.objects.get(pk=ticket.pk).status == "submitted"
    assert (log.flow, log.transition, log.from_state, log.to_state) == ("ticket", "submit", "draft", "submitted")
    assert log.actor == citizen and log.note == "nộp trực tuyến" and log.data == {"channel": "online"}
    event = AuditEvent.objects.get(action="ticket.submit")
    assert event.actor == citizen
    assert event.object_id == str(ticket.pk)
    assert event.details["from"] == "draft" and event.details["to"] == "submitted"


def test_wrong_state_is_a_conflict_in_vietnamese_and_changes_nothing(ticket, clerk):
    with pytest.raises(Conflict) as info:
        TicketFlow.fire(ticket, "receive", actor=clerk)
    assert str(info.value) == "Không thể thực hiện «Tiếp nhận» khi hồ sơ đang ở trạng thái «Nháp»."
    assert Ticket.objects.get(pk=ticket.pk).status == "draft"
    assert not TransitionLog.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="ticket.").exists()


def test_unknown_transition_is_a_conflict(ticket, citizen):
    with pytest.raises(Conflict):
        TicketFlow.fire(ticket, "teleport", actor=citizen)


def test_permission_denied_changes_nothing(ticket, citizen):
    TicketFlow.fire(ticket, "submit", actor=citizen)
    with pytest.raises(NotAllowed, match="Tiếp nhận"):
        TicketFlow.fire(ticket, "receive", actor=citizen)
    assert Ticket.objects.get(pk=ticket.pk).status == "submitted"
    assert TransitionLog.objects.count() == 1
    assert not AuditEvent.objects.filter(action="ticket.receive").exists()


def test_anonymous_actor_fails_permission_checks(ticket, citizen):
    from django.contrib.auth.models import AnonymousUser

    TicketFlow.fire(ticket, "submit", actor=citizen)
    with pytest.raises(NotAllowed):
        TicketFlow.fire(ticket, "receive", actor=AnonymousUser())


def test_guard_message_is_a_validation_error(citizen, clerk):
    ticket = Ticket.objects.create(title="")
    with pytest.raises(ValidationFailed, match="Cần có tiêu đề"):
        TicketFlow.fire(ticket, "submit", actor=citizen)
    assert Ticket.objects.get(pk=ticket.pk).status == "draft"

    ticket.title = "Có tiêu đề"
    ticket.save()
    TicketFlow.fire(ticket, "submit", actor=citizen)
    with pytest.raises(ValidationFailed, match="lý do"):
        TicketFlow.fire(ticket, "refuse", actor=clerk, data={})
    TicketFlow.fire(ticket, "refuse", actor=clerk, data={"reason": "Thiếu giấy tờ"})
    assert Ticket.objects.get(pk=ticket.pk).status == "refused"


def test_state_is_reread_from_the_database(ticket, citizen):
    stale = Ticket.objects.get(pk=ticket.pk)
    TicketFlow.fire(ticket, "submit", actor=citizen)
    assert stale.status == "draft"
    with pytest.raises(Conflict, match="Đã nộp"):
        TicketFlow.fire(stale, "submit", actor=citizen)
    assert stale.status == "submitted"  # refreshed in place
    assert TransitionLog.objects.count() == 1


def test_on_enter_and_after_hooks(ticket, citizen, clerk):
    after_calls.clear()
    TicketFlow.fire(ticket, "submit", actor=citizen)
    log = TicketFlow.fire(ticket, "receive", actor=clerk)
    row = Ticket.objects.get(pk=ticket.pk)
    assert row.status == "received"
    assert row.handled_by == "Trần Thị Cán Bộ"
    assert after_calls == [(ticket.pk, log.pk)]


def test_only_the_state_field_is_saved(ticket, citizen):
    ticket.title = "sửa nhưng chưa lưu"
    TicketFlow.fire(ticket, "submit", actor=citizen)
    assert Ticket.objects.get(pk=ticket.pk).title == "Đăng ký khai sinh"


def test_available_lists_what_the_user_may_fire(ticket, citizen, clerk):
    assert [t.name for t in TicketFlow.available(ticket, citizen)] == ["submit", "cancel"]
    TicketFlow.fire(ticket, "submit", actor=citizen)
    assert [t.name for t in TicketFlow.available(ticket, citizen)] == ["cancel"]
    assert [t.name for t in TicketFlow.available(ticket, clerk)] == ["receive", "refuse", "cancel"]


def test_history_in_order(ticket, citizen, clerk):
    TicketFlow.fire(ticket, "submit", actor=citizen)
    TicketFlow.fire(ticket, "receive", actor=clerk)
    other = Ticket.objects.create(title="khác")
    TicketFlow.fire(other, "cancel", actor=citizen)
    assert [(h.transition, h.actor) for h in TicketFlow.history(ticket)] == [("submit", citizen), ("receive", clerk)]


def test_bad_data_is_rejected(ticket, citizen):
    with pytest.raises(ValidationFailed):
        TicketFlow.fire(ticket, "submit", actor=citizen, data=["not", "a", "dict"])
    assert Ticket.objects.get(pk=ticket.pk).status == "draft"


def test_deleted_object_is_a_conflict(ticket, citizen):
    Ticket.objects.filter(pk=ticket.pk).delete()
    with pytest.raises(Conflict):
        TicketFlow.fire(ticket, "submit", actor=citizen)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite serialises writers with BEGIN IMMEDIATE")
@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_only_one_wins():
    from tinhso.accounts.models import User

    clerk = User.objects.create_user(email="c@example.vn", full_name="Cán bộ", kind="official")
    ticket = Ticket.objects.create(title="x", status="submitted")
    workers = 6
    barrier = threading.Barrier(workers)
    outcomes: list[str] = []

    def worker(n: int) -> None:
        try:
            copy = Ticket.objects.get(pk=ticket.pk)
            barrier.wait()
            name = "receive" if n % 2 else "cancel"
            TicketFlow.fire(copy, name, actor=clerk)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        except BaseException as exc:  # reported by the main thread
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * (workers - 1) + ["ok"]
    assert TransitionLog.objects.count() == 1
    assert Ticket.objects.get(pk=ticket.pk).status == TransitionLog.objects.get().to_state
