from django.core.management import call_command
from django.core.management.base import BaseCommand

from tinhso.core.demo import demo_is_loaded, load_demo


class Command(BaseCommand):
    help = "Prepare this installation: migrate, collect static files, load the demo province when the database is empty."

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="never load the demo province")

    def handle(self, *args, no_demo=False, **options):
        from django.conf import settings

        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("✓ database migrated")
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write("✓ static files collected")
        if not no_demo and not demo_is_loaded():
            self.stdout.write("Loading the demo province …")
            load_demo(log=lambda msg: self.stdout.write(msg))
        if not no_demo:
            from tinhso.accounts.demo import describe_accounts

            self.stdout.write(describe_accounts())
