"""``tinhso stats_rebuild``: recompute the dossier statistics read model from the dossiers."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Recompute the pre-aggregated dossier statistics (per agency, day and channel) from the dossiers. "
        "Needed only after data was changed without the services (bulk loads, restores, fixes in SQL); "
        "idempotent, one transaction."
    )

    def handle(self, *args, **options):
        from tinhso.dossiers.stats_store import stats_rebuild

        result = stats_rebuild(progress=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(
            f"✓ statistics rebuilt: {result['entries']:,} dossiers, {result['days']:,} daily rows "
            f"in {result['seconds']} s"))
