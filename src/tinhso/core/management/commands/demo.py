from django.core.management.base import BaseCommand

from tinhso.core.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo province (administrative units, agencies, demo accounts, calendar). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--province", type=int, default=None, help="province code (default: TINHSO_PROVINCE)")

    def handle(self, *args, province=None, **options):
        load_demo(province_code=province, log=lambda msg: self.stdout.write(msg))
        from tinhso.accounts.demo import describe_accounts

        self.stdout.write(describe_accounts())
