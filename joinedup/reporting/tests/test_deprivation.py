"""Deprivation: the region pack's LSOAs and postcode lookup, and every measure report split by IMD quintile."""

import csv
import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from joinedup.reporting.deprivation import (
    NOT_KNOWN,
    DeprivationFileError,
    load_deprivation,
    locality_lads,
    quintile_label,
)
from joinedup.reporting.filters import Area, Period, practice_geography
from joinedup.reporting.measures import Measure, measure_figures
from joinedup.reporting.models import Lsoa, PostcodeLsoa
from joinedup.reporting.queries import TOTAL

pytestmark = pytest.mark.django_db


def test_quintiles_pair_the_deciles():
    assert quintile_label(1) == quintile_label(2) == "1 (most deprived)"
    assert quintile_label(5) == "3" and quintile_label(10) == "5 (least deprived)"
    assert quintile_label(None) == NOT_KNOWN


def test_the_lsc_pack_holds_every_lsoa_of_its_districts_with_its_decile():
    lines = load_deprivation(settings.REGION_PACK)
    assert "1049 created" in lines[0]
    assert Lsoa.objects.count() == 1049
    assert set(Lsoa.objects.values_list("imd_decile", flat=True)) == set(range(1, 11))
    blackpool = Lsoa.objects.filter(lad_name="Blackpool")
    assert blackpool.count() == 94 and blackpool.filter(imd_decile=1).count() > 30  # as IoD2019 says
    assert "0 created, 0 updated, 1049 unchanged" in load_deprivation(settings.REGION_PACK)[0]  # twice: no change


def test_every_locality_lies_in_districts_the_pack_holds_and_every_district_is_covered():
    lads = locality_lads(settings.REGION_PACK)
    with open(Path(settings.REGION_PACK) / "localities.csv", encoding="utf-8") as f:
        localities = {row["code"] for row in csv.DictReader(f)}
    with open(Path(settings.REGION_PACK) / "lsoas.csv", encoding="utf-8") as f:
        districts = {row["lad_code"] for row in csv.DictReader(f)}
    assert set(lads) == localities
    assert {lad for codes in lads.values() for lad in codes} == districts


def test_a_pack_without_the_files_loads_nothing_and_a_bad_file_is_refused(tmp_path):
    assert load_deprivation(tmp_path) == []
    shutil.copy(Path(settings.REGION_PACK) / "lsoas.csv", tmp_path / "lsoas.csv")
    (tmp_path / "postcode_lsoas.csv").write_text("postcode,lsoa_code\nfy14ab,E01012671\n", encoding="utf-8")
    load_deprivation(tmp_path)
    assert PostcodeLsoa.objects.get(postcode="FY1 4AB").lsoa.code == "E01012671"  # normalised
    (tmp_path / "postcode_lsoas.csv").write_text("postcode,lsoa_code\nFY1 4AB,E99999999\n", encoding="utf-8")
    with pytest.raises(DeprivationFileError, match="line 2"):
        load_deprivation(tmp_path)
    (tmp_path / "lsoas.csv").write_text("code,name,lad_code,lad_name,imd_decile\nX1,A,B,C,11\n", encoding="utf-8")
    with pytest.raises(DeprivationFileError, match="not an LSOA code"):
        load_deprivation(tmp_path)


def test_the_load_region_command_loads_the_lookup_too():
    from django.core.management import call_command

    call_command("load_region", verbosity=0)
    assert Lsoa.objects.count() == 1049


def test_people_are_split_by_the_quintile_of_their_postcode(person, practice, far_practice):
    load_deprivation(settings.REGION_PACK)
    deprived = Lsoa.objects.filter(lad_name="Blackpool", imd_decile=1).order_by("code").first()
    PostcodeLsoa.objects.create(postcode=person.postcode, lsoa=deprived)
    geography = practice_geography()
    period = Period(dt.date(2026, 4, 1), dt.date(2026, 6, 1), dt.date(2026, 6, 15))
    area = Area("icb", "x", "ICB", frozenset(geography))
    rows = [(practice.pk, dt.date(2026, 4, 3), person.pk), (practice.pk, dt.date(2026, 5, 3), person.pk)]
    f = measure_figures(
        [Measure("events", "Events", lambda p, pr: rows)], period=period, area=area, by="practice", geography=geography
    )
    assert f.counts[("split", "imd", "1 (most deprived)", "events")] == 2
    assert f.counts.get(("split", "imd", NOT_KNOWN, "events"), 0) == 0
    total = ("group", TOTAL, "events")
    imd_parts = [parts for t, parts in f.relations if t == total and parts[0][1] == "imd"]
    assert len(imd_parts) == 1 and sum(f.counts.get(k, 0) for k in imd_parts[0]) == 2

    PostcodeLsoa.objects.all().delete()  # a postcode the lookup does not hold: not known, still adding up
    f = measure_figures(
        [Measure("events", "Events", lambda p, pr: rows)], period=period, area=area, by="practice", geography=geography
    )
    assert f.counts[("split", "imd", NOT_KNOWN, "events")] == 2
    for t, parts in f.relations:
        assert f.counts[t] == sum(f.counts.get(p, 0) for p in parts), (t, parts)


def test_the_report_pages_split_each_figure_by_quintile_with_small_counts_hidden(personas, person):
    from joinedup.accounts.tests.helpers import sign_in_with_csrf

    load_deprivation(settings.REGION_PACK)
    PostcodeLsoa.objects.create(postcode=person.postcode, lsoa=Lsoa.objects.filter(imd_decile=1).first())
    client = sign_in_with_csrf(personas.commissioner.username)
    text = client.get("/reports/key-working/").content.decode()  # the person has a key worker: a count of 1
    assert "Deprivation (IMD quintile)" in text
    row = text.split("1 (most deprived)")[1].split("</tr>")[0]
    assert "*" in row and ">1<" not in row
