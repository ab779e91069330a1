"""The staff workspace pages: queues, scoping, bulk assignment, actions, counter intake, panel."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.dossiers.test_staff_support import pdf_upload, world_fixture  # noqa: F401 - fixture
from tests.factories import MembershipFactory, UserFactory, role
from tests.matrix import login_as, snapshot
from tinhso.accounts.models import User
from tinhso.dossiers import services
from tinhso.dossiers.models import Dossier, DossierStep
from tinhso.workflow.models import TransitionLog

QUEUE = "/staff/dossiers/"


def detail_url(dossier) -> str:
    return f"/staff/dossiers/{dossier.public_id}/"


def act_url(dossier, action: str) -> str:
    return f"/staff/dossiers/{dossier.public_id}/thao-tac/{action}/"


def page_text(response) -> str:
    return response.content.decode()


# --- queues and scope ---------------------------------------------------------------------------


def test_queue_counts_and_listing_for_the_clerk(world):
    submitted = [world.submit(), world.submit()]
    world.received()
    client = world.client_for(world.clerk)
    response = client.get(QUEUE, {"queue": "to_receive"})
    assert response.status_code == 200
    html = page_text(response)
    assert 'data-queue="to_receive">2<' in html
    assert all(d.code in html for d in submitted)


def test_other_agency_official_sees_nothing_and_gets_404(world):
    dossier = world.submit()
    client = world.client_for(world.other_clerk)
    html = page_text(client.get(QUEUE, {"queue": "to_receive"}))
    assert dossier.code not in html and 'data-queue="to_receive">0<' in html
    assert client.get(detail_url(dossier)).status_code == 404
    before = snapshot(Dossier, TransitionLog)()
    assert client.post(act_url(dossier, "receive")).status_code == 404
    assert snapshot(Dossier, TransitionLog)() == before


def test_detail_and_action_permission_matrix(world):
    from tests.matrix import assert_matrix, build_actors

    actors = build_actors(agency=world.agency, role_code="clerk", other_agency=world.other_agency)
    dossier = world.submit(applicant=actors.citizen_a.user)
    assert_matrix(
        actors, lambda actor: actor.client.get(detail_url(dossier)),
        {"anonymous": 302, "citizen_a": 403, "citizen_b": 403, "official_other_agency": 404,
         "official_with_role": 200},
    )
    assert_matrix(
        actors, lambda actor: actor.client.post(act_url(dossier, "receive")),
        {"anonymous": 302, "citizen_a": 403, "citizen_b": 403, "official_other_agency": 404,
         "official_with_role": 302},
        unchanged=snapshot(Dossier, DossierStep, TransitionLog),
    )
    dossier.refresh_from_db()
    assert dossier.status == "processing"


def test_citizens_and_anonymous_are_kept_out(world):
    dossier = world.submit()
    assert Client().get(QUEUE).status_code == 302
    citizen = login_as(Client(), world.citizen, mfa=False)
    assert citizen.get(QUEUE).status_code == 403
    assert citizen.get(detail_url(dossier)).status_code == 403


def test_official_without_mfa_is_sent_to_the_challenge(world):
    client = login_as(Client(), world.clerk, mfa=False)
    response = client.get(QUEUE)
    assert response.status_code == 302 and "/mfa/" in response["Location"]


def test_search_ignores_diacritics_and_matches_codes(world):
    an = world.submit()
    binh = world.submit(applicant=UserFactory(full_name="Trần Thị Bình"))
    client = world.client_for(world.clerk)
    html = page_text(client.get(QUEUE, {"queue": "to_receive", "q": "nguyen van an"}))
    assert an.code in html and binh.code not in html
    html = page_text(client.get(QUEUE, {"queue": "to_receive", "q": "BÌNH"}))
    assert binh.code in html and an.code not in html
    html = page_text(client.get(QUEUE, {"queue": "to_receive", "q": binh.code[-4:]}))
    assert binh.code in html


def test_filters_by_channel_and_received_dates(world):
    online = world.received()
    counter = services.dossier_record_at_counter(
        clerk=world.clerk, agency=world.agency, procedure=world.procedure, applicant=world.citizen,
        form_data={"ho_ten": "A"},
    )
    client = world.client_for(world.specialist)
    html = page_text(client.get(QUEUE, {"queue": "to_process", "channel": "counter"}))
    assert counter.code in html and online.code not in html
    html = page_text(client.get(QUEUE, {"queue": "to_process", "from": "2000-01-01", "to": "2000-01-02"}))
    assert counter.code not in html and "Không có hồ sơ nào" in html


# --- bulk assignment --------------------------------------------------------------------------


def test_my_work_hides_steps_assigned_to_others_and_to_assign_lists_the_rest(world):
    mine, theirs, free = world.received(), world.received(), world.received()
    DossierStep.objects.filter(dossier=mine, order=2).update(assignee=world.specialist2)
    DossierStep.objects.filter(dossier=theirs, order=2).update(assignee=world.specialist)
    html = page_text(world.client_for(world.specialist2).get(QUEUE, {"queue": "to_process"}))
    assert mine.code in html and free.code in html and theirs.code not in html
    html = page_text(world.client_for(world.clerk).get(QUEUE, {"queue": "to_assign"}))
    assert free.code in html and mine.code not in html and theirs.code not in html
    assert 'data-queue="to_assign">1<' in html
    assert 'data-queue="to_assign">0<' in page_text(world.client_for(world.specialist).get(QUEUE))


def test_bulk_assignment_by_the_clerk(world):
    first, second = world.received(), world.received()
    client = world.client_for(world.clerk)
    listing = page_text(client.get(QUEUE, {"queue": "to_assign"}))
    assert f'value="{first.public_id}"' in listing and 'name="assignee"' in listing
    response = client.post("/staff/dossiers/phan-cong/", {
        "dossiers": [str(first.public_id), str(second.public_id)], "assignee": str(world.specialist2.public_id),
    })
    assert response.status_code == 302
    steps = DossierStep.objects.filter(dossier__in=[first, second], order=2)
    assert {s.assignee_id for s in steps} == {world.specialist2.pk}


@pytest.mark.parametrize("who", ["leader", "other_agency_specialist"])
def test_bulk_assignment_needs_the_step_role_at_that_agency(world, who):
    dossier = world.received()
    assignee = world.leader if who == "leader" else MembershipFactory(
        agency=world.other_agency, role=role("specialist")).user
    client = world.client_for(world.clerk)
    before = snapshot(DossierStep)()
    response = client.post("/staff/dossiers/phan-cong/", {
        "dossiers": [str(dossier.public_id)], "assignee": str(assignee.public_id),
    }, follow=True)
    assert "không giữ vai trò" in page_text(response)
    assert snapshot(DossierStep)() == before


def test_bulk_assignment_outside_scope_changes_nothing(world):
    dossier = world.received()
    client = world.client_for(world.other_clerk)
    before = snapshot(DossierStep)()
    response = client.post("/staff/dossiers/phan-cong/", {
        "dossiers": [str(dossier.public_id)], "assignee": str(world.specialist.public_id),
    }, follow=True)
    assert "không thuộc phạm vi" in page_text(response)
    assert snapshot(DossierStep)() == before


def test_specialist_cannot_assign_a_colleague(world):
    dossier = world.received()
    client = world.client_for(world.specialist)
    before = snapshot(DossierStep)()
    response = client.post(f"/staff/dossiers/{dossier.public_id}/phan-cong/",
                           {"assignee": str(world.specialist2.public_id)}, follow=True)
    assert "không có quyền phân công" in page_text(response)
    assert snapshot(DossierStep)() == before


# --- the dossier page and its actions ------------------------------------------------------------


def test_detail_shows_data_masked_id_documents_and_only_allowed_buttons(world):
    from tinhso.accounts.services import citizen_profile_update

    citizen_profile_update(actor=world.citizen, user=world.citizen, national_id="079123456789",
                           date_of_birth=None, address="Ấp 1")
    dossier = world.submit()
    clerk = world.client_for(world.clerk)
    html = page_text(clerk.get(detail_url(dossier)))
    assert "079123456789" not in html and "6789" in html
    assert "Nguyễn Văn An" in html and "Họ và tên người được khai sinh" in html
    assert 'id="action-receive"' in html and 'id="action-refuse"' in html
    assert 'id="action-complete_step"' not in html
    download = dossier.documents.get().file
    assert clerk.get(f"/files/{download.public_id}/").status_code == 200
    specialist_html = page_text(world.client_for(world.specialist).get(detail_url(dossier)))
    assert 'id="action-receive"' not in specialist_html
    assert "Bạn không có thao tác nào" in specialist_html


def test_receive_through_the_page_happens_once(world):
    dossier = world.submit()
    client = world.client_for(world.clerk)
    response = client.post(act_url(dossier, "receive"), {"note": "Đủ giấy tờ"}, follow=True)
    assert response.status_code == 200
    dossier.refresh_from_db()
    assert dossier.status == "processing" and dossier.received_at is not None
    steps = DossierStep.objects.filter(dossier=dossier).count()
    again = client.post(act_url(dossier, "receive"), follow=True)
    assert "Không thể thực hiện" in page_text(again)
    assert TransitionLog.objects.filter(object_id=str(dossier.pk), transition="receive").count() == 1
    assert DossierStep.objects.filter(dossier=dossier).count() == steps


def test_refuse_needs_a_reason(world):
    dossier = world.submit()
    client = world.client_for(world.clerk)
    before = snapshot(Dossier)()
    response = client.post(act_url(dossier, "refuse"), {"reason": "  "}, follow=True)
    assert "Vui lòng nhập lý do" in page_text(response)
    assert snapshot(Dossier)() == before
    client.post(act_url(dossier, "refuse"), {"reason": "Không thuộc thẩm quyền"})
    dossier.refresh_from_db()
    assert dossier.status == "refused"


def test_full_processing_through_the_pages(world):
    dossier = world.received()
    specialist = world.client_for(world.specialist)
    assert 'id="action-complete_step"' in page_text(specialist.get(detail_url(dossier)))
    specialist.post(act_url(dossier, "complete_step"), {"note": "Đủ điều kiện"})
    dossier.refresh_from_db()
    assert dossier.status == "awaiting_approval"
    leader = world.client_for(world.leader)
    html = page_text(leader.get(detail_url(dossier)))
    assert 'id="action-approve"' in html and 'id="action-reject_approval"' in html
    leader.post(act_url(dossier, "approve"), {"note": "Đồng ý", "result_file": pdf_upload("ket-qua.pdf")})
    dossier.refresh_from_db()
    assert dossier.status == "result_ready" and dossier.result_file_id
    clerk = world.client_for(world.clerk)
    clerk.post(act_url(dossier, "return_result"), {"method": "counter"})
    dossier.refresh_from_db()
    assert dossier.status == "done"
    again = clerk.post(act_url(dossier, "return_result"), {"method": "counter"}, follow=True)
    assert again.status_code == 200
    assert TransitionLog.objects.filter(object_id=str(dossier.pk), transition="return_result").count() == 1


def test_action_not_allowed_for_this_user_changes_nothing(world):
    dossier = world.received()
    client = world.client_for(world.specialist2)
    DossierStep.objects.filter(dossier=dossier, order=2).update(assignee=world.specialist)
    before = snapshot(Dossier, DossierStep)()
    response = client.post(act_url(dossier, "complete_step"), follow=True)
    assert "đã được phân công cho người khác" in page_text(response)
    assert snapshot(Dossier, DossierStep)() == before
    assert client.post(act_url(dossier, "no_such_action")).status_code == 404


def test_apology_with_a_new_date(world):
    dossier = world.received()
    client = world.client_for(world.clerk)
    response = client.post(act_url(dossier, "apologise"), {"reason": "Chờ xác minh", "new_due_date": "2099-01-05"},
                           follow=True)
    assert "Đã thực hiện" in page_text(response)
    dossier.refresh_from_db()
    assert dossier.due_at.year == 2099 and dossier.apologies.count() == 1
    bad = client.post(act_url(dossier, "apologise"), {"reason": "x", "new_due_date": "hôm qua"}, follow=True)
    assert "Hãy chọn ngày hẹn trả mới" in page_text(bad)
    assert dossier.apologies.count() == 1


# --- counter intake --------------------------------------------------------------------------


def test_counter_intake_creates_a_counter_dossier_for_a_new_citizen(world):
    client = world.client_for(world.clerk)
    form = client.get("/staff/dossiers/tiep-nhan-truc-tiep/", {"intake-procedure": world.procedure.code})
    assert form.status_code == 200 and 'name="ho_ten"' in page_text(form)
    response = client.post("/staff/dossiers/tiep-nhan-truc-tiep/", {
        "intake-agency": str(world.agency.public_id), "intake-procedure": world.procedure.code,
        "applicant-login": "0987654321", "applicant-name": "Lê Văn Cường", "ho_ten": "Lê Bé Na",
        "doc-to-khai": pdf_upload(),
    })
    assert response.status_code == 302
    applicant = User.objects.get(phone="0987654321")
    dossier = Dossier.objects.get(applicant=applicant)
    assert response["Location"] == detail_url(dossier)
    assert dossier.channel == "counter" and dossier.status == "processing" and dossier.recorded_by == world.clerk
    assert dossier.form_data == {"ho_ten": "Lê Bé Na"}
    assert dossier.documents.get().is_digitised


def test_counter_intake_finds_an_existing_citizen_and_reports_form_errors(world):
    client = world.client_for(world.clerk)
    count = Dossier.objects.count()
    response = client.post("/staff/dossiers/tiep-nhan-truc-tiep/", {
        "intake-procedure": world.procedure.code, "applicant-login": world.citizen.phone, "ho_ten": "",
    })
    assert response.status_code == 422
    assert "Trường này là bắt buộc" in page_text(response)
    assert Dossier.objects.count() == count
    client.post("/staff/dossiers/tiep-nhan-truc-tiep/", {
        "intake-procedure": world.procedure.code, "applicant-login": world.citizen.phone, "ho_ten": "Bé",
    })
    assert Dossier.objects.filter(applicant=world.citizen, channel="counter").count() == 1


def test_counter_intake_is_for_clerks_only(world):
    client = world.client_for(world.specialist)
    assert client.get("/staff/dossiers/tiep-nhan-truc-tiep/").status_code == 403


def test_staff_panel_on_the_workspace_home(world):
    world.submit()
    html = page_text(world.client_for(world.clerk).get("/staff/"))
    assert "Hồ sơ thủ tục hành chính" in html and "/staff/dossiers/?queue=to_receive" in html


def test_due_soon_counts_working_days(world, monkeypatch):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from tinhso.workflow.calendar import clear_cache

    clear_cache()
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    friday = dt.datetime(2030, 3, 1, 9, 0, tzinfo=tz)  # a Friday without holidays around it
    monkeypatch.setattr(timezone, "now", lambda: friday)
    tuesday, wednesday = world.received(), world.received()
    Dossier.objects.filter(pk=tuesday.pk).update(due_at=dt.datetime(2030, 3, 5, 17, 0, tzinfo=tz))
    Dossier.objects.filter(pk=wednesday.pk).update(due_at=dt.datetime(2030, 3, 6, 17, 0, tzinfo=tz))
    html = page_text(world.client_for(world.specialist).get(QUEUE, {"queue": "due_soon"}))
    assert tuesday.code in html and wednesday.code not in html


def test_queue_page_queries_do_not_grow_with_rows(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = world.client_for(world.specialist)
    world.received()
    client.get(QUEUE, {"queue": "to_process"})  # warm up: session, calendar snapshot
    with CaptureQueriesContext(connection) as few:
        client.get(QUEUE, {"queue": "to_process"})
    for _i in range(4):
        world.received(applicant=UserFactory())
    with CaptureQueriesContext(connection) as many:
        client.get(QUEUE, {"queue": "to_process"})
    assert len(many.captured_queries) == len(few.captured_queries)


def test_pages_pass_the_strict_csp_audit(world):
    from tests.portal.helpers import csp_problems

    dossier = world.submit()
    clerk = world.client_for(world.clerk)
    for url in (QUEUE, detail_url(dossier), "/staff/dossiers/thong-ke/", "/staff/",
                f"/staff/dossiers/tiep-nhan-truc-tiep/?intake-procedure={world.procedure.code}",
                f"/tra-cuu/?code={dossier.code}&secret={dossier.tracking_secret}"):
        response = clerk.get(url)
        assert response.status_code == 200, url
        assert csp_problems(response.content.decode()) == [], url


def test_superuser_without_agency_is_sent_to_the_statistics(world):
    # Journey regression: the admin got a 403 on /staff/dossiers/ and had no way to the statistics.
    world.submit()
    admin = UserFactory(is_superuser=True, is_staff=True)
    client = login_as(Client(), admin, mfa=True)
    r = client.get(QUEUE)
    assert r.status_code == 302 and r["Location"] == "/staff/dossiers/thong-ke/"
    page = client.get(r["Location"])
    assert page.status_code == 200 and "Hàng đợi hồ sơ" not in page.content.decode()  # no link back to a 403


def test_bulk_assignment_offers_a_specialist_only_themselves(world):
    # Journey regression: a specialist's queue offered every colleague in the bulk-assignment list,
    # although assigning them is refused; the clerk still sees all officials of the agency.
    world.received()
    specialist_page = page_text(world.client_for(world.specialist).get(QUEUE, {"queue": "to_process"}))
    assert f'value="{world.specialist.public_id}"' in specialist_page
    assert f'value="{world.specialist2.public_id}"' not in specialist_page
    assert f'value="{world.leader.public_id}"' not in specialist_page
    clerk_page = page_text(world.client_for(world.clerk).get(QUEUE, {"queue": "to_assign"}))
    assert f'value="{world.specialist2.public_id}"' in clerk_page and f'value="{world.leader.public_id}"' in clerk_page
