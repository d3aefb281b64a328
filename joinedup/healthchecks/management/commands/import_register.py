import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from joinedup.healthchecks.registers import import_register


class Command(BaseCommand):
    help = "Import a GP practice's SMI register extract (PRACTICE_FILES.md): all valid rows or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--practice", help="ODS code of the practice, when the file has no practice_code column")
        parser.add_argument("--json", action="store_true", help="print the outcome as one JSON object")

    def handle(self, *args, file, practice=None, json=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file at {path}")
        with open(path, "rb") as f:
            outcome = import_register(f, filename=path.name, practice_code=practice)
        if json:
            self.stdout.write(_json_dumps(outcome.as_json()))
        elif outcome.refused:
            self.stdout.write(f"File refused: {outcome.refused}")
        else:
            self.stdout.write(
                f"{outcome.rows} rows: {outcome.added} added, {outcome.updated} updated, "
                f"{outcome.unchanged} unchanged, "
                f"{outcome.left} left the register, {outcome.rejected} rejected"
            )
            for error in outcome.errors:
                self.stdout.write(f"  line {error['line']}: {error['reason']}")
        if outcome.refused:
            raise SystemExit(1)


def _json_dumps(data):
    return json.dumps(data)
