import pytest
from django.contrib.auth.models import AnonymousUser

from tests.factories import AgencyFactory, MembershipFactory, UserFactory, role
from tests.matrix import assert_matrix, service_status, snapshot
from tinhso.audit.models import AuditEvent
from tinhso.core.errors import Conflict, NotAllowed, ValidationFailed
from tinhso.procedures import services
from tinhso.procedures.models import Procedure, ProcedureFee, ProcedureStep, RequiredDocument
from tinhso.search.models import SearchDocument

pytestmark = pytest.mark.django_db


def test_create_stores_everything_audits_and_indexes(make_procedure):
    p = make_procedure()
    assert p.fees.get().amount == 50000
    assert [s.days for s in p.steps.order_by("order")] == [1, 3, 1]
    assert p.required_documents.get().code == "don"
    assert AuditEvent.objects.filter(action="procedure.create").count() == 1
    doc = SearchDocument.objects.get(kind="procedure")
    assert doc.title == p.name and "9.000001" in doc.body and "Đơn đề nghị" in doc.body
    assert doc.url == "/thu-tuc/9.000001/"


@pytest.mark.parametrize(("over", "key"), [
    ({"processing_days": 6}, "steps"),
    ({"fees": [{"name": "Phí", "amount": -1}]}, "fees"),
    ({"form_schema": {"type": "object", "properties": {"x": {"type": "array"}}}}, "form_schema"),
    ({"steps": [{"name": "X", "role_code": "khong-co", "days": 5}]}, "steps"),
    ({"steps": []}, "steps"),
    ({"documents": [{"code": "a", "name": "A"}, {"code": "a", "name": "B"}]}, "documents"),
    ({"code": "có dấu"}, "code"),
    ({"service_level": "level9"}, "service_level"),
    ({"counting_rule": {"nonsense": 1}}, "counting_rule"),
])
def test_invalid_input_stores_nothing(make_procedure, over, key):
    with pytest.raises(ValidationFailed) as exc:
        make_procedure(**over)
    assert key in exc.value.details
    assert not Procedure.objects.exists() and not ProcedureFee.objects.exists()


def test_duplicate_code_conflicts(make_procedure):
    make_procedure()
    with pytest.raises(Conflict):
        make_procedure()


def test_steps_and_days_change_together(make_procedure):
    p = make_procedure()
    with pytest.raises(ValidationFailed):
        services.procedure_update(actor=None, procedure=p, processing_days=7)
    with pytest.raises(ValidationFailed):
        services.procedure_steps_set(actor=None, procedure=p, steps=[{"name": "A", "role_code": "clerk", "days": 2}])
    services.procedure_steps_set(actor=None, procedure=p, processing_days=2,
                                 steps=[{"name": "A", "role_code": "clerk", "days": 2}])
    p.refresh_from_db()
    assert p.processing_days == 2 and p.steps.count() == 1


def test_unpublish_and_publish_follow_the_index(make_procedure):
    p = make_procedure()
    services.procedure_unpublish(actor=None, procedure=p)
    assert not SearchDocument.objects.filter(kind="procedure").exists()
    services.procedure_publish(actor=None, procedure=p)
    assert SearchDocument.objects.filter(kind="procedure").count() == 1
    actions = list(AuditEvent.objects.filter(action__startswith="procedure.").values_list("action", flat=True))
    assert {"procedure.unpublish", "procedure.publish"} <= set(actions)


def test_unpublished_without_steps_cannot_be_published(make_procedure):
    p = make_procedure(published=False, steps=[], processing_days=0)
    with pytest.raises(ValidationFailed):
        services.procedure_publish(actor=None, procedure=p)
    p.refresh_from_db()
    assert not p.is_published


