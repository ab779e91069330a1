from django.core.management.base import BaseCommand, CommandError

from tinhso.core.errors import DomainError
from tinhso.workflow.services import calendar_seed_year


class Command(BaseCommand):
    help = "Add Vietnam's statutory public holidays of the given years to the working-day calendar."

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="+", type=int)

    def handle(self, *args, years, **options):
        for year in years:
            try:
                created = calendar_seed_year(year=year)
            except DomainError as exc:
                raise CommandError(str(exc.message)) from exc
            self.stdout.write(f"{year}: {len(created)} new calendar rows")
