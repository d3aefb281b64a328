"""Synthetic people for the demo and the benchmarks: realistic enough to test with, repeatable, never real.

Person number i of seed s is a function of (s, i) alone: the same seed gives the same people with the same
names and NHS numbers whichever way they are inserted and however many are made, so a run can be extended
later (`start=`) and a benchmark can be compared with a demo.

NHS numbers come only from the range set aside for testing, 999 000 0000 to 999 999 9999. Its 1,000,000
nine-digit bases are walked in an order that depends on the seed (a stride coprime to 10^6 from an offset),
skipping the bases whose check digit would be 10 and so cannot be NHS numbers. That leaves
NHS_NUMBER_CAPACITY (909,091) numbers: person i, for i below the capacity, gets the i-th; people beyond it
get no NHS number (`nhs_number` None), as a record may be made for someone not yet traced. Check digits
come from the `nhs_number` package.

Names come from Faker (en_GB for most people, other locales and a few short lists for people of other
ethnic backgrounds) drawn once per seed into pools, then picked per person: fast enough for millions.
Some names carry accents (Zoë, Siân, Chloé, Łukasz) so that searches that forgive accents can be tried.
Postcodes share the outward code of the person's practice; phone numbers are in Ofcom's drama range
(07700 900000 to 07700 900999) and email addresses are at example.com.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

import nhs_number
from faker import Faker

from joinedup.people.matching import normalise_name

NHS_NUMBER_FIRST_BASE = 999_000_000
NHS_NUMBER_BASES = 1_000_000
NHS_NUMBER_CAPACITY = 909_091  # bases in the test range whose check digit is not 10 (a test checks it)

# People's ages and registration dates are measured from a fixed day so that a seed always gives the same
# people, whatever day the demo is built.
REFERENCE_DATE = dt.date(2026, 1, 1)
REFERENCE_TIME = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)

# Ages: adults, weighted towards working age. (youngest, oldest, weight)
AGE_BANDS = (
    (18, 24, 10),
    (25, 34, 20),
    (35, 44, 20),
    (45, 54, 19),
    (55, 64, 16),
    (65, 74, 9),
    (75, 84, 5),
    (85, 90, 1),
)

# NHS Data Dictionary ethnic category codes, weighted roughly like Lancashire and South Cumbria at the 2021
# census: mostly White British, with notable Pakistani and Indian communities (Blackburn, Preston, Burnley,
# Pendle), some White other (mainly Polish), and a few records where it was not stated.
ETHNICITY_WEIGHTS = {
    "A": 80.5, "B": 0.7, "C": 3.5, "D": 0.5, "E": 0.2, "F": 0.7, "G": 0.4, "H": 3.0, "J": 4.2, "K": 0.6,
    "L": 0.6, "M": 0.2, "N": 0.6, "P": 0.1, "R": 0.4, "S": 0.6, "Z": 2.8, "99": 0.4,
}  # fmt: skip

# Which set of names and interpreter languages goes with each ethnic category.
NAME_GROUP = {
    "B": "irish", "C": "european", "E": "african", "H": "indian", "J": "pakistani", "K": "bangladeshi",
    "L": "indian", "N": "african", "R": "chinese", "S": "middle_eastern",
}  # fmt: skip

SEX_WEIGHTS = (("1", 49.0), ("2", 50.0), ("9", 1.0))

INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # inward codes never use C, I, K, M, O or V

STREET_SUFFIXES = (
    "Road",
    "Street",
    "Avenue",
    "Lane",
    "Close",
    "Drive",
    "Grove",
    "Crescent",
    "Way",
    "Terrace",
    "Place",
    "Gardens",
    "Court",
    "Mews",
    "View",
    "Walk",
    "Road",
    "Street",
    "Avenue",
    "Lane",
)

ACCENTED_FEMALE = (
    "Zoë",
    "Siân",
    "Chloé",
    "Renée",
    "Anaïs",
    "Léa",
    "Noémie",
    "Zoé",
    "Siobhán",
    "Róisín",
    "Aoibhín",
    "Inés",
    "Begoña",
    "Zoë",
    "Siân",
    "Chloé",
)
ACCENTED_MALE = (
    "Seán",
    "Siôn",
    "Ciarán",
    "José",
    "André",
    "René",
    "Noël",
    "Rónán",
    "Dónal",
    "Jérôme",
    "Joël",
    "Iñaki",
    "Łukasz",
    "Seán",
)
DOUBLE_BARREL_RATE = 0.02
ACCENT_RATE = 0.05

NICKNAMES = {
    "Elizabeth": "Liz", "Margaret": "Maggie", "Christopher": "Chris", "Katherine": "Kate", "William": "Bill",
    "Robert": "Rob", "Jennifer": "Jen", "Michael": "Mike", "Alexander": "Alex", "Rebecca": "Becky",
    "Samantha": "Sam", "Thomas": "Tom", "Daniel": "Dan", "Nicholas": "Nick", "Victoria": "Vicky",
    "Jonathan": "Jon", "Catherine": "Cathy", "Susan": "Sue", "Patricia": "Pat", "Anthony": "Tony",
}  # fmt: skip

# Short lists where Faker's own locales are thin or do not fit British communities.
SOUTH_ASIAN_MUSLIM_FEMALE = (
    "Aisha",
    "Ayesha",
    "Fatima",
    "Zainab",
    "Maryam",
    "Nadia",
    "Saima",
    "Shabana",
    "Rukhsana",
    "Samina",
    "Hina",
    "Sadia",
    "Amina",
    "Nasreen",
    "Farzana",
    "Yasmin",
    "Shazia",
    "Bushra",
    "Sana",
    "Iqra",
    "Hafsa",
    "Khadija",
    "Mehreen",
    "Rubina",
)
SOUTH_ASIAN_MUSLIM_MALE = (
    "Mohammed",
    "Muhammad",
    "Imran",
    "Asif",
    "Tariq",
    "Zubair",
    "Bilal",
    "Usman",
    "Hamza",
    "Adnan",
    "Kamran",
    "Shahid",
    "Javed",
    "Nadeem",
    "Rizwan",
    "Faisal",
    "Yusuf",
    "Ibrahim",
    "Zahid",
    "Arif",
    "Sajid",
    "Waqas",
    "Ayaan",
    "Irfan",
)
PAKISTANI_FAMILY = (
    "Khan",
    "Hussain",
    "Ahmed",
    "Ali",
    "Akhtar",
    "Iqbal",
    "Mahmood",
    "Shah",
    "Rashid",
    "Malik",
    "Butt",
    "Riaz",
    "Nawaz",
    "Rehman",
    "Sadiq",
    "Patel",
    "Mirza",
    "Qureshi",
    "Chaudhry",
    "Aslam",
    "Anwar",
    "Hanif",
    "Khan",
    "Hussain",
    "Ahmed",
    "Ali",
)
BANGLADESHI_FAMILY = ("Miah", "Uddin", "Rahman", "Begum", "Islam", "Ahmed", "Hoque", "Chowdhury", "Ali", "Khatun")
GUJARATI_FAMILY = (
    "Patel",
    "Mistry",
    "Desai",
    "Lad",
    "Parmar",
    "Chauhan",
    "Solanki",
    "Shah",
    "Modi",
    "Makwana",
    "Gohil",
    "Rana",
    "Patel",
    "Patel",
)
CHINESE_FAMILY = (
    "Chen",
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Wong",
    "Chan",
    "Lee",
    "Cheung",
    "Lau",
    "Ng",
    "Yang",
    "Huang",
    "Zhou",
)
MIDDLE_EASTERN_FEMALE = ("Layla", "Nour", "Rania", "Dina", "Mariam", "Sara", "Huda", "Reem", "Amal", "Noor")
MIDDLE_EASTERN_MALE = ("Omar", "Karim", "Ali", "Hassan", "Samir", "Yousef", "Ahmad", "Khaled", "Rami", "Tarek")
MIDDLE_EASTERN_FAMILY = (
    "Hassan",
    "Mohammed",
    "Abdullah",
    "Ahmadi",
    "Karimi",
    "Rahimi",
    "Mustafa",
    "Saleh",
    "Haddad",
    "Aziz",
    "Omar",
    "Yousef",
)

INTERPRETER_LANGUAGES = {
    "pakistani": ("Urdu", "Punjabi", "Pahari-Potwari", "Pashto"),
    "bangladeshi": ("Bengali", "Sylheti"),
    "indian": ("Gujarati", "Punjabi", "Hindi"),
    "european": ("Polish", "Romanian", "Lithuanian", "Portuguese", "Latvian"),
    "african": ("Somali", "Tigrinya", "Arabic", "French"),
    "middle_eastern": ("Arabic", "Kurdish Sorani", "Farsi", "Dari"),
    "chinese": ("Cantonese", "Mandarin"),
    "irish": ("Irish",),
    "british": ("Polish", "Arabic", "Urdu"),
}

SAFE_TIMES = (
    "Weekdays after 5pm",
    "Mornings only",
    "Not on Fridays",
    "Between 10am and 2pm",
    "After 6pm, when the children are in bed",
    "Tuesdays and Thursdays",
)

PREFERRED_CHANNELS = (("phone", 40), ("text", 30), ("email", 12), ("letter", 10), ("", 8))


@dataclass(frozen=True)
class _Names:
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]


@dataclass(frozen=True)
class _Pools:
    groups: dict[str, _Names]
    streets: tuple[str, ...]


@dataclass(frozen=True)
class _Practice:
    pk: int
    outward: str
    town: str


def _cumulative(weights: Iterable[float]) -> list[float]:
    return list(accumulate(weights))


_ETHNICITY_CODES = tuple(ETHNICITY_WEIGHTS)
_ETHNICITY_CUM = _cumulative(ETHNICITY_WEIGHTS.values())
_AGE_CUM = _cumulative(w for _, _, w in AGE_BANDS)
_SEX_CODES = tuple(code for code, _ in SEX_WEIGHTS)
_SEX_CUM = _cumulative(w for _, w in SEX_WEIGHTS)
_CHANNELS = tuple(code for code, _ in PREFERRED_CHANNELS)
_CHANNEL_CUM = _cumulative(w for _, w in PREFERRED_CHANNELS)


def _pick(rng: random.Random, values: Sequence, cum: Sequence[float]):
    return values[bisect_right(cum, rng.random() * cum[-1])]


# NHS numbers ------------------------------------------------------------------------------------------------


def _nhs_walk(seed: int) -> tuple[int, int]:
    """The offset and stride of the seed's walk through the 10^6 bases (stride coprime to 10^6)."""
    rng = random.Random(f"joinedup-demo-nhs-number-walk:{seed}")
    offset = rng.randrange(NHS_NUMBER_BASES)
    stride = rng.randrange(100_001, NHS_NUMBER_BASES, 2)  # odd, so not divisible by 2
    if stride % 5 == 0:
        stride += 2
    return offset, stride