def test_documents_set_keeps_templates(make_procedure):
    from tinhso.files.models import StoredFile

    p = make_procedure()
    owner = UserFactory()
    stored = StoredFile.objects.create(owner=owner, purpose="procedure_template", original_name="mau.pdf", kind="pdf",
                                       content_type="application/pdf", size=1, sha256="0" * 64, storage_name="x/y.pdf")
    RequiredDocument.objects.filter(procedure=p).update(template=stored)
    services.procedure_documents_set(actor=None, procedure=p, documents=[
        {"code": "don", "name": "Đơn (mẫu mới)"}, {"code": "anh", "name": "Ảnh 4x6", "is_required": False}])
    docs = {d.code: d for d in p.required_documents.all()}
    assert docs["don"].template_id == stored.pk and docs["don"].name == "Đơn (mẫu mới)"
    assert not docs["anh"].is_required


@pytest.fixture
def actors_role():
    return "agency_admin"


def test_edit_permission_matrix(actors, make_procedure):
    p = make_procedure(agencies=[actors.agency])
    superuser = UserFactory(is_superuser=True, is_staff=True)
    actors.add("superuser", superuser)
    clerk = MembershipFactory(agency=actors.agency, role=role("clerk"))
    actors.add("clerk_same_agency", clerk.user)
    unchanged = snapshot(Procedure.objects.all(), ProcedureFee.objects.all(), ProcedureStep.objects.all())
    counter = iter(range(100))

    def call(actor):
        n = next(counter)
        return service_status(lambda: services.procedure_update(
            actor=actor.user or AnonymousUser(), procedure=p, name=f"Tên mới {n}"))

    assert_matrix(actors, call, {
        "anonymous": 403, "citizen_a": 403, "citizen_b": 403, "official_other_agency": 403,
        "official_with_role": 200, "superuser": 200, "clerk_same_agency": 403,
    }, unchanged=unchanged)

    def fees(actor):
        return service_status(lambda: services.procedure_fees_set(
            actor=actor.user or AnonymousUser(), procedure=p, fees=[{"name": "Phí", "amount": next(counter)}]))

    assert_matrix(actors, fees, {
        "anonymous": 403, "citizen_a": 403, "citizen_b": 403, "official_other_agency": 403,
        "official_with_role": 200, "superuser": 200, "clerk_same_agency": 403,
    }, unchanged=unchanged)

    def publish(actor):
        return service_status(lambda: services.procedure_unpublish(actor=actor.user or AnonymousUser(), procedure=p))

    assert_matrix(actors, publish, {
        "anonymous": 403, "citizen_a": 403, "citizen_b": 403, "official_other_agency": 403,
        "official_with_role": 200, "superuser": 200, "clerk_same_agency": 403,
    }, unchanged=unchanged)


def test_agency_admin_cannot_hand_procedures_to_other_agencies(actors, make_procedure):
    p = make_procedure(agencies=[actors.agency])
    admin = actors.official_with_role.user
    with pytest.raises(NotAllowed):
        services.procedure_update(actor=admin, procedure=p, agencies=[AgencyFactory()])
    with pytest.raises(NotAllowed):
        make_procedure(code="9.000002", actor=admin, agencies=[actors.other_agency])
    make_procedure(code="9.000003", actor=admin, agencies=[actors.agency])
    assert list(p.agencies.all()) == [actors.agency]


def test_commune_level_procedure_is_superuser_only(actors, make_procedure):
    p = make_procedure()  # no agencies
    assert not services.can_edit(actor=actors.official_with_role.user, procedure=p)
    assert services.can_edit(actor=UserFactory(is_superuser=True), procedure=p)


def test_template_upload(make_procedure):
    from django.core.files.uploadedfile import SimpleUploadedFile

    p = make_procedure()
    admin = UserFactory(is_superuser=True)
    pdf = SimpleUploadedFile("Mẫu đơn.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")
    doc = services.procedure_template_upload(actor=admin, procedure=p, document_code="don", uploaded=pdf)
    assert doc.template.purpose == "procedure_template"
    from tinhso.files.access import can_read

    assert can_read(UserFactory(), doc.template)
    with pytest.raises(ValidationFailed):
        services.procedure_template_upload(actor=admin, procedure=p, document_code="khong-co", uploaded=pdf)
    with pytest.raises(NotAllowed):
        services.procedure_template_upload(actor=UserFactory(), procedure=p, document_code="don", uploaded=pdf)
