import importlib.util
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from joinedup.directory.loading import PackError, load_region, read_pack
from joinedup.directory.models import (
    Area,
    EmdtService,
    Locality,
    Organisation,
    OutreachCoverage,
    Pcn,
    Practice,
    Region,
    Team,
    TeamKind,
)

REGIONS = Path(__file__).resolve().parents[1] / "regions"
LSC = REGIONS / "lsc"
TINY = REGIONS / "tiny"
ALL_MODELS = (Region, Area, Locality, Organisation, Pcn, Practice, OutreachCoverage, EmdtService, Team)

LSC_LOCALITIES = {
    "Central and West Lancashire": {
        "West Lancashire",
        "Chorley and South Ribble",
        "Greater Preston",
        "Preston North and East",
    },
    "North Lancashire, South Cumbria and Fylde Coast": {
        "Lancaster and Morecambe",
        "Furness",
        "Westmorland and Kendal",
        "Blackpool",
        "Wyre",
        "Fylde",
    },
    "East Lancashire": {
        "Blackburn with Darwen",
        "Burnley",
        "Pendle",
        "Hyndburn Central and Rossendale",
        "Hyndburn Rural and Ribble Valley",
    },
}


def load(folder) -> str:
    out = StringIO()
    call_command("load_region", str(folder), stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ALL_MODELS}


def broken_pack(tmp_path, change) -> Path:
    """A copy of the tiny pack with one file changed by `change(text) -> text`."""
    folder = tmp_path / "pack"
    shutil.copytree(TINY, folder)
    name, edit = change
    path = folder / name
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


def refusal(folder) -> str:
    with pytest.raises(CommandError) as refused:
        load(folder)
    return str(refused.value)


@pytest.mark.django_db
def test_lsc_pack_loads_three_areas_and_fifteen_localities():
    load(LSC)

    region = Region.objects.get()
    assert (region.code, region.short_name) == ("QE1", "Lancashire and South Cumbria")
    assert region.name == "NHS Lancashire and South Cumbria Integrated Care Board"
    found = {area.name: {loc.name for loc in area.localities.all()} for area in Area.objects.all()}
    assert found == LSC_LOCALITIES
    assert Locality.objects.count() == 15


@pytest.mark.django_db
def test_every_lsc_locality_has_pcns_practices_and_its_teams():
    load(LSC)

    for locality in Locality.objects.all():
        assert locality.pcns.exists(), locality
        assert locality.practices.exists(), locality
        assert Team.objects.filter(locality=locality, kind=TeamKind.EMDT, name=f"{locality.name} EMDT").exists()
        assert Team.objects.filter(locality=locality, kind=TeamKind.COMMUNITY_MENTAL_HEALTH).exists()
    # A practice in a PCN is in its PCN's locality, so each PCN maps to one locality.
    for pcn in Pcn.objects.prefetch_related("practices"):
        assert {p.locality_id for p in pcn.practices.all()} == {pcn.locality_id}, pcn
    assert Pcn.objects.count() == 41
    assert Practice.objects.count() == 197


@pytest.mark.django_db
def test_known_lsc_practices_have_their_pcn_and_locality():
    load(LSC)

    ulverston = Practice.objects.select_related("pcn", "locality").get(ods_code="A82003")
    assert ulverston.pcn.name == "Mid Furness PCN"
    assert ulverston.locality.code == "furness"
    assert (ulverston.postcode, ulverston.town, ulverston.sub_icb_code) == ("LA12 7BT", "Ulverston", "01K")

    fleetwood = Practice.objects.select_related("pcn", "locality").get(ods_code="P81668")
    assert fleetwood.pcn.code == "U74229"
    assert fleetwood.locality.name == "Wyre"

    team = Team.objects.get(practice=ulverston)
    assert team.kind == TeamKind.PRACTICE
    assert team.organisation.code == "A82003"
    assert team.organisation.kind == "nhs"
    assert team.locality == ulverston.locality


@pytest.mark.django_db
def test_lsc_practice_missing_from_the_pcn_map_loads_without_a_pcn():
    output = load(LSC)

    practice = Practice.objects.get(ods_code="Y02854")
    assert practice.pcn is None
    assert practice.locality.code == "blackpool"
    assert "1 practice with no PCN: Y02854" in output


@pytest.mark.django_db
def test_spring_north_covers_south_cumbria_and_calico_the_rest():
    load(LSC)

    providers = {c.locality.code: c.provider.name for c in OutreachCoverage.objects.select_related()}
    assert len(providers) == 15
    assert {code for code, name in providers.items() if name == "Spring North"} == {
        "furness",
        "westmorland-kendal",
    }
    assert {name for code, name in providers.items() if code not in {"furness", "westmorland-kendal"}} == {
        "The Calico Group"
    }


