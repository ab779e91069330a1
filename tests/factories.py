"""factory-boy factories shared by every app's tests.

    from tests.factories import UserFactory, OfficialFactory, AgencyFactory, MembershipFactory, role

    citizen = UserFactory()                       # password PASSWORD, unique email and phone
    official = OfficialFactory()                  # kind=official, with an OfficialProfile
    agency = AgencyFactory()                      # a provincial department in a synthetic province
    commune_committee = AgencyFactory(commune=True)
    MembershipFactory(user=official, agency=agency, role=role("clerk"))

Codes are synthetic and never collide with the official ones loaded by ``province_96``
(provinces "X01"…, communes "9xxxx", agency codes ending in ".Z99").
"""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from tinhso.accounts.models import Role, UserKind
from tinhso.geo.models import AdminUnit, Level
from tinhso.orgs.catalogue import ROLE_NAMES
from tinhso.orgs.models import Agency, AgencyKind, AgencyLevel, Membership, Position, Unit, UnitKind
from tinhso.search.text import fold

PASSWORD = "Matkhau@12345"


def role(code: str) -> Role:
    """The role with ``code`` (created with its standard name if the data migration has not)."""
    obj, _created = Role.objects.get_or_create(code=code, defaults={"name": ROLE_NAMES.get(code, code)})
    return obj


class UserFactory(DjangoModelFactory):
    """A citizen with a unique email and mobile number; password ``PASSWORD``."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"nguoidan{n}@example.vn")
    phone = factory.Sequence(lambda n: f"09{n:08d}")
    full_name = factory.Faker("name", locale="vi_VN")
    kind = UserKind.CITIZEN
    password = factory.django.Password(PASSWORD)
    is_active = True


class OfficialFactory(UserFactory):
    """An official (MFA required at login: use ``tests.matrix.login_as``)."""

    email = factory.Sequence(lambda n: f"canbo{n}@tinhso.gov.vn")
    phone = factory.Sequence(lambda n: f"08{(n % 9) + 1}{n:07d}")
    kind = UserKind.OFFICIAL

    @factory.post_generation
    def profile(obj, create, extracted, **kwargs):  # noqa: N805 - factory-boy hook signature
        if not create:
            return
        try:
            from tinhso.accounts.models import OfficialProfile
        except ImportError:  # pragma: no cover - the profile is optional
            return
        OfficialProfile.objects.get_or_create(user=obj, defaults={"title": kwargs.get("title", "Chuyên viên")})


class AdminUnitFactory(DjangoModelFactory):
    """A commune (with its own synthetic province) unless ``province=True``."""

    class Meta:
        model = AdminUnit
        django_get_or_create = ("code",)

    class Params:
        province = factory.Trait(
            level=Level.PROVINCE,
            kind="tỉnh",
            code=factory.Sequence(lambda n: f"X{n:02d}"),
            name=factory.Sequence(lambda n: f"Thử Nghiệm {n}"),
            full_name=factory.LazyAttribute(lambda o: f"Tỉnh {o.name}"),
            parent=None,
        )

    level = Level.COMMUNE
    kind = "xã"
    code = factory.Sequence(lambda n: f"9{n:04d}")
    name = factory.Sequence(lambda n: f"Tân Thử {n}")
    full_name = factory.LazyAttribute(lambda o: f"{o.kind.capitalize()} {o.name}")
    name_folded = factory.LazyAttribute(lambda o: fold(o.full_name))
    parent = factory.SubFactory("tests.factories.AdminUnitFactory", province=True)
    is_active = True


class ProvinceFactory(AdminUnitFactory):
    province = True


class AgencyFactory(DjangoModelFactory):
    """A provincial department by default; ``commune=True`` gives a commune People's Committee."""

    class Meta:
        model = Agency

    class Params:
        commune = factory.Trait(
            kind=AgencyKind.PEOPLES_COMMITTEE,
            level=AgencyLevel.COMMUNE,
            abbreviation="UBND",
            name=factory.Sequence(lambda n: f"Ủy ban nhân dân xã Tân Thử {n}"),
            admin_unit=factory.SubFactory(AdminUnitFactory),
        )

    code = factory.Sequence(lambda n: f"{n % 1000:03d}.{(n // 1000) % 100:02d}.77.Z99")
    name = factory.Sequence(lambda n: f"Sở Thử nghiệm {n}")
    short_name = ""
    abbreviation = factory.Sequence(lambda n: f"STN{n}")
    kind = AgencyKind.DEPARTMENT
    level = AgencyLevel.PROVINCE
    admin_unit = factory.SubFactory(ProvinceFactory)
    name_folded = factory.LazyAttribute(lambda o: fold(" ".join(p for p in (o.name, o.short_name, o.abbreviation) if p)))
    is_active = True


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    agency = factory.SubFactory(AgencyFactory)
    code = factory.Sequence(lambda n: f"phong-{n}")
    name = factory.Sequence(lambda n: f"Phòng Thử nghiệm {n}")
    kind = UnitKind.DIVISION


class PositionFactory(DjangoModelFactory):
    class Meta:
        model = Position
        django_get_or_create = ("code",)

    code = "chuyen-vien"
    name = "Chuyên viên"
    rank = 80


class RoleFactory(DjangoModelFactory):
    class Meta:
        model = Role
        django_get_or_create = ("code",)

    code = "clerk"
    name = factory.LazyAttribute(lambda o: ROLE_NAMES.get(o.code, o.code))


class MembershipFactory(DjangoModelFactory):
    """An active, open-ended membership of a new official; ``role`` defaults to clerk."""

    class Meta:
        model = Membership

    user = factory.SubFactory(OfficialFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = factory.LazyFunction(lambda: role("clerk"))
    is_active = True
    valid_until = None
