"""Load the community directory: the synthetic directory for every locality, or offers from a CSV file.

    manage.py load_directory_offers                     # synthetic, 40 offers per locality
    manage.py load_directory_offers --per-locality 300
    manage.py load_directory_offers --file offers.csv   # columns as offers_load expects

Loading the same offers again changes nothing. A file with any bad row loads nothing and lists every bad row.
"""

import csv

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from joinedup.directory.models import Locality
from joinedup.peersupport.directory_data import synthetic_offers
from joinedup.peersupport.services import offers_load


class Command(BaseCommand):
    help = "Load community activities and VCFSE offers into the directory"

    def add_arguments(self, parser):
        parser.add_argument("--file", help="a CSV file of offers (UTF-8)")
        parser.add_argument("--per-locality", type=int, default=40)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, file=None, per_locality=40, seed=2026, **options):
        if file:
            try:
                with open(file, encoding="utf-8-sig", newline="") as f:
                    rows = list(csv.DictReader(f))
            except (OSError, UnicodeDecodeError) as e:
                raise CommandError(f"Cannot read {file}: {e}") from e
        else:
            localities = list(Locality.objects.order_by("code").values_list("code", "name"))
            if not localities:
                raise CommandError("Load the region first: manage.py load_region")
            rows = synthetic_offers(localities, per_locality=per_locality, seed=seed)
        try:
            result = offers_load(rows)
        except ValidationError as e:
            raise CommandError("Nothing loaded. Problems:\n" + "\n".join(e.messages)) from e
        self.stdout.write(
            f"Directory: {result['created']} offers added, {result['updated']} changed ({len(rows)} in the source)"
        )
