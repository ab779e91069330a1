"""``tinhso procedures_import catalogue.xlsx``: create or update procedures from an Excel file."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tinhso.core.errors import DomainError
from tinhso.procedures import excel


class Command(BaseCommand):
    help = "Nhập danh mục thủ tục hành chính từ tệp Excel (cùng định dạng với procedures_export)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="đường dẫn tệp .xlsx")

    def handle(self, *args, path: str, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"Không tìm thấy tệp: {path}")
        try:
            with file.open("rb") as handle:
                result = excel.import_workbook(actor=None, file=handle)
        except DomainError as exc:
            details = exc.details.get("errors", []) if isinstance(exc.details, dict) else []
            for line in details:
                self.stderr.write(f"  {line}")
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(
            f"Đã nhập: {result['created']} thủ tục mới, {result['updated']} thủ tục cập nhật."
        ))
