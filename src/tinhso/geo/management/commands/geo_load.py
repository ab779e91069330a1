from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tinhso.core.errors import DomainError
from tinhso.geo import services


class Command(BaseCommand):
    help = "Load (or refresh) a province and its communes/wards from the vietnam-provinces package. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--province", type=int, default=None, help="province code (default: TINHSO_PROVINCE)")
        parser.add_argument("--demo-hamlets", action="store_true", help="also create a few illustrative hamlets")

    def handle(self, *args, province=None, demo_hamlets=False, **options):
        code = province if province is not None else settings.TINHSO_PROVINCE
        try:
            result = services.load_province(province_code=code)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            f"✓ {result.total} đơn vị hành chính cấp xã của {result.province.full_name}: "
            f"{result.created} mới, {result.updated} cập nhật, {result.unchanged} không đổi, "
            f"{result.deactivated} ngưng hiệu lực"
        )
        if demo_hamlets:
            created = services.demo_hamlets_load(province=result.province)
            self.stdout.write(f"✓ {created} ấp, khóm mẫu")
