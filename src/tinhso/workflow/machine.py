"""A small declarative state machine shared by every service (dossiers, field reports,
documents …).

Declare the states and transitions as class attributes::

    class DossierFlow(StateMachine):
        name = "dossier"                  # audit actions are "dossier.<transition>"
        field = "status"
        states = {"draft": _("Nháp"), "submitted": _("Đã nộp"), "received": _("Đã tiếp nhận")}
        transitions = [
            Transition("submit", source=["draft"], target="submitted", label=_("Nộp hồ sơ"),
                       permission=lambda user, obj: obj.applicant_id == user.pk,
                       guards=[has_required_documents]),
            Transition("receive", source=["submitted"], target="received", label=_("Tiếp nhận")),
        ]

    DossierFlow.fire(dossier, "submit", actor=user, note="…")

``fire`` runs in one transaction: it locks the row (``select_for_update``) and re-reads the
current state from the database, so two concurrent transitions cannot both start from the same
state; it checks the transition exists for that state (Conflict), the permission (NotAllowed)
and the guards (ValidationFailed), saves the state field with ``update_fields``, writes a
:class:`~tinhso.workflow.models.TransitionLog` row and an audit event ``<flow>.<transition>``.

Hooks, all called inside the transaction with a :class:`TransitionContext`:

- ``Transition(on_enter=fn)`` and ``StateMachine.on_enter(ctx)``: after the state attribute is
  set, before the row is saved; change other fields of ``ctx.obj`` and add their names to
  ``ctx.update_fields`` to save them in the same UPDATE.
- ``Transition(after=fn)`` and ``StateMachine.after(ctx)``: after the row and the log are
  written (enqueue notifications, compute deadlines, index for search …); the audit event is
  appended right after them, last, so the audit chain head is locked as briefly as possible.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext as _

from tinhso.core.errors import Conflict, NotAllowed, ValidationFailed

Permission = Callable[[Any, Any], bool]
Guard = Callable[..., "str | None"]
Hook = Callable[["TransitionContext"], None]

ANY_STATE = "*"


class MachineDefinitionError(TypeError):
    """A state machine class is declared wrongly (raised when the class is created)."""


@dataclass(frozen=True)
class Transition:
    name: str
    source: Sequence[str] | str
    target: str
    label: Any = ""
    permission: Permission | None = None
    guards: Sequence[Guard] = ()
    on_enter: Hook | None = None
    after: Hook | None = None
    description: Any = ""

    @property
    def sources(self) -> tuple[str, ...]:
        if isinstance(self.source, str):
            return (self.source,)
        return tuple(self.source)

    def applies_to(self, state: str) -> bool:
        return ANY_STATE in self.sources or state in self.sources

    def allowed_for(self, user, obj) -> bool:
        """Without a permission callable the transition is open to any actor: the calling
        service is then responsible for checking who may fire it."""
        if self.permission is None:
            return True
        try:
            return bool(self.permission(user, obj))
        except (AttributeError, TypeError):
            # e.g. an anonymous user without the attributes the check reads
            return False


@dataclass
class TransitionContext:
    flow: type[StateMachine]
    transition: Transition
    obj: models.Model
    actor: Any
    from_state: str
    to_state: str
    note: str = ""
    data: dict = field(default_factory=dict)
    request: Any = None
    update_fields: set[str] = field(default_factory=set)
    log: Any = None  # the TransitionLog row, set before the ``after`` hooks run


_NAME = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


def _default_name(cls_name: str) -> str:
    base = cls_name[:-4] if cls_name.endswith("Flow") and len(cls_name) > 4 else cls_name
    return re.sub(r"(?<!^)(?=[A-Z])", "_", base).lower()


class StateMachine:
    """Subclass it and declare ``field``, ``states`` and ``transitions`` (see module doc)."""

    name: ClassVar[str] = ""
    field: ClassVar[str] = ""
    states: ClassVar[Mapping[str, Any]] = {}
    transitions: ClassVar[Sequence[Transition]] = []
    # A readable name of the object for messages ("hồ sơ", "phản ánh" …).
    object_label: ClassVar[Any] = ""

    def __init_subclass__(cls, abstract: bool = False, **kwargs):
        super().__init_subclass__(**kwargs)
        if abstract:  # ``class BaseFlow(StateMachine, abstract=True)``: shared hooks, no states
            return
        if not cls.__dict__.get("name"):
            cls.name = _default_name(cls.__name__)
        _validate(cls)

    # --- reading ----------------------------------------------------------------------------

    @classmethod
    def state_of(cls, obj) -> str:
        return getattr(obj, cls.field)

    @classmethod
    def state_label(cls, state: str) -> str:
        return str(cls.states.get(state, state))

    @classmethod
    def get_transition(cls, name: str, state: str) -> Transition | None:
        for t in cls.transitions:
            if t.name == name and t.applies_to(state):
                return t
        return None

    @classmethod
    def transition_label(cls, name: str) -> str:
        for t in cls.transitions:
            if t.name == name:
                return str(t.label or t.name)
        return name

    @classmethod
    def available(cls, obj, user) -> list[Transition]:
        """Transitions ``user`` may fire on ``obj`` in its current (in-memory) state, in
        declaration order: for showing buttons. Guards are not evaluated (they may need input
        that only the form provides); ``fire`` checks them."""
        state = cls.state_of(obj)
        return [t for t in cls.transitions if t.applies_to(state) and t.allowed_for(user, obj)]

    @classmethod
    def history(cls, obj):
        """This flow's TransitionLog rows for ``obj``, oldest first."""
        from .models import TransitionLog

        return TransitionLog.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk), flow=cls.name
        ).select_related("actor").order_by("at", "id")

    # --- hooks (override in subclasses) -----------------------------------------------------

    @classmethod
    def on_enter(cls, ctx: TransitionContext) -> None:
        """Called for every transition before the row is saved."""

    @classmethod
    def after(cls, ctx: TransitionContext) -> None:
        """Called for every transition after the row and the log are saved (the audit event is
        appended right after the hooks, in the same transaction)."""

    # --- firing -----------------------------------------------------------------------------

    @classmethod
    def fire(cls, obj, transition: str, *, actor, note: str = "", data: dict | None = None, request=None,
             locked: bool = False, also_save: Sequence[str] = ()):
        """Fire ``transition`` on ``obj`` and return the TransitionLog row. ``obj`` is updated in
        place (its state attribute and any fields the hooks changed).

        By default the row is re-read with ``SELECT … FOR UPDATE`` inside a savepoint, so the
        transition starts from the state really stored. ``locked=True`` is for a caller that
        already holds the row lock in its own transaction (or created the row in it): the
        in-memory state is used and no savepoint is taken, so any error rolls back the caller's
        whole transaction. ``also_save`` names fields the caller changed on ``obj`` that are
        written with the state in the same UPDATE.

        The audit event is appended last, after the ``after`` hooks: the audit chain head stays
        locked from that append until the transaction commits, so it is held as briefly as
        possible."""
        from tinhso.audit.services import record_event

        from .models import TransitionLog

        if obj.pk is None:
            raise ValidationFailed(_("Đối tượng chưa được lưu."))
        if data is not None and not isinstance(data, dict):
            raise ValidationFailed(_("Dữ liệu kèm theo phải là một đối tượng JSON."))
        note = (note or "").strip()
        data = dict(data or {})
        with transaction.atomic(savepoint=not locked):
            if locked:
                current = cls.state_of(obj)
            else:
                current = (
                    type(obj)._default_manager.select_for_update()
                    .filter(pk=obj.pk)
                    .values_list(cls.field, flat=True)
                    .first()
                )
                if current is None:
                    raise Conflict(_("Đối tượng không còn tồn tại."))
                setattr(obj, cls.field, current)
            t = cls.get_transition(transition, current)
            if t is None:
                raise Conflict(
                    _("Không thể thực hiện «%(action)s» khi %(object)s đang ở trạng thái «%(state)s».")
                    % {
                        "action": cls.transition_label(transition),
                        "object": str(cls.object_label or _("đối tượng")),
                        "state": cls.state_label(current),
                    },
                    details={"transition": transition, "state": current},
                )
            if not t.allowed_for(actor, obj):
                raise NotAllowed(
                    _("Bạn không có quyền thực hiện «%(action)s».") % {"action": str(t.label or t.name)},
                    details={"transition": t.name},
                )
            errors = [msg for guard in t.guards if (msg := guard(obj, actor=actor, note=note, data=data, transition=t.name))]
            if errors:
                raise ValidationFailed(str(errors[0]), details={"transition": t.name, "errors": [str(e) for e in errors]})

            ctx = TransitionContext(
                flow=cls, transition=t, obj=obj, actor=actor, from_state=current, to_state=t.target,
                note=note, data=data, request=request, update_fields={cls.field, *also_save},
            )
            setattr(obj, cls.field, t.target)
            if t.on_enter:
                t.on_enter(ctx)
            cls.on_enter(ctx)
            obj.save(update_fields=sorted(ctx.update_fields))

            log = TransitionLog.objects.create(
                content_type=ContentType.objects.get_for_model(obj),
                object_id=str(obj.pk),
                flow=cls.name,
                transition=t.name,
                from_state=current,
                to_state=t.target,
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                note=note,
                data=data,
            )
            ctx.log = log
            details = {"flow": cls.name, "transition": t.name, "from": current, "to": t.target, "log_id": log.pk}
            if note:
                details["note"] = note
            if data:
                details["data"] = data
            if t.after:
                t.after(ctx)
            cls.after(ctx)
            record_event(actor=actor, action=f"{cls.name}.{t.name}", obj=obj, details=details, request=request)
        return log