@pytest.mark.django_db
def test_lsc_organisations_have_their_kinds_and_the_trust_runs_the_derived_teams():
    load(LSC)

    kinds = dict(Organisation.objects.values_list("name", "kind"))
    assert kinds["Lancashire and South Cumbria NHS Foundation Trust"] == "nhs"
    assert kinds["NHS Lancashire and South Cumbria Integrated Care Board"] == "nhs"
    for name in (
        "The Calico Group",
        "Acorn Recovery Projects",
        "Red Rose Recovery",
        "An Inclusive Future CIC",
    ):
        assert kinds[name] == "vcfse"
    assert kinds["Lancashire Mind"] == kinds["Spring North"] == "vcfse"
    assert kinds["Healthwatch Lancashire"] == "healthwatch"
    assert kinds["Westmorland and Furness Council"] == "local_authority"
    assert kinds["Blackburn with Darwen Council"] == "local_authority"

    pcn_team = Team.objects.select_related("pcn", "organisation").get(pcn__code="U74229")
    assert pcn_team.kind == TeamKind.PCN_MENTAL_HEALTH
    assert pcn_team.name == "Fleetwood PCN mental health practitioners"
    assert pcn_team.organisation.code == "RW5"
    assert pcn_team.locality == pcn_team.pcn.locality
    assert Team.objects.filter(kind=TeamKind.PEER_SUPPORT).count() == 6
    assert set(Team.objects.filter(kind=TeamKind.OUTREACH).values_list("organisation__name", flat=True)) == {
        "The Calico Group",
        "Spring North",
    }
    assert EmdtService.objects.get(code="debt-advice").need_domain == "money"


@pytest.mark.django_db
def test_loading_the_same_pack_twice_changes_nothing():
    first = load(LSC)
    before = counts()

    second = load(LSC)

    assert "Total: 0 created" not in first
    assert counts() == before
    assert "Total: 0 created, 0 updated," in second


@pytest.mark.django_db
def test_loading_takes_a_fixed_number_of_queries_not_one_per_row(django_assert_max_num_queries):
    with django_assert_max_num_queries(48):  # the directory, the checks against other regions, the deprivation lookup
        load(LSC)
    # 12 for the directory, one per kind of place checked against other regions, one for the deprivation lookup
    with django_assert_max_num_queries(18):
        load(LSC)


@pytest.mark.django_db
def test_a_changed_row_is_updated_and_the_rest_left_alone(tmp_path):
    load(TINY)
    folder = broken_pack(tmp_path, ("practices.csv", lambda t: t.replace("Quayside Surgery", "Quayside Practice")))

    output = load(folder)

    assert Practice.objects.get(ods_code="Z00001").name == "Quayside Practice"
    assert Organisation.objects.get(code="Z00001").name == "Quayside Practice"
    assert Team.objects.get(code="practice-z00001").name == "Quayside Practice"
    assert "Total: 0 created, 3 updated," in output


@pytest.mark.django_db
def test_tiny_region_loads_beside_lsc_with_no_code_change():
    load(LSC)

    output = load(TINY)

    assert Region.objects.count() == 2
    tiny = Region.objects.get(code="QZZ")
    assert {a.code for a in tiny.areas.all()} == {"tiny-coast", "tiny-hills"}
    assert Practice.objects.filter(locality__area__region=tiny).count() == 3
    assert Pcn.objects.filter(locality__area__region=tiny).count() == 2
    assert Team.objects.get(code="emdt-tiny-harbour").organisation.code == "TINY-TRUST"
    assert OutreachCoverage.objects.get(locality__code="tiny-moorside").provider.code == "TINY-VCFSE"
    assert "Loaded region pack QZZ Tiny Test" in output


