"""Words with two meanings get the right English through a message context: "Từ chối" is the
status "Refused" and the button "Refuse"; "Tiếp nhận" the button "Receive" and the column
"Received"; "Trả kết quả" the button "Return the result" and the log-book column "Result returned"."""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from django.utils import translation

from tests.dossiers.test_staff_support import world_fixture  # noqa: F401 - fixture
from tests.matrix import login_as
from tinhso.dossiers import exports, views_staff
from tinhso.dossiers.models import Status


def test_labels_in_english():
    with translation.override("en"):
        assert str(Status.REFUSED.label) == "Refused"
        assert str(views_staff.ACTIONS["refuse"].label) == "Refuse"
        assert str(views_staff.ACTIONS["receive"].label) == "Receive"
        assert str(views_staff.ACTIONS["return_result"].label) == "Return the result"
        assert "Result returned" in [str(h) for h in exports.LOG_BOOK_HEADERS]
    with translation.override("vi"):
        assert str(views_staff.ACTIONS["refuse"].label) == "Từ chối" == str(Status.REFUSED.label)


def test_staff_pages_in_english_use_the_right_sense(world):
    dossier = world.submit()
    client = login_as(Client(), world.clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    detail = client.get(f"/staff/dossiers/{dossier.public_id}/").content.decode()
    assert ">Refuse</button>" in detail and ">Receive</button>" in detail
    queue = client.get("/staff/dossiers/", {"queue": "to_receive"}).content.decode()
    assert '<th scope="col">Received</th>' in queue
    book = client.get("/staff/dossiers/so-theo-doi/").content.decode()
    assert '<th scope="col">Result returned</th>' in book