def _validate(cls: type[StateMachine]) -> None:
    where = cls.__name__
    if not _NAME.match(cls.name):
        raise MachineDefinitionError(f"{where}.name must be a short snake_case name, got {cls.name!r}")
    if not cls.field or not isinstance(cls.field, str):
        raise MachineDefinitionError(f"{where}.field must name the model field holding the state")
    if not cls.states or not isinstance(cls.states, Mapping):
        raise MachineDefinitionError(f"{where}.states must be a non-empty mapping of state → label")
    if ANY_STATE in cls.states:
        raise MachineDefinitionError(f"{where}: {ANY_STATE!r} is reserved for 'any state'")
    for state in cls.states:
        if not isinstance(state, str) or not state or len(state) > 40:
            raise MachineDefinitionError(f"{where}: state names are non-empty strings of at most 40 chars")
    seen: dict[str, list[tuple[str, ...]]] = {}
    for t in cls.transitions:
        if not isinstance(t, Transition):
            raise MachineDefinitionError(f"{where}.transitions must hold Transition objects")
        if not _NAME.match(t.name):
            raise MachineDefinitionError(f"{where}: transition name {t.name!r} must be snake_case")
        if t.target not in cls.states:
            raise MachineDefinitionError(f"{where}: transition {t.name!r} targets unknown state {t.target!r}")
        if not t.sources:
            raise MachineDefinitionError(f"{where}: transition {t.name!r} has no source state")
        for s in t.sources:
            if s != ANY_STATE and s not in cls.states:
                raise MachineDefinitionError(f"{where}: transition {t.name!r} starts from unknown state {s!r}")
        if t.permission is not None and not callable(t.permission):
            raise MachineDefinitionError(f"{where}: transition {t.name!r} permission must be callable")
        if not isinstance(t.guards, Iterable) or not all(callable(g) for g in t.guards):
            raise MachineDefinitionError(f"{where}: transition {t.name!r} guards must be callables")
        # One name may appear several times (e.g. "approve" at each level) if no state is
        # ambiguous: from any state a name leads to at most one transition.
        previous = seen.setdefault(t.name, [])
        for other in previous:
            if ANY_STATE in other or ANY_STATE in t.sources or set(other) & set(t.sources):
                raise MachineDefinitionError(
                    f"{where}: transition {t.name!r} is declared twice for the same source state"
                )
        previous.append(t.sources)
