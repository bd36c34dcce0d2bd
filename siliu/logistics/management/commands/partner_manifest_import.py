"""``siliu partner_manifest_import CODE FILE --reference R --contact-phone P``: receive a manifest CSV."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from siliu.core.errors import DomainError
from siliu.logistics.partners.selectors import partner_get
from siliu.logistics.partners.services import ManifestRefused, manifest_receive, manifest_rows_from_csv


class Command(BaseCommand):
    help = "Receive a partner courier's handover manifest from a CSV file (all rows or none)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("partner", help="partner code, e.g. sf")
        parser.add_argument("file", type=Path, help="the manifest CSV (UTF-8 or GBK)")
        parser.add_argument("--reference", required=True, help="the manifest's reference (idempotency key)")
        parser.add_argument("--contact-phone", required=True, help="handover contact, E.164")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = manifest_receive(
                partner=partner_get(code=options["partner"]),
                reference=options["reference"],
                rows=manifest_rows_from_csv(options["file"].read_bytes()),
                contact_phone=options["contact_phone"],
                received_by=None,
            )
        except ManifestRefused as refused:
            for error in refused.row_errors:
                self.stderr.write(f"row {error.row} {error.field}: {error.code}: {error.message}")
            raise CommandError(refused.message) from None
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message}") from None
        except OSError as error:
            raise CommandError(str(error)) from None
        verb = "received" if result.created else "already received"
        self.stdout.write(f"{verb} {result.manifest.reference}: {result.manifest.parcel_count} parcel(s)")
