"""Shared helpers of the comments-and-ideas tests (no tests here): a consultation of the An
Xuyên People's Committee, open for ideas, built through the services."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import UserFactory
from tinhso.feedback import services_ideas as svc

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="du-thao.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png(name="anh.png"):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def make_consultation(world, *, actor=None, publish=True, days=30, **kw):
    now = timezone.now()
    args = {
        "actor": actor or world.handler, "agency": world.anxuyen_pc,
        "title": "Lấy ý kiến dự thảo quy hoạch chợ phường An Xuyên",
        "summary": "Phường lấy ý kiến người dân về vị trí và quy mô chợ mới.",
        "body": "Dự thảo gồm ba phương án vị trí chợ. Mời người dân, doanh nghiệp góp ý.",
        "opens_at": now - timedelta(hours=1), "closes_at": now + timedelta(days=days),
    }
    args.update(kw)
    c = svc.consultation_create(**args)
    if publish:
        svc.consultation_publish(actor=args["actor"], consultation=c)
    return c


def post(world, c, *, author=None, **kw):
    args = {"author": author or world.citizen, "consultation": c, "title": "Nên giữ chợ cũ, mở rộng thêm",
            "body": "Vị trí chợ cũ thuận tiện cho bà con, chỉ cần mở rộng và làm lại mái che."}
    args.update(kw)
    return svc.idea_post(**args)


@pytest.fixture
def business(db):
    return UserFactory(kind="business", full_name="Công ty TNHH Minh Phát")


@pytest.fixture
def consultation(world):
    return make_consultation(world)


@pytest.fixture
def idea(world, consultation):
    return post(world, consultation)
