import pytest

from joinedup.demo.synthetic import bulk_insert_people
from joinedup.people.models import CommunicationNeed, Person


@pytest.mark.django_db
def test_bulk_insert_adds_exactly_the_people_asked_for_in_batches(region):
    reports = []
    inserted = bulk_insert_people(count=250, seed=7, batch_size=100, progress=lambda d, t: reports.append((d, t)))
    assert inserted == 250
    assert Person.objects.count() == 250
    assert reports == [(100, 250), (200, 250), (250, 250)]
    assert Person.objects.filter(nhs_number__startswith="999").count() == 250
    assert CommunicationNeed.objects.exists()


@pytest.mark.django_db
def test_bulk_insert_can_continue_from_where_it_stopped(region):
    bulk_insert_people(count=120, seed=7)
    bulk_insert_people(count=80, seed=7, start=120)
    assert Person.objects.count() == 200
    assert Person.objects.values("nhs_number").distinct().count() == 200
