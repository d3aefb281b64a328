from django.core.management.base import BaseCommand

from joinedup.fhir.bulk import remove_expired


class Command(BaseCommand):
    help = "Delete the files of Bulk Data exports past their expiry (run hourly; each kick-off also does it)."

    def handle(self, *args, **options):
        self.stdout.write(f"{remove_expired()} expired export(s) removed")
