"""manage.py partitions: list the audit trail's and the timeline's monthly partitions, make the coming ones, or
detach old months for archiving (docs/operations.md)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from joinedup.ops import partitions


class Command(BaseCommand):
    help = "List, make ahead, or detach the monthly partitions of the audit trail and the timeline (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--ahead", action="store_true", help="make this month's and the coming months' now")
        parser.add_argument("--detach", metavar="YYYY-MM", help="detach this month's partitions (both tables)")
        parser.add_argument("--table", choices=partitions.TABLES, help="with --detach: only this table")

    def handle(self, *args, ahead=False, detach=None, table=None, **options):
        if not any(partitions.is_partitioned(t) for t in partitions.TABLES):
            raise CommandError("No partitioned tables here (SQLite, or core migration 0008 not applied)")
        if ahead:
            for name in partitions.ensure_ahead(timezone.now().date(), settings.PARTITION_MONTHS_AHEAD):
                self.stdout.write(f"made {name}")
        if detach:
            try:
                month = partitions.parse_month(detach)
                for t in [table] if table else partitions.TABLES:
                    name = partitions.detach(t, month)
                    self.stdout.write(f"detached {name}: archive it (pg_dump -t {name}), then DROP TABLE {name}")
            except ValueError as error:
                raise CommandError(str(error)) from error
        if not ahead and not detach:
            for t in partitions.TABLES:
                for name, bounds, rows in partitions.partitions(t):
                    self.stdout.write(f"{name:40} {rows:>12} rows (estimate)  {bounds}")