def nhs_numbers(*, seed: int, start: int = 0) -> Iterator[str | None]:
    """The NHS numbers of person `start`, `start + 1`, ... for this seed: endless, None once the test range
    is used up. Reaching a large `start` means walking past that many numbers (about 2 seconds for all)."""
    offset, stride = _nhs_walk(seed)
    to_skip = start
    for k in range(NHS_NUMBER_BASES):
        base = str(NHS_NUMBER_FIRST_BASE + (offset + k * stride) % NHS_NUMBER_BASES)
        check = nhs_number.calculate_checksum(base)
        if check == 10:
            continue
        if to_skip:
            to_skip -= 1
            continue
        yield f"{base}{check}"
    while True:
        yield None


# Names ------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _pools(seed: int) -> _Pools:
    """Names drawn from Faker once per seed; each person then picks from them with their own generator."""
    faker = Faker(["en_GB", "en_IE", "en_IN", "en_NG", "pl_PL", "ro_RO", "fr_FR"])
    faker.seed_instance(seed)

    def draw(locale: str, method: str, n: int) -> tuple[str, ...]:
        make = getattr(faker[locale], method)
        return tuple(make() for _ in range(n))

    gb = _Names(
        draw("en_GB", "first_name_female", 3000),
        draw("en_GB", "first_name_male", 3000),
        draw("en_GB", "last_name", 5000),
    )
    european = _Names(
        draw("pl_PL", "first_name_female", 300)
        + draw("ro_RO", "first_name_female", 100)
        + draw("fr_FR", "first_name_female", 60),
        draw("pl_PL", "first_name_male", 300)
        + draw("ro_RO", "first_name_male", 100)
        + draw("fr_FR", "first_name_male", 60),
        draw("pl_PL", "last_name", 300)
        + draw("ro_RO", "last_name", 100)
        + draw("fr_FR", "last_name", 60)
        + gb.family[:60],
    )
    indian_family = draw("en_IN", "last_name", 200)
    groups = {
        "british": gb,
        "irish": _Names(
            draw("en_IE", "first_name_female", 300),
            draw("en_IE", "first_name_male", 300),
            draw("en_IE", "last_name", 400),
        ),
        "european": european,
        "indian": _Names(
            draw("en_IN", "first_name_female", 300),
            draw("en_IN", "first_name_male", 300),
            GUJARATI_FAMILY * 15 + indian_family,
        ),
        "pakistani": _Names(SOUTH_ASIAN_MUSLIM_FEMALE, SOUTH_ASIAN_MUSLIM_MALE, PAKISTANI_FAMILY),
        "bangladeshi": _Names(SOUTH_ASIAN_MUSLIM_FEMALE, SOUTH_ASIAN_MUSLIM_MALE, BANGLADESHI_FAMILY),
        "african": _Names(
            draw("en_NG", "first_name_female", 200) + gb.female[:100],
            draw("en_NG", "first_name_male", 200) + gb.male[:100],
            draw("en_NG", "last_name", 300),
        ),
        "chinese": _Names(gb.female[:300], gb.male[:300], CHINESE_FAMILY),
        "middle_eastern": _Names(MIDDLE_EASTERN_FEMALE, MIDDLE_EASTERN_MALE, MIDDLE_EASTERN_FAMILY),
    }
    street_rng = random.Random(f"joinedup-demo-streets:{seed}")
    street_names = draw("en_GB", "last_name", 800) + draw("en_GB", "first_name", 400)
    streets = tuple(f"{name} {street_rng.choice(STREET_SUFFIXES)}" for name in street_names)
    return _Pools(groups, streets)


