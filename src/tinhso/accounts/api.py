"""/api/v1/accounts: the caller's own account."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from tinhso.accounts import services
from tinhso.accounts.phone import mask_email, mask_phone
from tinhso.accounts.selectors import memberships_summary

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    agency: str
    agency_name: str
    role: str
    role_name: str


class MeOut(Schema):
    public_id: uuid.UUID
    full_name: str
    kind: str
    email_masked: str
    phone_masked: str
    preferred_language: str
    requires_mfa: bool
    memberships: list[MembershipOut]


class MePatch(Schema):
    full_name: str | None = Field(default=None, max_length=150)
    preferred_language: str | None = Field(default=None, max_length=5)


class TokenOut(Schema):
    public_id: uuid.UUID
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


def _me(user) -> dict:
    return {
        "public_id": user.public_id,
        "full_name": user.full_name,
        "kind": user.kind,
        "email_masked": mask_email(user.email),
        "phone_masked": mask_phone(user.phone),
        "preferred_language": user.preferred_language,
        "requires_mfa": user.requires_mfa,
        "memberships": memberships_summary(user),
    }


@router.get("/me", response=MeOut, summary="Tài khoản của người gọi")
def me(request: HttpRequest):
    return _me(request.user)


@router.patch("/me", response=MeOut, summary="Sửa họ tên, ngôn ngữ")
def me_update(request: HttpRequest, payload: MePatch):
    user = services.user_update(
        actor=request.user,
        user=request.user,
        full_name=payload.full_name,
        preferred_language=payload.preferred_language,
        request=request,
    )
    return _me(user)


@router.get("/me/tokens", response=list[TokenOut], summary="Mã truy cập API đứng tên người gọi")
def my_tokens(request: HttpRequest):
    return list(request.user.api_tokens.order_by("-created_at"))
