"""Bulk Data Access (HL7 FHIR Bulk Data 2.0): system, Patient and Group level $export, run on the task worker.

The export reads as the client's service account, under the same access policy as every other read: the people are
`visible_people(account)` (for a Group, those of them in the group), each type's rows come from the same sources and
mappers as search and read (sources.py), a source needs its permission and, for parts of the care plan, the
person's sharing choice. Every person exported is audited once per export (`export`).

Groups: `register-<organisation id>` (the people on a health check provider's SMI register, not left) and
`emdt-<team id>` (an EMDT's caseload: people with an accepted or discussed request to that team).
"""

import datetime as dt
import json
import logging
import shutil
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from joinedup.accounts.roles import Perm
from joinedup.core.access import may, visible_people
from joinedup.core.audit import audit_list
from joinedup.core.models import AuditAction

from .compartment import _shares, with_id
from .mappers.condition import condition_resource
from .mappers.patient import patient_data
from .models import ExportJob

logger = logging.getLogger(__name__)
CHUNK = 500  # people read at a time
HEARTBEAT_STALE = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 2
NDJSON = "application/fhir+ndjson"
OUTPUT_FORMATS = {"application/fhir+ndjson", "application/ndjson", "ndjson"}


def _json_number(value):
    """A Decimal (a health check's measurement) as a JSON number, as fhir.resources writes it."""
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


_ENCODER = json.JSONEncoder(separators=(",", ":"), default=_json_number)
AUDIT_BATCH = 10_000  # audit events written per INSERT at the end of an export, so memory stays flat


def exportable() -> tuple[str, ...]:
    from .sources import COMPARTMENTS

    return ("Patient", "Condition", *COMPARTMENTS)


def job_dir(job) -> Path:
    return Path(settings.FHIR_EXPORT_DIR) / job.pk


def group_named(group: str):
    """(the Group's name, the person ids in it as a subquery), or None when there is no such group."""
    kind, _, rest = group.partition("-")
    if not rest.isascii() or not rest.isdigit() or len(rest) > 18:
        return None
    if kind == "register":
        from joinedup.directory.models import Organisation
        from joinedup.healthchecks.models import RegisterEntry

        organisation = Organisation.objects.filter(pk=int(rest)).first()
        if organisation is None:
            return None
        members = RegisterEntry.objects.filter(provider_id=int(rest), left_on__isnull=True).values("person_id")
        return f"SMI register: {organisation.name}", members
    if kind == "emdt":
        from joinedup.directory.models import Team, TeamKind
        from joinedup.referrals.models import EmdtRequest, RequestState

        team = Team.objects.filter(pk=int(rest), kind=TeamKind.EMDT).first()
        if team is None:
            return None
        states = (RequestState.ACCEPTED, RequestState.DISCUSSED)
        return f"EMDT caseload: {team.name}", EmdtRequest.objects.filter(team_id=int(rest), state__in=states).values(
            "person_id"
        )
    return None


def group_people(group: str):
    """The person ids in a Group, or None when there is no such group."""
    named = group_named(group)
    return None if named is None else named[1]


def _people(job, by):
    people = visible_people(by)
    if job.level == "group":
        people = people.filter(pk__in=group_people(job.group))
    return people


def _recent(resource: dict, since) -> bool:
    updated = resource.get("meta", {}).get("lastUpdated")
    return since is None or not updated or dt.datetime.fromisoformat(updated) >= since


def _write_type(job, by, kind: str, people_ids: list[int], out) -> tuple[int, set[int]]:
    """Write every resource of one type for these people; (how many, whose)."""
    from .sources import COMPARTMENTS

    count, whose = 0, set()

    def emit(person_id, resource):
        nonlocal count
        if _recent(resource, job.since):
            out.write(_ENCODER.encode(resource) + "\n")
            count += 1
            whose.add(person_id)

    if kind == "Patient":
        for person in visible_people(by).filter(pk__in=people_ids).select_related("practice").order_by("pk"):
            emit(person.pk, patient_data(person))
    elif kind == "Condition":
        from joinedup.healthchecks.models import RegisterEntry

        if not may(by, Perm.HC_VIEW):
            return 0, set()
        allowed = visible_people(by, Perm.HC_VIEW).filter(pk__in=people_ids)
        for entry in RegisterEntry.objects.filter(person__in=allowed).order_by("person_id", "id"):
            emit(entry.person_id, json.loads(condition_resource(entry).model_dump_json()))
    else:
        for source in COMPARTMENTS[kind].sources:
            if not may(by, source.perm):
                continue
            visible = visible_people(by, source.perm).filter(pk__in=people_ids)
            allowed = list(visible.values_list("pk", flat=True))
            rows = list(source.rows(allowed)) if allowed else []
            if rows and source.section:  # the person's choice to share that part of the plan, for those with rows
                having = {source.person_of(row) for row in rows}
                sharing = {p.pk for p in visible.filter(pk__in=having) if _shares(by, source, p)}
                rows = [row for row in rows if source.person_of(row) in sharing]
            for row in rows:
                emit(source.person_of(row), with_id(source, source.resource(row)))
    return count, whose


