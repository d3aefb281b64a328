import json
import tempfile
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
        # Every rejected row is reported, streamed through a temporary file rather than held in memory.
        with tempfile.TemporaryFile("w+", encoding="utf-8") as spool, open(path, "rb") as f:

            def on_error(line, reason):
                spool.write(_json_dumps({"line": line, "reason": reason}) + "\n")

            outcome = import_register(f, filename=path.name, practice_code=practice, on_error=on_error)
            spool.seek(0)
            if json:
                data = outcome.as_json()
                del data["errors"]
                self.stdout.write(_json_dumps(data)[:-1] + ', "errors": [', ending="")
                # A refused file imports nothing: the rows rejected before the refusal are not reported.
                for i, error in enumerate(() if outcome.refused else spool):
                    self.stdout.write((", " if i else "") + error.rstrip("\n"), ending="")
                self.stdout.write("]}")
            elif outcome.refused:
                self.stdout.write(f"File refused: {outcome.refused}")
            else:
                self.stdout.write(
                    f"{outcome.rows} rows: {outcome.added} added, {outcome.updated} updated, "
                    f"{outcome.unchanged} unchanged, "
                    f"{outcome.left} left the register, {outcome.rejected} rejected"
                )
                for error in spool:
                    data = _json_loads(error)
                    self.stdout.write(f"  line {data['line']}: {data['reason']}")
        if outcome.refused:
            raise SystemExit(1)


def _json_dumps(data):
    return json.dumps(data)


def _json_loads(text):
    return json.loads(text)
