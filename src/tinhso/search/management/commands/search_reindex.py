from django.core.management.base import BaseCommand, CommandError

from tinhso.core.errors import DomainError
from tinhso.search.registry import providers
from tinhso.search.services import search_rebuild_backend, search_reindex


class Command(BaseCommand):
    help = "Re-index every registered search kind (or those given), dropping stale documents."

    def add_arguments(self, parser):
        parser.add_argument("kinds", nargs="*", help="kinds to re-index (default: all registered)")
        parser.add_argument(
            "--backend-only",
            action="store_true",
            help="only rebuild the database full-text table from the stored documents",
        )

    def handle(self, *args, kinds, backend_only, **options):
        if backend_only:
            count = search_rebuild_backend()
            self.stdout.write(f"rebuilt the full-text index of {count} documents")
            return
        if not providers():
            self.stdout.write("no search providers are registered")
            return
        try:
            counts = search_reindex(kinds=kinds or None)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        for kind, count in counts.items():
            self.stdout.write(f"{kind}: {count} documents indexed")