def run(job_id: str) -> None:
    """Write the export's files, type by type, people in chunks; a cancelled job stops at the next chunk."""
    job = ExportJob.objects.select_related("client__user").get(pk=job_id)
    if job.status not in (ExportJob.Status.ACCEPTED, ExportJob.Status.RUNNING):
        return
    by = job.client.user
    folder = job_dir(job)
    shutil.rmtree(folder, ignore_errors=True)  # a restarted job starts again from nothing
    folder.mkdir(parents=True, exist_ok=True)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING, heartbeat_at=timezone.now(), attempts=job.attempts + 1
    )
    ids = list(_people(job, by).order_by("pk").values_list("pk", flat=True))
    output, exported = [], set()
    for number, kind in enumerate(job.types, start=1):
        name = f"{kind}.ndjson"
        total = 0
        with open(folder / name, "w", encoding="utf-8") as out:
            for start in range(0, len(ids), CHUNK):
                count, whose = _write_type(job, by, kind, ids[start : start + CHUNK], out)
                total += count
                exported |= whose
                progress = f"{kind}: {min(start + CHUNK, len(ids))} of {len(ids)} people ({number}/{len(job.types)})"
                alive = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
                    heartbeat_at=timezone.now(), progress=progress[:200]
                )
                if not alive:
                    shutil.rmtree(folder, ignore_errors=True)
                    return
        if total:
            output.append({"type": kind, "file": name, "count": total})
        else:
            (folder / name).unlink()
    with transaction.atomic():
        exported = sorted(exported)
        for start in range(0, max(len(exported), 1), AUDIT_BATCH):
            audit_list(
                by=by,
                what="FHIR bulk export",
                person_ids=exported[start : start + AUDIT_BATCH],
                reason=f"Bulk export {job.pk}",
                action=AuditAction.EXPORT,
            )
        now = timezone.now()
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
            status=ExportJob.Status.DONE,
            output=output,
            finished_at=now,
            expires_at=now + dt.timedelta(hours=settings.FHIR_EXPORT_HOURS),
            progress="Done",
        )


@task()
def export_task(job_id: str) -> None:
    try:
        run(job_id)
    except Exception:
        logger.exception("FHIR export %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED, error="The export could not be completed", finished_at=timezone.now()
        )
        shutil.rmtree(Path(settings.FHIR_EXPORT_DIR) / job_id, ignore_errors=True)


def start(job) -> None:
    export_task.enqueue(job.pk)


def revive_if_worker_died(job) -> ExportJob:
    """A running job whose worker has gone quiet is started again once, then failed; files are cleared."""
    stale = timezone.now() - HEARTBEAT_STALE
    if job.status != ExportJob.Status.RUNNING or (job.heartbeat_at and job.heartbeat_at > stale):
        return job
    if job.attempts >= MAX_ATTEMPTS:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED,
            error="The export's worker stopped twice; ask for a new export",
            finished_at=timezone.now(),
        )
        shutil.rmtree(job_dir(job), ignore_errors=True)
    else:
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.ACCEPTED, progress="Restarting")
        start(job)
    job.refresh_from_db()
    return job


def remove_expired(now=None) -> int:
    """Delete the files of exports past their expiry, and of cancelled or failed ones; the rows stay for audit."""
    now = now or timezone.now()
    gone = ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lte=now)
    removed = 0
    for job in gone:
        shutil.rmtree(job_dir(job), ignore_errors=True)
        removed += 1
    gone.update(status=ExportJob.Status.CANCELLED, output=[], progress="Expired")
    return removed
