import pytest
from django.contrib.admin.sites import AdminSite
from django.contrib.auth.models import Permission
from django.test import RequestFactory

from tinhso.audit.admin import AuditEventAdmin
from tinhso.audit.models import AuditEvent
from tinhso.audit.selectors import audit_event_list_for_object, object_history
from tinhso.audit.services import record_event
from tinhso.core.errors import NotAllowed

pytestmark = pytest.mark.django_db


def test_object_history_lists_only_that_objects_events(make_user):
    alice, bob = make_user(), make_user()
    record_event(actor=alice, action="user.update", obj=alice)
    record_event(actor=bob, action="user.update", obj=bob)
    record_event(actor=None, action="user.lock", obj=alice)
    assert [e.action for e in object_history(obj=alice)] == ["user.lock", "user.update"]


def test_event_list_requires_auditor_or_superuser(make_user):
    citizen, auditor = make_user(), make_user()
    auditor.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    admin = make_user(is_superuser=True, is_staff=True)
    record_event(actor=citizen, action="user.update", obj=citizen)
    with pytest.raises(NotAllowed):
        audit_event_list_for_object(user=citizen, obj=citizen)
    auditor = type(auditor).objects.get(pk=auditor.pk)  # fresh permission cache
    assert audit_event_list_for_object(user=auditor, obj=citizen).count() == 1
    assert audit_event_list_for_object(user=admin, obj=citizen).count() == 1


def test_admin_is_read_only(make_user):
    admin_user = make_user(is_superuser=True, is_staff=True)
    request = RequestFactory().get("/admin/audit/auditevent/")
    request.user = admin_user
    model_admin = AuditEventAdmin(AuditEvent, AdminSite())
    event = record_event(actor=admin_user, action="user.login")
    assert model_admin.has_view_permission(request, event)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    assert model_admin.get_actions(request) == {}


def test_admin_changelist_renders_with_filters_and_search(make_user):
    from django.contrib import admin as django_admin

    admin_user = make_user(is_superuser=True, is_staff=True)
    record_event(actor=admin_user, action="user.login")
    record_event(actor=None, action="dossier.receive", obj=admin_user)
    model_admin = django_admin.site._registry[AuditEvent]
    request = RequestFactory().get("/admin/audit/auditevent/", {"q": "dossier", "action": "dossier.receive"})
    request.user = admin_user
    response = model_admin.changelist_view(request)
    response.render()
    assert response.status_code == 200
    assert [e.action for e in response.context_data["cl"].result_list] == ["dossier.receive"]
    assert "dossier.receive" in response.content.decode()
