"""PDF documents in Vietnamese (receipts, slips, forms) with fpdf2.

Fonts: a TrueType family covering Vietnamese is needed (the PDF core fonts have no Vietnamese
letters). ``TINHSO_PDF_FONT_DIR`` may point to a folder with ``DejaVuSans.ttf`` and
``DejaVuSans-Bold.ttf``; otherwise Debian's fonts-dejavu-core folder is used.
"""

from __future__ import annotations

import io
from pathlib import Path

import qrcode
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from fpdf import FPDF

FONT_DIRS = [
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
]
FAMILY = "DejaVu"


def _font_dir() -> Path:
    configured = getattr(settings, "TINHSO_PDF_FONT_DIR", "")
    for candidate in ([Path(configured)] if configured else []) + FONT_DIRS:
        if (candidate / "DejaVuSans.ttf").is_file() and (candidate / "DejaVuSans-Bold.ttf").is_file():
            return candidate
    raise ImproperlyConfigured(
        "No Vietnamese-capable font found: install Debian's fonts-dejavu-core or set TINHSO_PDF_FONT_DIR "
        "to a folder with DejaVuSans.ttf and DejaVuSans-Bold.ttf."
    )


class VietnameseDocument(FPDF):
    """An A4 page with the national motto header, in a Vietnamese-capable font."""

    def __init__(self, *, title: str, issuer: str = "") -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        fonts = _font_dir()
        self.add_font(FAMILY, "", str(fonts / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(fonts / "DejaVuSans-Bold.ttf"))
        self.set_title(title)
        self.set_creator(settings.TINHSO_SITE_NAME)
        self.set_author(issuer or settings.TINHSO_SITE_NAME)
        self.set_margins(20, 15, 15)
        self.set_auto_page_break(auto=True, margin=15)
        self.issuer = issuer
        self.doc_title = title
        self.add_page()
        self._header_block()

    def _header_block(self) -> None:
        width = (self.w - self.l_margin - self.r_margin) / 2
        top = self.get_y()
        self.set_font(FAMILY, "B", 10)
        self.multi_cell(width, 5, (self.issuer or "").upper(), align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_xy(self.l_margin + width, top)
        self.multi_cell(width, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_x(self.l_margin + width)
        self.set_font(FAMILY, "B", 10)
        self.multi_cell(width, 5, "Độc lập - Tự do - Hạnh phúc", align="C", new_x="LMARGIN", new_y="NEXT")
        self.ln(8)
        self.set_font(FAMILY, "B", 14)
        self.multi_cell(0, 7, self.doc_title.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
        self.ln(4)
        self.set_font(FAMILY, "", 11)

    def paragraph(self, text: str, *, bold: bool = False, size: int = 11, align: str = "L") -> None:
        self.set_font(FAMILY, "B" if bold else "", size)
        self.multi_cell(0, 6, text, align=align, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FAMILY, "", 11)

    def field(self, label: str, value: str) -> None:
        self.set_font(FAMILY, "B", 11)
        self.write(6, f"{label}: ")
        self.set_font(FAMILY, "", 11)
        self.multi_cell(0, 6, value or "—", new_x="LMARGIN", new_y="NEXT")

    def table(self, headers: list[str], rows: list[list[str]], widths: list[float] | None = None) -> None:
        """A bordered table with a heading row, in a smaller font."""
        self.set_font(FAMILY, "", 9)
        with super().table(col_widths=widths, text_align="LEFT", line_height=5, first_row_as_headings=True) as table:
            for values in [headers, *rows]:
                row = table.row()
                for value in values:
                    row.cell(str(value))
        self.set_font(FAMILY, "", 11)

    def qr(self, data: str, *, size_mm: float = 30, x: float | None = None, y: float | None = None) -> None:
        self.image(qr_png(data), x=x, y=y, w=size_mm, h=size_mm)

    def signature_block(self, place_date: str, position: str, name: str = "") -> None:
        width = (self.w - self.l_margin - self.r_margin) / 2
        self.ln(6)
        self.set_x(self.l_margin + width)
        self.set_font(FAMILY, "", 10)
        self.multi_cell(width, 5, place_date, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_x(self.l_margin + width)
        self.set_font(FAMILY, "B", 11)
        self.multi_cell(width, 6, position.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
        self.ln(16)
        if name:
            self.set_x(self.l_margin + width)
            self.multi_cell(width, 6, name, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font(FAMILY, "", 11)

    def to_bytes(self) -> bytes:
        return bytes(self.output())


def qr_png(data: str) -> io.BytesIO:
    """A QR code as PNG bytes (error correction M), for embedding in PDFs."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=6, border=2)
    qr.add_data(data)
    qr.make(fit=True)
    buf = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(buf, format="PNG")
    buf.seek(0)
    return buf


def qr_svg(data: str) -> str:
    """A QR code as an inline SVG string (no external request, no script), for HTML pages."""
    import qrcode.image.svg

    img = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return img.to_string(encoding="unicode")
