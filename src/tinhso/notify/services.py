"""Every write of the notify app: enqueue (``notify``), deliver, retry, cancel, mark read.

``notify`` is called inside the caller's transaction: the outbox rows commit (or roll back)
together with the change they announce, and delivery is enqueued only after commit. Delivery is
at-least-once from the broker but has an exactly-once effect: a conditional UPDATE claims a row
(pending → sending) and only the claimer sends.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, Q
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tinhso.audit.services import record_event
from tinhso.core.errors import NotAllowed, NotFound

from .channels import DeliveryError, get_channel
from .models import ChannelName, Notification, Status

logger = logging.getLogger(__name__)

DEFAULT_CHANNELS: tuple[str, ...] = (ChannelName.IN_APP, ChannelName.EMAIL)
ENQUEUE_BATCH = 100


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_attempts() -> int:
    return _setting("TINHSO_NOTIFY_MAX_ATTEMPTS", 5)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the ``attempts``-th failed try: base, 2×base, 4×base … ≤ 6 h."""
    base = _setting("TINHSO_NOTIFY_RETRY_BASE_SECONDS", 60)
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 6 * 3600))


# --- rendering ------------------------------------------------------------------------------


def render_for(user, template_name: str, context: dict | None = None) -> tuple[str, str]:
    """Render a notification text in ``user``'s language: ``(subject, body)``.

    ``template_name`` is an event (``"dossier.received"`` → ``notify/dossier.received.txt``) or
    a template path ending in ``.txt``. The first non-empty line of the rendered text is the
    subject, the rest the body. Any app may ship its own ``templates/notify/<event>.txt``.
    """
    name = template_name if template_name.endswith(".txt") else f"notify/{template_name}.txt"
    language = getattr(user, "preferred_language", None) or settings.LANGUAGE_CODE
    template = get_template(name).template  # the Django engine's template: render without HTML escaping
    with translation.override(language):
        text = template.render(Context({**(context or {}), "recipient": user}, autoescape=False))
    lines = text.strip().splitlines()
    if not lines:
        return "", ""
    subject = lines[0].strip()
    body = "\n".join(line.rstrip() for line in lines[1:]).strip()
    return subject, body


# --- enqueue --------------------------------------------------------------------------------


def _row_dedupe_key(key: str, user_id: int, channel: str) -> str:
    full = f"{key}|u{user_id}|{channel}"
    if len(full) <= 255:
        return full
    return "sha256:" + hashlib.sha256(full.encode()).hexdigest()


def _check_internal_url(url: str) -> None:
    # Links point inside the platform: a path, never another site.
    if url and (not url.startswith("/") or url.startswith("//") or "\\" in url):
        raise ValueError(f"notification url must be an internal path, got {url!r}")


def _enqueue(ids: list[int]) -> None:
    from .tasks import deliver

    for start in range(0, len(ids), ENQUEUE_BATCH):
        batch = ids[start : start + ENQUEUE_BATCH]
        try:
            deliver.delay(batch)
        except Exception as exc:  # noqa: BLE001 - runs after commit: never fail the caller's request
            # The change is committed and the rows are pending: the periodic sweep sends them.
            logger.warning(
                "notify: could not enqueue (%s: %s), %d notification(s) left to the sweep",
                type(exc).__name__, exc, len(batch),
            )


