"""``manage.py audit verify [--json]``: check the audit hash chain."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tinhso.audit.verification import verify_chain


class Command(BaseCommand):
    help = "Audit trail tools. `audit verify` walks the hash chain and reports tampering."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="verify the hash chain; exit status 1 on any problem")
        verify.add_argument("--json", action="store_true", help="print the result as JSON")
        verify.add_argument("--chunk-size", type=int, default=2000)

    def handle(self, *args, **options) -> None:
        if options["subcommand"] == "verify":
            self.verify(as_json=options["json"], chunk_size=options["chunk_size"])

    def verify(self, *, as_json: bool, chunk_size: int) -> None:
        result = verify_chain(chunk_size=chunk_size)
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        else:
            for problem in result.problems:
                self.stdout.write(f"PROBLEM [{problem.kind}] {problem.message}")
        if not result.ok:
            raise CommandError(f"FAILED: {len(result.problems)} problem(s) in {result.count} events")
        if not as_json:
            self.stdout.write(f"OK: {result.count} events verified")
