"""``tinhso feedback_synthetic --reports N [--seed S] [--purge]``: synthetic field reports for load
tests and benchmarks (``tinhso.feedback.synthetic``)."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Add N synthetic field reports spread over the province, the last 24 months, every category and "
        "realistic states (load tests, benchmarks); --purge removes every synthetic report and reporter first. "
        "Needs the demo catalogue (tinhso demo). Synthetic rows write no audit events or notifications."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reports", type=int, default=0, metavar="N", help="number of reports to add (default 0)")
        parser.add_argument("--seed", type=int, default=None, help="random seed of the synthetic data")
        parser.add_argument("--purge", action="store_true", help="remove the synthetic reports and reporters first")
        parser.add_argument("--batch-size", type=int, default=5000, help="rows per bulk insert (default 5000)")

    def handle(self, *args, reports=0, seed=None, purge=False, batch_size=5000, **options):
        if reports < 0:
            raise CommandError("--reports must be 0 or more.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if not reports and not purge:
            raise CommandError("Nothing to do: give --reports N and/or --purge.")
        from tinhso.core.errors import DomainError
        from tinhso.feedback import synthetic

        if purge:
            self.stdout.write("Removing synthetic reports …")
            counts = synthetic.synthetic_purge(progress=self._line)
            self.stdout.write(self.style.SUCCESS(
                f"✓ {counts['reports']:,} synthetic reports and {counts['users']:,} reporters removed"))
        if reports:
            self.stdout.write(f"Generating {reports:,} synthetic reports …")
            try:
                result = synthetic.synthetic_generate(n=reports, batch_size=batch_size, seed=seed, progress=self._line)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(self.style.SUCCESS(
                f"✓ {result.reports:,} synthetic reports, {result.answers:,} public answers, {result.ratings:,} "
                f"ratings, {result.users:,} reporters in {result.seconds} s"))

    def _line(self, msg: str) -> None:
        self.stdout.write(msg)
        self.stdout.flush()