# Practices --------------------------------------------------------------------------------------------------


def practice_weight(practice) -> float:
    """A stand-in for the practice's list size (2,500 to 16,500), the same for a practice on every run."""
    return 2500 + zlib.crc32(practice.ods_code.encode()) % 14000


def _outward(postcode: str) -> str:
    compact = "".join((postcode or "").split()).upper()
    return compact[:-3] if len(compact) > 3 else ""


# People -----------------------------------------------------------------------------------------------------


def generate_people(
    *, count: int, seed: int, practices: Sequence, start: int = 0, weights: Sequence[float] | None = None
) -> Iterator[dict]:
    """Field dicts for people `start` to `start + count - 1` of `seed`, registered at `practices`.

    `practices` are Practice objects or anything with `pk`, `ods_code`, `postcode` and `town`; a practice is
    chosen with `weights` (by default `practice_weight`). Each dict holds Person field values (with
    `practice_id`) plus `communication_needs`, a dict of need code to detail. Nothing touches the database.
    """
    if count < 0 or start < 0:
        raise ValueError("count and start must not be negative")
    if not isinstance(seed, int) or seed < 0:
        raise ValueError("seed must be a whole number, 0 or more")
    if not practices:
        raise ValueError("people need at least one practice to be registered at")
    if weights is not None and len(weights) != len(practices):
        raise ValueError("give one weight per practice")
    places = [_Practice(p.pk, _outward(p.postcode), p.town or "") for p in practices]
    cum = _cumulative(weights if weights is not None else (practice_weight(p) for p in practices))
    pools = _pools(seed)
    numbers = nhs_numbers(seed=seed, start=start)
    for index in range(start, start + count):
        yield _person(random.Random((seed << 40) + index), next(numbers), places, cum, pools)


