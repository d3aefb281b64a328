"""Northshire, the synthetic second region: it loads beside Lancashire and South Cumbria, every practice and team
knows its region, and its codes can never be taken for real ODS codes."""

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from joinedup.directory.loading import PackError, is_synthetic_code, load_region
from joinedup.directory.models import Practice, Region, Team

pytestmark = pytest.mark.django_db

REGIONS = Path(__file__).resolve().parents[1] / "regions"
NORTHSHIRE = REGIONS / "northshire"
TINY = REGIONS / "tiny"


def copy_of(tmp_path, pack, name, edit) -> Path:
    folder = tmp_path / pack.name
    shutil.copytree(pack, folder)
    path = folder / name
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


def test_northshire_loads_beside_lsc_and_everything_in_it_knows_its_region(region):
    out = StringIO()
    call_command("load_region", str(NORTHSHIRE), stdout=out)

    northshire = Region.objects.get(code="ZZNSICB01")
    assert northshire.synthetic and not region.synthetic
    assert "(synthetic)" in northshire.name
    assert Region.objects.count() == 2
    assert Practice.objects.filter(region=northshire).count() == 6
    assert not Practice.objects.filter(region__isnull=True).exists()
    assert not Team.objects.filter(region__isnull=True).exists()
    # Region-wide teams have no place, and still one region.
    assert Team.objects.get(code="northshire-commissioning").region == northshire
    assert Team.objects.get(code="icb-commissioning").region == region
    assert Team.objects.filter(region=northshire, practice__region=region).count() == 0
    # Loading it again changes nothing.
    again = StringIO()
    call_command("load_region", str(NORTHSHIRE), stdout=again)
    assert "0 created, 0 updated" in again.getvalue()


def test_every_ods_like_code_of_northshire_is_longer_than_any_real_ods_code(second_region):
    codes = [second_region.code]
    codes += list(Practice.objects.filter(region=second_region).values_list("ods_code", flat=True))
    codes += list(Practice.objects.filter(region=second_region).values_list("pcn__code", flat=True).exclude(pcn=None))
    assert all(is_synthetic_code(code) and len(code) > 8 for code in codes), codes


def test_a_synthetic_pack_with_a_code_outside_the_reserved_range_is_refused(tmp_path):
    folder = copy_of(tmp_path, NORTHSHIRE, "practices.csv", lambda t: t.replace("ZZNSGP003", "Y01234"))

    with pytest.raises(PackError, match="ods_code 'Y01234' is not in the synthetic range"):
        load_region(folder)
    assert not Region.objects.exists()


def test_a_real_pack_may_not_use_the_synthetic_range(tmp_path):
    folder = copy_of(tmp_path, TINY, "practices.csv", lambda t: t.replace("Z00003", "ZZNSGP999"))

    with pytest.raises(PackError, match="ods_code 'ZZNSGP999' is in the synthetic range: mark the pack \"synthetic\""):
        load_region(folder)


def test_a_pack_may_not_take_a_place_another_region_holds(tmp_path, second_region):
    folder = copy_of(tmp_path, TINY, "teams.csv", lambda t: t.replace("tiny-outreach,", "northshire-outreach,"))

    with pytest.raises(PackError, match="teams.csv line 3: code 'northshire-outreach' already belongs to region ZZNS"):
        load_region(folder)
    assert Team.objects.get(code="northshire-outreach").region == second_region


def test_production_never_loads_a_synthetic_region(settings):
    settings.ENVIRONMENT = "production"

    with pytest.raises(PackError, match="never in production"):
        load_region(NORTHSHIRE)
    assert not Region.objects.exists()
