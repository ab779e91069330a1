from django.core.management.base import BaseCommand, CommandError

from tinhso.core.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo province (administrative units, agencies, demo accounts, calendar). Idempotent. "
        "--scale N then adds N synthetic dossiers over the last 24 months (load tests, benchmarks); "
        "--purge-synthetic removes every synthetic dossier, field report and their applicants."
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", type=int, default=None, help="province code (default: TINHSO_PROVINCE)")
        parser.add_argument("--scale", type=int, default=0, metavar="N",
                            help="add N synthetic dossiers after loading the demo (default 0)")
        parser.add_argument("--purge-synthetic", action="store_true",
                            help="remove the synthetic dossiers and applicants first")
        parser.add_argument("--batch-size", type=int, default=5000, help="rows per bulk insert (default 5000)")
        parser.add_argument("--seed", type=int, default=None, help="random seed of the synthetic data")

    def handle(self, *args, province=None, scale=0, purge_synthetic=False, batch_size=5000, seed=None, **options):
        if scale < 0:
            raise CommandError("--scale must be 0 or more.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        load_demo(province_code=province, log=lambda msg: self.stdout.write(msg))
        from tinhso.accounts.demo import describe_accounts

        self.stdout.write(describe_accounts())
        from tinhso.dossiers import synthetic

        if purge_synthetic:
            # Synthetic field reports first: their reporters are synthetic users too.
            from tinhso.feedback.synthetic import synthetic_purge as feedback_purge

            self.stdout.write("Removing synthetic field reports …")
            feedback_purge(progress=self._line)
            self.stdout.write("Removing synthetic dossiers …")
            synthetic.synthetic_purge(progress=self._line)
        if scale:
            self.stdout.write(f"Generating {scale:,} synthetic dossiers …")
            result = synthetic.synthetic_generate(n=scale, batch_size=batch_size, seed=seed, progress=self._line)
            self.stdout.write(
                f"✓ {result.dossiers:,} synthetic dossiers, {result.steps:,} steps, {result.users:,} applicants, "
                f"{result.intents:,} paid fees, {result.ratings:,} ratings, {result.documents:,} paper documents "
                f"in {result.seconds} s"
            )

    def _line(self, msg: str) -> None:
        self.stdout.write(msg)
        self.stdout.flush()
