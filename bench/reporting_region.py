# ruff: noqa: E501  (SQL reads better on long lines)
"""P9's full-size region, made in the database with INSERT ... SELECT generate_series (PostgreSQL only): people,
SMI registers and three years of activity in every service the reports read. Synthetic: NHS numbers from the 999
range, names "Bench Person N", postcodes built on the practice's own outward code and placed in an LSOA of the
region (reporting.PostcodeLsoa) so the deprivation split has work to do.

Sizes for `people` people (the issue's region: 2,000,000 people, 600,000 on registers, three years):
- SMI register entries: `register` (30% of them with a full check in the practice file's last year);
- health checks recorded here: about one a year for 60% of the register over three years;
- EMDT requests: 2.5% of people over three years, each triaged (four in five accepted) two transitions;
- key workers and care plans: 2% of people with a named key worker, two plan versions each (one agreed in the
  person's own words half the time); DIALOG: two assessments of 11 items for 1.5% of people;
- primary care MHPs: an episode for 3% of people, three sessions each;
- peer support: a referral for 1% of people.
"""

from __future__ import annotations

import time


def _say(text: str) -> None:
    print(f"  {text}", flush=True)


def generate(cursor, *, people: int, register: int, today, user_id: int, days: int = 3 * 365) -> dict:
    def run(label: str, sql: str, params: dict | None = None) -> None:
        started = time.perf_counter()
        cursor.execute(sql, {**(params or {}), "today": today, "days": days, "user": user_id})
        _say(f"{label}: {time.perf_counter() - started:.1f} s")

    run(
        "practices",
        """
        CREATE TEMP TABLE bench_practice AS
        SELECT row_number() OVER (ORDER BY p.id) - 1 AS idx, p.id, p.pcn_id, p.locality_id,
               split_part(p.postcode, ' ', 1) AS outward, oc.provider_id
        FROM directory_practice p LEFT JOIN directory_outreachcoverage oc ON oc.locality_id = p.locality_id
        WHERE p.pcn_id IS NOT NULL AND p.postcode <> ''
        """,
    )
    cursor.execute("SELECT count(*) FROM bench_practice")
    n_practices = cursor.fetchone()[0]
    run(
        "people",
        """
        INSERT INTO people_person (nhs_number, given_name, family_name, preferred_name, search_name, date_of_birth,
            sex, ethnicity, address, postcode, phone, email, preferred_channel, safe_times, no_voicemail,
            do_not_contact, my_story, consent_nhs, consent_vcfse, consent_local_authority, consent_peer_support,
            version, created_at, updated_at, practice_id)
        SELECT '999' || lpad(g::text, 7, '0'), 'Bench', 'Person ' || g, '', 'bench person ' || g,
               %(today)s::date - (6600 + (g::bigint * 7919) %% 25000)::int,
               (ARRAY['1','2','2','1','9'])[1 + g %% 5], (ARRAY['A','A','A','A','B','H','J','M','D','R','Z'])[1 + g %% 11],
               g || ' Bench Street', bp.outward || ' ' || (g %% 10) || chr(65 + (g / 10) %% 20) || chr(65 + (g / 200) %% 20),
               '', '', 'letter', '', false, false, '', true, true, true, true, 1,
               now() - interval '4 years', now() - interval '4 years', bp.id
        FROM generate_series(1, %(people)s) g JOIN bench_practice bp ON bp.idx = g %% %(n)s
        """,
        {"people": people, "n": n_practices},
    )
    run(
        "postcodes placed in LSOAs",
        """
        INSERT INTO reporting_postcodelsoa (postcode, lsoa_id)
        SELECT pc, (SELECT id FROM reporting_lsoa ORDER BY id OFFSET abs(hashtext(pc)) %% (SELECT count(*) FROM reporting_lsoa) LIMIT 1)
        FROM (SELECT DISTINCT postcode AS pc FROM people_person WHERE postcode <> '') s
        ON CONFLICT (postcode) DO NOTHING
        """,
    )
    run(
        "SMI registers",
        """
        INSERT INTO healthchecks_registerentry (date_of_birth, smi_code, smi_date, remission_code, remission_date,
            file_full_check, bmi_date, bp_date, glucose_date, lipids_date, smoking_date, alcohol_date,
            service_full_check, last_full_check, joined_on, left_on, failed_attempts, hard_to_reach, updated_at,
            pcn_id, person_id, practice_id, provider_id)
        SELECT p.date_of_birth, '58214004', %(today)s::date - (400 + p.id::int %% 3000), '', NULL,
               CASE WHEN p.id %% 10 < 3 THEN %(today)s::date - (p.id::int %% 360) END,
               %(today)s::date - (p.id::int %% 500), %(today)s::date - (p.id::int %% 450), %(today)s::date - (p.id::int %% 700),
               %(today)s::date - (p.id::int %% 800), %(today)s::date - (p.id::int %% 400), %(today)s::date - (p.id::int %% 600),
               NULL, CASE WHEN p.id %% 10 < 3 THEN %(today)s::date - (p.id::int %% 360) END,
               %(today)s::date - (p.id::int %% 1400), NULL, 0, false, now(), bp.pcn_id, p.id, p.practice_id, bp.provider_id
        FROM people_person p JOIN bench_practice bp ON bp.id = p.practice_id
        WHERE p.nhs_number LIKE '999%%' AND p.id %% %(step)s = 0
        ORDER BY p.id LIMIT %(register)s
        """,
        {"register": register, "step": max(1, people // register)},
    )
    run(
        "health checks (three years)",
        """
        INSERT INTO healthchecks_healthcheck (done_on, bmi, systolic, diastolic, hba1c, total_cholesterol, smoking,
            alcohol_units, glucose_kind, wider, "full", recorded_at, by_id, person_id)
        SELECT d, 25, 120, 80, 40, 5, 'never', 4, '', '{}'::jsonb, (e.id::int + y) %% 10 < 7,
               d::timestamp AT TIME ZONE 'UTC', %(user)s, e.person_id
        FROM healthchecks_registerentry e CROSS JOIN generate_series(0, 2) y
        CROSS JOIN LATERAL (SELECT %(today)s::date - (y * 365 + (e.id::int * 31 + y * 7) %% 365) AS d) dd
        WHERE (e.id::int + y) %% 5 < 3
        """,
    )
    run(
        "EMDT requests",
        """
        INSERT INTO referrals_emdtrequest (complex_needs, care_plan_gap, other_emdt_reason, consent_to_discuss,
            wants_to_attend, risks, urgency, priority, state, submitted_at, state_changed_at, recommendation,
            question, person_id, referrer_id, referrer_organisation_id, team_id)
        SELECT 'Bench', '', '', true, 'no', '', 'routine', 0,
               CASE WHEN p.id %% 5 = 0 THEN 'declined' ELSE 'accepted' END, at, at + interval '6 days',
               CASE WHEN p.id %% 10 = 0 THEN 'Talking therapies' ELSE '' END, '', p.id, %(user)s, NULL, t.id
        FROM people_person p
        JOIN directory_practice pr ON pr.id = p.practice_id
        JOIN directory_team t ON t.locality_id = pr.locality_id AND t.kind = 'emdt'
        CROSS JOIN LATERAL (SELECT (%(today)s::date - (p.id::int * 13) %% %(days)s)::timestamp AT TIME ZONE 'UTC' + interval '10 hours' AS at) a
        WHERE p.id %% 40 = 1
        """,
    )
    run(
        "EMDT decisions",
        """
        INSERT INTO referrals_emdtrequesttransition (from_state, to_state, at, note, by_id, request_id)
        SELECT 'submitted', r.state, r.state_changed_at, '', %(user)s, r.id FROM referrals_emdtrequest r
        """,
    )
    cursor.execute("SELECT id FROM directory_organisation ORDER BY id LIMIT 1")
    organisation = cursor.fetchone()[0]
    run(
        "key workers",
        """
        INSERT INTO care_careteammember (name, role_title, phone, email, is_key_worker, started, ended,
            organisation_id, person_id, user_id)
        SELECT 'Bench Worker', 'Key worker', '', '', true, %(today)s::date - (p.id::int %% %(days)s), NULL, %(org)s, p.id,
               %(user)s
        FROM people_person p WHERE p.id %% 50 = 2
        """,
        {"org": organisation},
    )
    run(
        "care plans",
        """
        INSERT INTO care_careplanversion (number, status, revision, what_matters, strengths, needs, early_signs,
            what_helps, crisis_contacts, out_of_hours, review_date, sharing, created_at, updated_at, agreed_on,
            participation, own_words, person_comments, agreed_at, agreed_by_id, created_by_id, person_id,
            updated_by_id, shared_with_person)
        SELECT v, CASE WHEN v = 1 THEN 'superseded' ELSE 'agreed' END, 1, 'Bench', '', '[]'::jsonb, '', '', '', '',
               agreed + 180, '{}'::jsonb, agreed::timestamp AT TIME ZONE 'UTC', agreed::timestamp AT TIME ZONE 'UTC',
               agreed, 'together', (p.id::int + v) %% 2 = 0, '', agreed::timestamp AT TIME ZONE 'UTC', %(user)s, %(user)s,
               p.id, %(user)s, false
        FROM people_person p CROSS JOIN generate_series(1, 2) v
        CROSS JOIN LATERAL (SELECT %(today)s::date - ((p.id::int %% %(days)s) / v) AS agreed) a
        WHERE p.id %% 50 = 2
        """,
    )
    run(
        "DIALOG assessments",
        """
        INSERT INTO care_dialogassessment (taken_on, recorded_at, person_id, recorded_by_id, self_completed)
        SELECT d, d::timestamp AT TIME ZONE 'UTC', p.id, %(user)s, false
        FROM people_person p CROSS JOIN generate_series(1, 2) v
        CROSS JOIN LATERAL (SELECT %(today)s::date - ((p.id::int %% %(days)s) / v) AS d) a
        WHERE p.id %% 67 = 3
        """,
    )
    run(
        "DIALOG ratings",
        """
        INSERT INTO care_dialograting (item, score, more_help, assessment_id)
        SELECT i, 1 + (a.id::int + i) %% 7, false, a.id FROM care_dialogassessment a CROSS JOIN generate_series(1, 11) i
        """,
    )
    run(
        "MHP episodes",
        """
        INSERT INTO primarycare_episode (source, reason, opened_on, status, discharged_on, discharge_reason,
            discharge_summary, gp_follow_up, version, discharged_by_id, mhp_id, opened_by_id, pcn_id, person_id,
            request_id)
        SELECT 'gp_request', 'Bench', %(today)s::date - (p.id::int %% %(days)s), 'open', NULL, '', '', '', 1, NULL, %(user)s,
               %(user)s, pr.pcn_id, p.id, NULL
        FROM people_person p JOIN directory_practice pr ON pr.id = p.practice_id
        WHERE p.id %% 33 = 4 AND pr.pcn_id IS NOT NULL
        """,
    )
    run(
        "MHP sessions",
        """
        INSERT INTO primarycare_session (number, session_type, held_on, what_was_done, outcome, over_limit_reason,
            recorded_at, reviewed_at, review_comment, delivered_by_id, episode_id, person_id, reviewed_by_id,
            supervisor_id)
        SELECT n, 'face_to_face', LEAST(e.opened_on + n * 9, %(today)s::date), 'Bench', '', '',
               now(), NULL, '', %(user)s, e.id, e.person_id, NULL, NULL
        FROM primarycare_episode e CROSS JOIN generate_series(1, 3) n
        """,
    )
    run(
        "peer support referrals",
        """
        INSERT INTO peersupport_peerreferral (source, reason, status, referred_at, closed_at, locality_id, person_id,
            referred_by_id)
        SELECT 'self', 'Bench', 'waiting', (%(today)s::date - (p.id::int %% %(days)s))::timestamp AT TIME ZONE 'UTC', NULL,
               pr.locality_id, p.id, %(user)s
        FROM people_person p JOIN directory_practice pr ON pr.id = p.practice_id
        WHERE p.id %% 100 = 5
        """,
    )
    counts = {}
    for table in (
        "people_person",
        "healthchecks_registerentry",
        "healthchecks_healthcheck",
        "referrals_emdtrequest",
        "care_careplanversion",
        "care_dialogassessment",
        "primarycare_session",
        "peersupport_peerreferral",
    ):
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - a fixed table name
        counts[table] = cursor.fetchone()[0]
    cursor.execute("DROP TABLE bench_practice")
    return counts
