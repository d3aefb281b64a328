"""manage.py load_region [folder]: load a region pack (places, organisations, teams, services)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from joinedup.directory.loading import PackError, load_region
from joinedup.reporting.deprivation import DeprivationFileError, load_deprivation


class Command(BaseCommand):
    help = (
        "Load a region pack. Every file is checked first and the whole pack is refused, changing nothing, "
        "if any row is wrong; then areas, localities, PCNs, practices, organisations and teams are created "
        "or updated in one transaction. Loading the same pack again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "folder",
            nargs="?",
            help="the region pack folder (default: settings.REGION_PACK, Lancashire and South Cumbria)",
        )

    def handle(self, *args, folder=None, **options):
        try:
            summary = load_region(Path(folder or settings.REGION_PACK))
        except PackError as error:
            raise CommandError(str(error)) from None
        for line in summary.lines():
            self.stdout.write(line)
        try:  # the pack's deprivation lookup, which reporting owns (reporting/deprivation.py)
            lines = load_deprivation(Path(folder or settings.REGION_PACK))
        except DeprivationFileError as error:
            raise CommandError(str(error)) from None
        for line in lines:
            self.stdout.write(line)
