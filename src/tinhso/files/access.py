"""Who may read a stored file: its owner, a superuser, or a policy of the app owning the purpose."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

Policy = Callable[[object, object], bool]  # (user, stored_file) -> bool

_POLICIES: dict[str, list[Policy]] = defaultdict(list)


def register_policy(purpose: str, fn: Policy) -> None:
    """Let ``fn(user, file)`` grant read access to files of ``purpose`` (e.g. the official
    processing the dossier a document is attached to). Call from the app's ``AppConfig.ready``."""
    if fn not in _POLICIES[purpose]:
        _POLICIES[purpose].append(fn)


def unregister_policy(purpose: str, fn: Policy) -> None:
    if fn in _POLICIES.get(purpose, []):
        _POLICIES[purpose].remove(fn)


def can_read(user, file) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if file.owner_id == user.pk or user.is_superuser:
        return True
    return any(policy(user, file) for policy in _POLICIES.get(file.purpose, ()))


def can_manage(user, file) -> bool:
    """Attach or delete: the owner or a superuser."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (file.owner_id == user.pk or user.is_superuser)
    )