def _person(rng: random.Random, nhs: str | None, places, cum, pools: _Pools) -> dict:
    ethnicity = _pick(rng, _ETHNICITY_CODES, _ETHNICITY_CUM)
    group = NAME_GROUP.get(ethnicity, "british")
    sex = _pick(rng, _SEX_CODES, _SEX_CUM)
    female = sex == "2" or (sex == "9" and rng.random() < 0.5)
    names = pools.groups[group]
    given = rng.choice(names.female if female else names.male)
    family = rng.choice(names.family)
    if group == "british":
        if rng.random() < ACCENT_RATE:
            given = rng.choice(ACCENTED_FEMALE if female else ACCENTED_MALE)
        if rng.random() < DOUBLE_BARREL_RATE:
            family = f"{family}-{rng.choice(names.family)}"
    preferred = NICKNAMES.get(given, "") if rng.random() < 0.5 else ""

    youngest, oldest, _ = AGE_BANDS[bisect_right(_AGE_CUM, rng.random() * _AGE_CUM[-1])]
    age = rng.randint(youngest, oldest)
    born = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - age) - dt.timedelta(days=rng.randrange(365))

    place = places[bisect_right(cum, rng.random() * cum[-1])]
    postcode = ""
    if place.outward:
        postcode = f"{place.outward} {rng.randrange(10)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
    flat = f"Flat {rng.randint(1, 24)}, " if rng.random() < 0.1 else ""
    town = f", {place.town}" if place.town else ""
    address = f"{flat}{rng.randint(1, 240)} {rng.choice(pools.streets)}{town}"

    phone = f"07700 900{rng.randrange(1000):03d}" if rng.random() < 0.9 else ""
    email = ""
    if rng.random() < 0.6:
        local = ".".join(normalise_name(part).replace(" ", "") for part in (given, family))
        email = f"{local}{rng.randint(1, 99) if rng.random() < 0.6 else ''}@example.com"
    channel = _pick(rng, _CHANNELS, _CHANNEL_CUM)
    if channel == "email" and not email:
        channel = "letter"
    if channel in ("phone", "text") and not phone:
        channel = "letter"

    nhs_consent = rng.random() < 0.93
    registered = REFERENCE_TIME - dt.timedelta(days=rng.randrange(5 * 365), minutes=rng.randrange(8 * 60))

    needs = {}
    if rng.random() < (0.002 if group == "british" else 0.1):
        needs["interpreter"] = rng.choice(INTERPRETER_LANGUAGES[group])
    if rng.random() < 0.005:
        needs["bsl"] = ""
    if rng.random() < 0.015:
        needs["easy_read"] = ""
    if rng.random() < (0.06 if age >= 70 else 0.008):
        needs["large_print"] = ""
    if rng.random() < (0.03 if age >= 70 else 0.003):
        needs["hearing_loop"] = ""
    if rng.random() < 0.004:
        needs["advocate"] = ""

    return {
        "nhs_number": nhs,
        "given_name": given,
        "family_name": family,
        "preferred_name": preferred,
        "search_name": normalise_name(f"{given} {family}"),
        "date_of_birth": born,
        "sex": sex,
        "ethnicity": ethnicity,
        "address": address,
        "postcode": postcode,
        "phone": phone,
        "email": email,
        "practice_id": place.pk,
        "preferred_channel": channel,
        "safe_times": rng.choice(SAFE_TIMES) if rng.random() < 0.05 else "",
        "no_voicemail": rng.random() < 0.07,
        "do_not_contact": rng.random() < 0.01,
        "consent_nhs": nhs_consent,
        "consent_vcfse": rng.random() < (0.62 if nhs_consent else 0.2),
        "consent_peer_support": rng.random() < (0.5 if nhs_consent else 0.15),
        "consent_local_authority": rng.random() < (0.27 if nhs_consent else 0.05),
        "created_at": registered,
        "updated_at": registered,
        "communication_needs": needs,
    }


