"""``tinhso procedures_export [catalogue.xlsx]``: write the whole catalogue to an Excel file."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from tinhso.procedures import excel


class Command(BaseCommand):
    help = "Xuất toàn bộ danh mục thủ tục hành chính ra tệp Excel."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default="thu-tuc-hanh-chinh.xlsx", help="tệp .xlsx sẽ ghi")

    def handle(self, *args, path: str, **options):
        Path(path).write_bytes(excel.export_workbook())
        self.stdout.write(self.style.SUCCESS(f"Đã xuất danh mục thủ tục ra {path}."))
