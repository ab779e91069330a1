"""Private file downloads: every byte leaves through a permission check."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from django.contrib.auth.views import redirect_to_login
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.views.decorators.http import require_GET

from tinhso.core.errors import NotFound
from tinhso.files.kinds import KINDS
from tinhso.files.selectors import file_get_for_download
from tinhso.files.services import file_record_download


def ascii_fallback(name: str) -> str:
    """An ASCII rendering of a file name for old clients: 'Đơn xin.pdf' → 'Don xin.pdf'."""
    folded = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in folded if not unicodedata.combining(ch))
    text = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;%' else "_" for ch in text)
    return text.strip() or "tep"


def content_disposition(disposition: str, name: str) -> str:
    """RFC 6266 / RFC 5987: an ASCII fallback plus the exact UTF-8 name."""
    return f"{disposition}; filename=\"{ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


@require_GET
def download(request: HttpRequest, public_id) -> HttpResponseBase:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        file = file_get_for_download(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    inline = request.GET.get("inline") == "1" and KINDS[file.kind].inline
    try:
        handle = default_storage.open(file.storage_name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    file_record_download(file=file, user=request.user, request=request)
    response = FileResponse(handle, content_type=file.content_type)
    response["Content-Length"] = str(file.size)
    response["Content-Disposition"] = content_disposition("inline" if inline else "attachment", file.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Shown in the browser: no scripts, no same-origin rights, whatever the file contains.
    response["Content-Security-Policy"] = "sandbox" if inline else "default-src 'none'; sandbox"
    return response
