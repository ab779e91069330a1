"""The feedback app's places in the portal: "my page" sections and the staff workspace panel."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.feedback.test_ideas_fixtures import consultation, idea  # noqa: F401
from tests.matrix import login_as


def test_my_page_lists_my_ideas_and_no_one_elses(world, idea):  # noqa: F811
    client = Client()
    login_as(client, world.citizen)
    html = client.get(reverse("portal:me")).content.decode()
    assert "Góp ý của tôi" in html and idea.title in html
    assert reverse("ideas:idea", args=[idea.public_id]) in html
    other = Client()
    login_as(other, world.citizen_b)
    html = other.get(reverse("portal:me")).content.decode()
    assert "Góp ý của tôi" not in html and idea.title not in html


def test_staff_workspace_shows_the_report_queues_to_handlers_only(world):
    staff = Client()
    login_as(staff, world.handler, mfa=True)
    html = staff.get(reverse("portal:staff")).content.decode()
    assert "Phản ánh hiện trường, góp ý" in html and reverse("feedback_staff:queue") in html
    citizen = Client()
    login_as(citizen, world.citizen)
    assert reverse("feedback_staff:queue") not in citizen.get(reverse("portal:me")).content.decode()
