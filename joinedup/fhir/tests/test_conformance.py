"""Conformance: what the API returns validates against the UK Core profiles it declares, with zero errors.

Every response in these tests is already parsed by fhir.resources (helpers.fhir_get). Here a sample of each kind
of resource the API returns is also validated against the UK Core STU2 StructureDefinitions, value sets and code
systems in ../shared/data/fhir-ukcore, with pyfhircheck: a profile validator in pure Python (FHIRPath by
fhirpathpy), so it runs here and on CI without Java. The package is published as XML; pyfhircheck reads JSON,
so the definitions are converted once per test session with fhir.resources. Where ../shared is absent these
tests are skipped and say so; CI has it.
"""

import copy
import os
import re
from pathlib import Path

import pytest
from django.conf import settings

from joinedup.directory.models import Organisation, OrganisationKind
from joinedup.fhir.mappers.emdt import TASK_STATUSES
from joinedup.healthchecks.models import RegisterEntry

from .helpers import fhir_get

pytestmark = pytest.mark.django_db
UKCORE = Path(os.environ.get("JOINEDUP_UKCORE_DIR", settings.BASE_DIR.parent / "shared" / "data" / "fhir-ukcore"))


@pytest.fixture(scope="session")
def ukcore(tmp_path_factory):
    if not (UKCORE / "structuredefinitions").is_dir():
        pytest.skip(f"UK Core validation skipped: no UK Core package at {UKCORE} (../shared is absent here)")
    from fhir.resources.R4B import get_fhir_model_class
    from lxml import etree
    from pyfhircheck import Validator
    from pyfhircheck.config import ValidatorConfig

    folder = tmp_path_factory.mktemp("ukcore-json")
    for path in sorted(UKCORE.rglob("*.xml")):
        resource_type = etree.parse(str(path)).getroot().tag.rpartition("}")[2]
        model = get_fhir_model_class(resource_type).model_validate_xml(path.read_bytes())
        (folder / f"{path.stem}.json").write_text(model.model_dump_json())
    return Validator(ValidatorConfig(local_package_paths=[str(folder)]))


# pyfhircheck 0.2.0 builds the base elements from fhir.resources' R4B models, and two of their shortcuts read as
# errors: an enumeration of more than four codes is cut to four and '+' (Task.status 'in-progress' and
# 'completed' then look unbound), and an element named `text` inside a backbone element is taken for the
# narrative and dropped (QuestionnaireResponse.item.text, which R4 has). Only exactly these are set aside.
R4_TASK_STATUSES = set(TASK_STATUSES)
VALIDATOR_SHORTCUTS = (
    re.compile(r"^terminology\.required: Code '(?P<code>[a-z-]+)' is not in required ValueSet _r4b_status_\d+$"),
    re.compile(r"^element\.unknown: Unknown element QuestionnaireResponse\.item\[\d+\]\.text$"),
)


def _shortcut(problem: str, resource: dict) -> bool:
    task_status, item_text = (pattern.match(problem) for pattern in VALIDATOR_SHORTCUTS)
    if task_status:
        return resource.get("resourceType") in ("Task", "Bundle") and task_status["code"] in R4_TASK_STATUSES
    return bool(item_text)


def errors(validator, resource) -> list[str]:
    report = validator.validate_resource(resource)
    problems = [f"{i.code}: {i.message}" for i in report.issues if i.severity.name == "ERROR"]
    return [p for p in problems if not _shortcut(p, resource)]


def test_every_kind_of_resource_the_api_returns_validates_against_uk_core(ukcore, http, token, hc_check, practice):
    person = hc_check.person
    practice_org = Organisation.objects.get(code=practice.ods_code)
    charity = Organisation.objects.filter(kind=OrganisationKind.VCFSE).first()
    entry = RegisterEntry.objects.get(person=person)
    urls = [
        f"/fhir/R4/Patient/{person.pk}",
        f"/fhir/R4/Patient?family={person.family_name}",
        f"/fhir/R4/Organization/{practice_org.pk}",
        f"/fhir/R4/Organization/{charity.pk}",
        "/fhir/R4/Organization?name=Lancashire",
        f"/fhir/R4/Observation?patient={person.pk}",
        f"/fhir/R4/Condition/{entry.pk}",
        f"/fhir/R4/Condition?patient={person.pk}",
        "/fhir/R4/Patient?colour=blue",
        "/fhir/R4/Patient/0",
        "/fhir/R4/metadata",
    ]
    found = {}
    for url in urls:
        resource = fhir_get(http, url, token).resource
        found[url] = errors(ukcore, resource)
        for item in resource.get("entry", []):
            found[f"{url} {item['fullUrl']}"] = errors(ukcore, item["resource"])
    assert len(found) > len(urls)
    assert {url: problems for url, problems in found.items() if problems} == {}


def test_the_validator_holds_the_patient_to_the_uk_core_profile(ukcore, http, token, person):
    """A Patient with two NHS numbers breaks UK Core's identifier slicing: proof the profile is applied."""
    patient = fhir_get(http, f"/fhir/R4/Patient/{person.pk}", token).resource
    assert errors(ukcore, patient) == []
    broken = copy.deepcopy(patient)
    broken["identifier"].append(copy.deepcopy(patient["identifier"][0]))
    assert any("nhsNumber" in problem for problem in errors(ukcore, broken))


def test_every_resource_of_the_record_validates_against_uk_core(ukcore, http, practice_client, ig_token, whole_record):
    """One of each: every compartment resource (searched, so every row of each is validated), the history of the
    care plan and a goal, a practitioner, a role and an audit event."""
    from joinedup.accounts.models import Membership
    from joinedup.core.models import AuditEvent
    from joinedup.fhir.sources import COMPARTMENTS

    from .helpers import bearer

    token = bearer(practice_client)
    person, clinician = whole_record["person"], whole_record["plan"].agreed_by
    urls = [f"/fhir/R4/{name}?patient={person.pk}&_count=100" for name in COMPARTMENTS]
    urls += [
        f"/fhir/R4/CarePlan/{person.pk}/_history",
        f"/fhir/R4/Goal/{whole_record['goal'].key}/_history",
        f"/fhir/R4/CarePlan?patient={person.pk}&_include=CarePlan:subject",
        f"/fhir/R4/Practitioner/{clinician.pk}",
        f"/fhir/R4/PractitionerRole/{Membership.objects.filter(user=clinician).first().pk}",
    ]
    found = {}
    for url in urls:
        resource = fhir_get(http, url, token).resource
        found[url] = errors(ukcore, resource)
        for item in resource.get("entry", []):
            found[f"{url} {item['fullUrl']}"] = errors(ukcore, item["resource"])
        if resource["resourceType"] == "Bundle":
            assert resource.get("entry"), f"{url} found nothing to validate"
    audit = AuditEvent.objects.filter(person=person).latest("id")
    found["AuditEvent"] = errors(ukcore, fhir_get(http, f"/fhir/R4/AuditEvent/{audit.pk}", ig_token).resource)
    assert {url: problems for url, problems in found.items() if problems} == {}
