"""Patient versions: the record keeps its current state; the versions it replaces are kept as they were served.

A Person's `version` moves on with every change of their details, whichever service makes it (staff pages, the
person's own Joined Up, a FHIR update). Just before such a save, the row as it still stands in the database is
mapped to a Patient and kept (PatientVersion). This is a `pre_save` receiver rather than a call in each people
service so the people app does not depend on the API; it runs inside the service's own transaction, so a change
that is rolled back leaves no version behind.
"""

import json

from django.db.models.signals import pre_save

from .mappers.patient import patient_resource


def keep_superseded_patient(sender, instance, raw=False, **kwargs):
    from .models import PatientVersion

    if raw or instance._state.adding or instance.pk is None:
        return
    stored = sender.objects.select_related("practice").filter(pk=instance.pk).first()
    if stored is None or stored.version == instance.version:
        return
    resource = json.loads(patient_resource(stored).model_dump_json())
    PatientVersion.objects.bulk_create(
        [PatientVersion(person_id=stored.pk, version=stored.version, resource=resource)], ignore_conflicts=True
    )


def patient_versions(person) -> list[dict]:
    """Every version of the person's Patient this server keeps, newest first: the current one, then those kept."""
    from .models import PatientVersion

    current = json.loads(patient_resource(person).model_dump_json())
    kept = PatientVersion.objects.filter(person=person, version__lt=person.version).order_by("-version")
    return [current, *(row.resource for row in kept)]


def connect():
    from joinedup.people.models import Person

    pre_save.connect(keep_superseded_patient, sender=Person, dispatch_uid="fhir-keep-superseded-patient")