@pytest.mark.django_db
def test_default_folder_is_the_region_pack_setting(settings):
    settings.REGION_PACK = str(TINY)

    call_command("load_region", stdout=StringIO())

    assert Region.objects.get().code == "QZZ"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("pcns.csv", lambda t: t.replace("code,name,locality_code", "code,name")),
            "pcns.csv line 1: missing column locality_code",
        ),
        (
            ("practices.csv", lambda t: t.replace("Z90002,tiny-moorside", "Z90002,nowhere")),
            "practices.csv line 4: locality_code 'nowhere' is not in localities.csv",
        ),
        (
            ("pcns.csv", lambda t: t.replace("Z90002,Moorside PCN", "Z90001,Moorside PCN")),
            "pcns.csv line 3: duplicate code 'Z90001' (first on line 2)",
        ),
        (
            (
                "organisations.csv",
                lambda t: t.replace("TINY-COUNCIL,Tiny Test Council,local_authority", "X,Y,club"),
            ),
            "organisations.csv line 4: kind 'club' is not one of nhs, vcfse, local_authority, healthwatch",
        ),
        (
            ("teams.csv", lambda t: t + "emdt-tiny-harbour,Another EMDT,partner,TINY-VCFSE,\n"),
            "teams.csv line 5: code 'emdt-tiny-harbour' is already the code of the EMDT of locality",
        ),
        (
            (
                "localities.csv",
                lambda t: t.replace("tiny-moorside,Moorside,tiny-hills", "tiny-moorside,Moorside,hills"),
            ),
            "localities.csv line 3: area_code 'hills' is not in areas.csv",
        ),
    ],
    ids=[
        "missing-column",
        "unknown-locality",
        "duplicate-code",
        "unknown-kind",
        "derived-team-code",
        "unknown-area",
    ],
)
@pytest.mark.django_db
def test_a_bad_pack_is_refused_naming_file_and_line_and_nothing_is_stored(tmp_path, change, expected):
    folder = broken_pack(tmp_path, change)

    message = refusal(folder)

    assert expected in message
    assert "nothing was changed" in message
    assert all(n == 0 for n in counts().values()), counts()


@pytest.mark.django_db
def test_a_bad_pack_leaves_an_earlier_load_untouched(tmp_path):
    load(TINY)
    before = counts()
    folder = broken_pack(tmp_path, ("practices.csv", lambda t: t.replace("Quayside Surgery", "")))

    message = refusal(folder)

    assert "practices.csv line 2: name is empty" in message
    assert counts() == before
    assert Practice.objects.get(ods_code="Z00001").name == "Quayside Surgery"


@pytest.mark.django_db
def test_a_missing_file_is_refused(tmp_path):
    folder = tmp_path / "pack"
    shutil.copytree(TINY, folder)
    (folder / "teams.csv").unlink()

    assert "teams.csv: file is missing" in refusal(folder)
    assert Region.objects.count() == 0


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_or_has_a_ragged_row_is_refused(tmp_path):
    folder = broken_pack(tmp_path, ("teams.csv", lambda t: t.replace("TINY-VCFSE,\n", "TINY-VCFSE,,extra\n", 1)))
    (folder / "practices.csv").write_bytes("ods_code,name\nZ00009,Caf\u00e9\n".encode("latin-1"))

    message = refusal(folder)

    assert "practices.csv: is not UTF-8 text" in message
    assert "teams.csv line 2: has 6 fields where the header has 5" in message
    assert Region.objects.count() == 0


def test_a_practice_outside_its_pcns_locality_is_refused(tmp_path):
    folder = broken_pack(
        tmp_path, ("practices.csv", lambda t: t.replace("Z90002,tiny-moorside", "Z90002,tiny-harbour"))
    )

    with pytest.raises(PackError, match="practices.csv line 4: locality_code 'tiny-harbour' differs"):
        read_pack(folder)


def test_every_problem_is_reported_at_once(tmp_path):
    folder = broken_pack(
        tmp_path,
        (
            "practices.csv",
            lambda t: t.replace("Z90001,tiny-harbour", "Z99999,tiny-harbour").replace("ZZ9 9ZZ", "X" * 11),
        ),
    )

    with pytest.raises(PackError) as refused:
        read_pack(folder)

    problems = refused.value.problems
    assert "practices.csv line 2: pcn_code 'Z99999' is not in pcns.csv" in problems
    assert "practices.csv line 3: pcn_code 'Z99999' is not in pcns.csv" in problems
    assert "practices.csv line 4: postcode is longer than 10 characters" in problems


def test_region_json_must_name_a_known_trust(tmp_path):
    folder = broken_pack(tmp_path, ("region.json", lambda t: t.replace('"TINY-TRUST"', '"NOPE"')))

    with pytest.raises(PackError, match="region.json: mental_health_trust 'NOPE' is not in organisations.csv"):
        load_region(folder)


SHARED_SOURCE = Path(__file__).resolve().parents[4] / "shared" / "data" / "region-lsc"


@pytest.mark.skipif(not SHARED_SOURCE.is_dir(), reason="the raw LSC source files are not on this machine")
def test_lsc_pack_is_what_the_build_script_makes_from_its_sources(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "build_lsc_region_pack", Path(__file__).resolve().parents[3] / "scripts" / "build_lsc_region_pack.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    shutil.copy(LSC / "pcn_localities.csv", tmp_path)

    script.build(SHARED_SOURCE, tmp_path)

    for path in sorted(tmp_path.iterdir()):
        assert path.read_text(encoding="utf-8") == (LSC / path.name).read_text(encoding="utf-8"), path.name