def notify(
    *,
    recipients: Iterable,
    event: str,
    subject: str,
    body: str,
    url: str = "",
    obj=None,
    channels: Sequence[str] = DEFAULT_CHANNELS,
    dedupe_key: str | None = None,
) -> list[Notification]:
    """Write one outbox row per recipient and channel, inside the caller's transaction.

    Channels a recipient cannot receive are skipped (no email address → no email row; SMS/Zalo
    need a phone number and a configured provider); inactive users get nothing. In-app rows are
    inbox items, stored as sent; the others are delivered by Celery after commit. With a
    ``dedupe_key`` (e.g. ``f"dossier.received:{dossier.pk}"``) the same key never creates a second
    row for the same recipient and channel. Returns the rows created by this call.
    """
    if not event or not subject:
        raise ValueError("a notification needs an event and a subject")
    _check_internal_url(url)
    wanted = {name: get_channel(name) for name in dict.fromkeys(channels)}
    if obj is not None:
        content_type, object_id = ContentType.objects.get_for_model(obj), str(obj.pk)
    else:
        content_type, object_id = None, ""
    now = timezone.now()
    rows: list[Notification] = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        for name, channel in wanted.items():
            if channel is None or not channel.can_receive(user):
                continue
            in_app = name == ChannelName.IN_APP
            rows.append(
                Notification(
                    recipient=user,
                    channel=name,
                    event=event[:100],
                    subject=subject[:255],
                    body=body,
                    url=url,
                    content_type=content_type,
                    object_id=object_id,
                    status=Status.SENT if in_app else Status.PENDING,
                    sent_at=now if in_app else None,
                    created_at=now,
                    next_attempt_at=now,
                    dedupe_key=_row_dedupe_key(dedupe_key, user.pk, name) if dedupe_key else None,
                )
            )
    if not rows:
        return []
    with transaction.atomic(savepoint=False):
        if dedupe_key:
            # ON CONFLICT DO NOTHING: a row whose key exists already (an earlier or a concurrent
            # call) is skipped; the rows really inserted by this call are those with our public ids.
            Notification.objects.bulk_create(rows, ignore_conflicts=True)
            ours = dict(
                Notification.objects.filter(public_id__in=[r.public_id for r in rows]).values_list("public_id", "pk")
            )
            created = []
            for row in rows:
                if row.public_id in ours:
                    row.pk = ours[row.public_id]
                    row._state.adding = False
                    created.append(row)
        else:
            created = Notification.objects.bulk_create(rows)
        to_deliver = [r.pk for r in created if r.status == Status.PENDING]
        if to_deliver:
            transaction.on_commit(lambda: _enqueue(to_deliver))
    return created


# --- delivery -------------------------------------------------------------------------------


def _finish(notification: Notification, claimed_at, **values) -> None:
    # Conditional on our claim: a row released as stuck and re-claimed is not overwritten.
    Notification.objects.filter(pk=notification.pk, status=Status.SENDING, claimed_at=claimed_at).update(**values)