# Inserting in bulk ------------------------------------------------------------------------------------------


def bulk_insert_people(
    *, count: int, seed: int, batch_size: int = 5000, progress=None, start: int = 0, practices: Sequence | None = None
) -> int:
    """Insert people `start` to `start + count - 1` of `seed` with bulk_create, `batch_size` at a time.

    For scale (millions of people): batches are generated, inserted, committed and dropped one after
    another, so memory stays flat. People are registered across every practice in the directory unless
    `practices` is given. `progress(done, count)` is called after each batch. Returns how many were inserted.

    These records do not go through the people services: there are no audit events, timeline entries or
    ConsentDecision rows, and the consent flags are set directly as demo data. Communication needs are
    inserted. `seed_demo` adds the lived-in layer (timelines, care teams, stories) for a small demo.
    """
    from joinedup.directory.models import Practice

    if practices is None:
        practices = list(Practice.objects.only("pk", "ods_code", "postcode", "town").order_by("ods_code"))
    people = generate_people(count=count, seed=seed, practices=practices, start=start)
    return insert_people(people, total=count, batch_size=batch_size, progress=progress)


def insert_people(
    people: Iterable[dict],
    *,
    total: int,
    batch_size: int = 5000,
    progress=None,
    timeline: bool = False,
    done: int = 0,
    after_batch=None,
) -> int:
    """Insert generated people in batches, each in its own transaction. With `timeline`, each record also
    gets the timeline entries its registration would have made (record created, consents, needs).

    `after_batch(inserted)` runs inside each batch's transaction (the demo seed records its progress there).
    `done` is where progress reports start from, when this continues an earlier run.
    """
    from django.db import transaction

    if batch_size < 1:
        raise ValueError("batch_size must be 1 or more")
    inserted = 0
    organisations = _practice_organisations() if timeline else {}
    batch: list[dict] = []
    for fields in people:
        batch.append(fields)
        if len(batch) >= batch_size:
            with transaction.atomic():
                _insert_batch(batch, timeline=timeline, organisations=organisations)
                inserted += len(batch)
                if after_batch:
                    after_batch(inserted)
            batch = []
            _forget_logged_queries()
            if progress:
                progress(done + inserted, total)
    if batch:
        with transaction.atomic():
            _insert_batch(batch, timeline=timeline, organisations=organisations)
            inserted += len(batch)
            if after_batch:
                after_batch(inserted)
        _forget_logged_queries()
        if progress:
            progress(done + inserted, total)
    return inserted


