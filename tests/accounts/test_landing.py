import pytest
from django.urls import reverse

from tests.factories import MembershipFactory, OfficialFactory, UserFactory
from tinhso.accounts.views import landing_url


@pytest.mark.django_db
def test_citizen_lands_on_my_page():
    assert landing_url(UserFactory()) == reverse("portal:me")


@pytest.mark.django_db
def test_official_lands_on_the_workspace():
    membership = MembershipFactory()
    assert landing_url(membership.user) == reverse("portal:staff")


@pytest.mark.django_db
def test_system_admin_without_membership_lands_on_the_admin_site():
    admin = OfficialFactory(is_staff=True, is_superuser=True)
    assert landing_url(admin) == reverse("admin:index")