def notification_deliver(*, notification_id: int) -> str:
    """Deliver one outbox row if it is due; returns ``sent``, ``retry``, ``failed`` or ``skipped``.

    Safe to call any number of times, concurrently: only the caller whose conditional UPDATE
    moves the row from pending to sending sends it.
    """
    now = timezone.now()
    claimed = (
        Notification.objects.filter(pk=notification_id, status=Status.PENDING)
        .filter(Q(attempts=0) | Q(next_attempt_at__lte=now))
        .update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return "skipped"
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    try:
        channel = get_channel(notification.channel)
        if channel is None:
            raise DeliveryError(f"channel {notification.channel!r} has no provider configured", permanent=True)
        channel.send(notification)
    except DeliveryError as exc:
        return _fail(notification, now, str(exc), permanent=exc.permanent)
    except Exception as exc:  # a bug or an unexpected library error: retried like a transport error
        logger.exception("notify: unexpected error delivering notification %s", notification.pk)
        return _fail(notification, now, f"{type(exc).__name__}: {exc}", permanent=False)
    _finish(notification, now, status=Status.SENT, sent_at=timezone.now(), last_error="")
    return "sent"


def _fail(notification: Notification, claimed_at, error: str, *, permanent: bool) -> str:
    error = error[:2000]
    if permanent or notification.attempts >= max_attempts():
        logger.warning("notify: notification %s failed for good: %s", notification.pk, error)
        _finish(notification, claimed_at, status=Status.FAILED, last_error=error)
        return "failed"
    logger.info("notify: notification %s attempt %d failed: %s", notification.pk, notification.attempts, error)
    _finish(
        notification,
        claimed_at,
        status=Status.PENDING,
        last_error=error,
        next_attempt_at=timezone.now() + retry_delay(notification.attempts),
    )
    return "retry"


def notification_release_stuck(*, older_than_seconds: int | None = None) -> int:
    """Put rows stuck in ``sending`` (a worker died mid-send) back to pending, or fail them when
    they used up their attempts. Returns how many rows were released."""
    if older_than_seconds is None:
        older_than_seconds = _setting("TINHSO_NOTIFY_STUCK_SECONDS", 600)
    now = timezone.now()
    stuck = Notification.objects.filter(
        status=Status.SENDING, claimed_at__lt=now - timedelta(seconds=older_than_seconds)
    )
    message = "stuck in sending: worker lost"
    stuck.filter(attempts__gte=max_attempts()).update(status=Status.FAILED, last_error=message)
    return stuck.update(status=Status.PENDING, next_attempt_at=now, last_error=message)


def notification_deliver_pending(*, older_than_seconds: int | None = None, limit: int = 500) -> int:
    """The periodic sweep: release stuck rows, then deliver due rows (first tries older than
    ``older_than_seconds`` — younger ones are in flight from ``notify`` — and retries whose backoff
    has passed). Returns how many were sent."""
    if older_than_seconds is None:
        older_than_seconds = _setting("TINHSO_NOTIFY_SWEEP_GRACE_SECONDS", 30)
    notification_release_stuck()
    now = timezone.now()
    due = (
        Notification.objects.filter(status=Status.PENDING)
        .filter(
            Q(attempts=0, created_at__lte=now - timedelta(seconds=older_than_seconds))
            | Q(attempts__gt=0, next_attempt_at__lte=now)
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(notification_deliver(notification_id=pk) == "sent" for pk in list(due))


# --- operator actions -----------------------------------------------------------------------


def _require_operator(actor) -> None:
    if actor is None or not actor.has_perm("notify.change_notification"):
        raise NotAllowed(_("Bạn không có quyền thao tác trên hàng đợi thông báo."))


def notification_retry(*, notification: Notification, actor, request=None) -> bool:
    """Send a failed notification again from scratch. Returns False when it was not failed."""
    _require_operator(actor)
    with transaction.atomic():
        updated = Notification.objects.filter(pk=notification.pk, status=Status.FAILED).update(
            status=Status.PENDING, attempts=0, next_attempt_at=timezone.now(), claimed_at=None
        )
        if not updated:
            return False
        record_event(
            actor=actor,
            action="notify.retry",
            obj=notification,
            details={"channel": notification.channel, "event": notification.event},
            request=request,
        )
        pk = notification.pk
        transaction.on_commit(lambda: _enqueue([pk]))
    return True


def notification_retry_failed(*, actor, notifications: Iterable[Notification], request=None) -> int:
    """Retry every failed notification in ``notifications`` (the admin action). Returns the count."""
    _require_operator(actor)
    return sum(notification_retry(notification=n, actor=actor, request=request) for n in notifications)


def notification_cancel(*, notification: Notification, actor=None, reason: str = "") -> bool:
    """Stop a notification that has not left yet (pending → cancelled). Returns False otherwise."""
    with transaction.atomic():
        updated = Notification.objects.filter(pk=notification.pk, status=Status.PENDING).update(
            status=Status.CANCELLED, last_error=reason[:2000]
        )
        if updated:
            record_event(
                actor=actor, action="notify.cancel", obj=notification, details={"reason": reason[:200]}
            )
    return bool(updated)


# --- the recipient's inbox ------------------------------------------------------------------


def notification_mark_read(*, user, public_id: uuid.UUID | str) -> Notification:
    """Mark one of ``user``'s own in-app notifications read (idempotent); NotFound otherwise."""
    from .selectors import notification_get_for_user

    notification = notification_get_for_user(user=user, public_id=public_id)
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notification_mark_all_read(*, user) -> int:
    """Mark every unread in-app notification of ``user`` read. Returns how many changed."""
    if not getattr(user, "is_authenticated", False):
        raise NotFound(_("Không tìm thấy thông báo."))
    return Notification.objects.filter(
        recipient=user, channel=ChannelName.IN_APP, read_at__isnull=True
    ).update(read_at=timezone.now())