def _practice_organisations() -> dict[int, int]:
    """Practice id -> the id of its organisation (the loader gives each practice one, coded by ODS code)."""
    from joinedup.directory.models import Organisation, Practice

    by_code = dict(Organisation.objects.values_list("code", "pk"))
    return {pk: by_code.get(ods) for pk, ods in Practice.objects.values_list("pk", "ods_code")}


def _insert_batch(batch: list[dict], *, timeline: bool, organisations: dict[int, int]) -> None:
    from joinedup.accounts.roles import ConsentKind
    from joinedup.core.models import Service, TimelineEntry
    from joinedup.people.models import CommunicationNeed, Person

    people, needs_of = [], []
    for fields in batch:
        fields = dict(fields)
        needs_of.append(fields.pop("communication_needs", {}))
        people.append(Person(**fields))
    Person.objects.bulk_create(people)

    needs, entries = [], []
    need_labels = _need_labels()
    for person, person_needs in zip(people, needs_of, strict=True):
        if person.pk is None:  # a database that cannot return ids from a bulk insert: no needs, no timeline
            continue
        for code, detail in person_needs.items():
            needs.append(CommunicationNeed(person_id=person.pk, need=code, detail=detail))
        if not timeline:
            continue
        organisation = organisations.get(person.practice_id)
        entries.append(
            TimelineEntry(
                person_id=person.pk,
                at=person.created_at,
                service=Service.RECORD,
                kind="record_created",
                summary="Record created",
                organisation_id=organisation,
            )
        )
        for kind in ConsentKind:
            if getattr(person, f"consent_{kind.value}"):
                entries.append(
                    TimelineEntry(
                        person_id=person.pk,
                        at=person.created_at,
                        service=Service.RECORD,
                        kind="consent",
                        summary=f"Consent to share with {kind.label} given",
                        organisation_id=organisation,
                    )
                )
        if person_needs:
            summary = ", ".join(need_labels[code] for code in person_needs)
            entries.append(
                TimelineEntry(
                    person_id=person.pk,
                    at=person.created_at,
                    service=Service.RECORD,
                    kind="communication_needs",
                    summary=f"Communication needs recorded: {summary}",
                    organisation_id=organisation,
                )
            )
    if needs:
        CommunicationNeed.objects.bulk_create(needs)
    if entries:
        TimelineEntry.objects.bulk_create(entries)


@lru_cache(maxsize=1)
def _need_labels() -> dict[str, str]:
    from joinedup.core.valuesets import value_set_lookup

    return value_set_lookup("communication_needs")


def _forget_logged_queries() -> None:
    """With DEBUG on (the demo), Django keeps the last 9,000 queries; bulk inserts are megabytes each."""
    from django.conf import settings
    from django.db import connection

    if settings.DEBUG and not connection.force_debug_cursor:
        connection.queries_log.clear()
