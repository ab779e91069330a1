"""Permission-matrix testing: every protected endpoint or service is exercised by the same
five actors, and a denial must leave the stored data unchanged.

    from tests.matrix import assert_matrix, snapshot

    def test_grant_matrix(actors):                       # fixture from tests/conftest.py
        url = f"/api/v1/orgs/agencies/{actors.agency.public_id}/memberships"
        assert_matrix(
            actors,
            lambda actor: actor.client.post(url, {...}, content_type="application/json"),
            {"anonymous": 401, "citizen_a": 403, "citizen_b": 403,
             "official_other_agency": 403, "official_with_role": 201},
            unchanged=snapshot(Membership.objects.all()),
        )

Actors (``Actors.NAMES``):
  anonymous              no login
  citizen_a, citizen_b   two citizens (e.g. the owner of a dossier and someone else)
  official_other_agency  holds the role under test, but in ``actors.other_agency``
  official_with_role     holds the role under test in ``actors.agency``

Officials are logged in with a verified OTP device (``login_as(..., mfa=True)``), so the MFA
middleware lets them through: a denial is then about scope, not about MFA.

``request_fn(actor)`` may return an ``HttpResponse`` (its status code is checked) or an int; to
test a service directly, wrap the call in ``service_status`` which maps domain errors to their
HTTP status (``NotAllowed`` → 403) and success to 200.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import AgencyFactory, MembershipFactory, UserFactory, role
from tinhso.core.errors import DomainError


def login_as(client: Client, user, *, mfa: bool = True) -> Client:
    """Log ``client`` in as ``user``; with ``mfa`` the session is also OTP-verified (a confirmed
    TOTP device is created for the user if needed), as after a real TOTP challenge."""
    client.force_login(user)
    if mfa:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Thiết bị kiểm thử", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@dataclass
class Actor:
    name: str
    user: Any | None  # None for the anonymous actor
    client: Client
    membership: Any | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.user is None

    def __repr__(self) -> str:
        return f"<Actor {self.name}>"


@dataclass
class Actors:
    agency: Any
    other_agency: Any
    role_code: str
    by_name: dict[str, Actor] = field(default_factory=dict)

    NAMES = ("anonymous", "citizen_a", "citizen_b", "official_other_agency", "official_with_role")

    def __getitem__(self, name: str) -> Actor:
        return self.by_name[name]

    def __getattr__(self, name: str) -> Actor:
        by_name = self.__dict__.get("by_name", {})
        if name in by_name:
            return by_name[name]
        raise AttributeError(name)

    def __iter__(self) -> Iterator[Actor]:
        return iter(self.by_name.values())

    def names(self) -> list[str]:
        return list(self.by_name)

    def add(self, name: str, user=None, *, mfa: bool = True, membership=None) -> Actor:
        """Add another actor (e.g. a superuser, or an official with a different role)."""
        client = Client()
        if user is not None:
            login_as(client, user, mfa=mfa)
        actor = Actor(name=name, user=user, client=client, membership=membership)
        self.by_name[name] = actor
        return actor


def build_actors(*, agency, role_code: str = "clerk", other_agency=None, mfa: bool = True) -> Actors:
    """The five standard actors around ``agency`` for a role (see the module docstring)."""
    other_agency = other_agency if other_agency is not None else AgencyFactory()
    actors = Actors(agency=agency, other_agency=other_agency, role_code=role_code)
    actors.add("anonymous")
    actors.add("citizen_a", UserFactory())
    actors.add("citizen_b", UserFactory())
    other = MembershipFactory(agency=other_agency, role=role(role_code))
    actors.add("official_other_agency", other.user, mfa=mfa, membership=other)
    mine = MembershipFactory(agency=agency, role=role(role_code))
    actors.add("official_with_role", mine.user, mfa=mfa, membership=mine)
    return actors


def service_status(call: Callable[[], Any]) -> int:
    """Run a service call and turn the outcome into an HTTP-like status: 200 on success, the
    error's status for a ``DomainError`` (NotAllowed 403, ValidationFailed 422, Conflict 409 …)."""
    try:
        call()
    except DomainError as exc:
        return exc.status
    return 200


def _rows(source: QuerySet | type[Model]) -> list[tuple]:
    qs = source.objects.all() if isinstance(source, type) else source.all()
    names = [f.attname for f in qs.model._meta.concrete_fields]
    return sorted(qs.values_list(*names), key=repr)


def snapshot(*sources: QuerySet | type[Model]) -> Callable[[], list[list[tuple]]]:
    """A callable returning every concrete column of every row of the given querysets/models,
    to compare before and after a denied request."""

    def take() -> list[list[tuple]]:
        return [_rows(source) for source in sources]

    return take


def assert_matrix(
    actors: Actors,
    request_fn: Callable[[Actor], Any],
    expected: dict[str, int],
    unchanged: Callable[[], Any] | None = None,
    *,
    only: Iterable[str] | None = None,
) -> None:
    """Run ``request_fn`` for each actor and check its status against ``expected`` (every actor
    must be listed, unless ``only`` restricts the run). For every actor expected to be denied
    (status >= 400), ``unchanged()`` must return the same value before and after the request.
    All mismatches are reported together."""
    names = list(only) if only is not None else actors.names()
    missing = [n for n in names if n not in expected]
    unknown = [n for n in expected if n not in actors.by_name]
    assert not missing and not unknown, f"matrix incomplete: missing {missing}, unknown actors {unknown}"

    failures: list[str] = []
    for name in names:
        actor = actors[name]
        before = unchanged() if unchanged is not None else None
        result = request_fn(actor)
        status = result if isinstance(result, int) else result.status_code
        want = expected[name]
        if status != want:
            body = ""
            content = getattr(result, "content", b"")
            if content:
                body = content[:300].decode(errors="replace")
            failures.append(f"{name}: expected {want}, got {status} {body}")
        if want >= 400 and unchanged is not None and unchanged() != before:
            failures.append(f"{name}: denied ({want}) but stored data changed")
    assert not failures, "permission matrix failed:\n  " + "\n  ".join(failures)
