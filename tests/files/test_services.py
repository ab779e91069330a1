"""Attach and delete: owner or superuser only; denial changes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tinhso.audit.models import AuditEvent
from tinhso.core.errors import Conflict, NotAllowed, NotFound
from tinhso.files.models import StoredFile
from tinhso.files.selectors import files_attached_to, files_of_owner
from tinhso.files.services import file_attach, file_delete, file_upload

from . import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(owner):
    return file_upload(owner=owner, uploaded=SimpleUploadedFile("don.pdf", samples.pdf()), purpose="general")


def test_owner_attaches_a_file(owner, make_user, stored):
    target = make_user()  # any saved model will do as the object
    file_attach(file=stored, obj=target, actor=owner)
    stored.refresh_from_db()
    assert stored.attached_to == target
    assert list(files_attached_to(obj=target)) == [stored]
    assert AuditEvent.objects.filter(action="file.attach", object_id=str(stored.pk)).count() == 1
    file_attach(file=stored, obj=target, actor=owner)  # idempotent
    assert AuditEvent.objects.filter(action="file.attach").count() == 1


def test_file_attaches_to_one_object_only(owner, make_user, stored):
    first, second = make_user(), make_user()
    file_attach(file=stored, obj=first, actor=owner)
    with pytest.raises(Conflict):
        file_attach(file=stored, obj=second, actor=owner)
    stored.refresh_from_db()
    assert stored.attached_id == str(first.pk)


def test_stranger_cannot_attach_or_delete(make_user, stored):
    stranger = make_user()
    with pytest.raises(NotAllowed):
        file_attach(file=stored, obj=stranger, actor=stranger)
    with pytest.raises(NotAllowed):
        file_delete(file=stored, actor=stranger)
    stored.refresh_from_db()
    assert stored.attached_type_id is None and stored.deleted_at is None
    assert not AuditEvent.objects.filter(action__in=["file.attach", "file.delete"]).exists()


def test_owner_soft_deletes(owner, stored, media_files):
    file_delete(file=stored, actor=owner)
    stored.refresh_from_db()
    assert stored.deleted_at is not None
    assert StoredFile.objects.count() == 1 and len(media_files()) == 1  # kept for retention
    assert list(files_of_owner(owner=owner)) == []
    assert AuditEvent.objects.filter(action="file.delete").count() == 1
    with pytest.raises(NotFound):
        file_delete(file=stored, actor=owner)


def test_attached_file_is_deleted_only_by_a_superuser(owner, make_user, stored):
    file_attach(file=stored, obj=owner, actor=owner)
    with pytest.raises(Conflict):
        file_delete(file=stored, actor=owner)
    admin = make_user(is_superuser=True, is_staff=True)
    file_delete(file=stored, actor=admin)
    stored.refresh_from_db()
    assert stored.deleted_at is not None


def test_purpose_must_be_a_simple_name(owner):
    with pytest.raises(ValueError, match="purpose"):
        file_upload(owner=owner, uploaded=SimpleUploadedFile("don.pdf", samples.pdf()), purpose="../x")
