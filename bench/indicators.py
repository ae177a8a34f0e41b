"""Benchmark: the case indicators (jusha/indicators) on PostgreSQL with many cases.

Loads `--cases` synthetic cases spread over 2026 into 10 communities of 4 grids (each with its timeline
and stage clocks: about 7 events and 4 clocks a case, some late, some reworked), then times the tables
the console and the command screen ask for, as the command operator (their subdistrict) and as one
community's staff. Loading is plain SQL (generate_series), so a million cases take a minute or two.

    createdb -h 127.0.0.1 -U postgres jusha_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jusha_bench .venv/bin/python bench/indicators.py --cases 1000000

Run it on an empty database: it migrates, and loads only when there are no cases yet.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("JUSHA_DATA_DIR", tempfile.mkdtemp(prefix="jusha-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jusha.settings")

COMMUNITIES, GRIDS = 10, 4

# One row per case, then its events and clocks, all from the same per-case random offsets (minutes).
LOAD = """
CREATE TEMP TABLE bench_case AS
SELECT g AS n,
       timestamptz '2026-01-01 00:00+08' + (random() * 365 * 24 * 60) * interval '1 minute' AS reported,
       (random() * 40)::int AS accept_m, (random() * 20)::int AS dispatch_m,
       (30 + random() * 400)::int AS handle_m, (random() < 0.05) AS rework,
       (random() * 60)::int AS verify_m, (random() * 30)::int AS close_m, (random() < 0.03) AS cancelled
FROM generate_series(1, %(cases)s) AS g;

INSERT INTO cases_case (source, description, urgency, lng, lat, address, status, self_handled, parked_from,
    cancel_reason, park_reason, handling_note, extension_reason, rework_count, reopen_count, reported_at,
    updated_at, community_id, grid_id, category_id, team_id, number)
SELECT (ARRAY['resident','camera','sensor','patrol','hotline'])[1 + n %% 5], 'bench', 1, 120.3, 30.3, '',
       CASE WHEN cancelled THEN 'cancelled' ELSE 'closed' END, false, '', '', '', '', '',
       CASE WHEN rework THEN 1 ELSE 0 END, 0, reported, reported,
       %(grid_community)s[1 + n %% %(grids)s], %(grid_ids)s[1 + n %% %(grids)s],
       %(category_ids)s[1 + n %% %(categories)s], CASE WHEN n %% 3 = 0 THEN %(team)s END, 'B' || n
FROM bench_case;

CREATE TEMP TABLE bench_times AS
SELECT c.id, b.*,
       b.reported + b.accept_m * interval '1 minute' AS accepted,
       b.reported + (b.accept_m + 1 + b.dispatch_m) * interval '1 minute' AS dispatched,
       b.reported + (b.accept_m + 1 + b.dispatch_m + b.handle_m) * interval '1 minute' AS handled
FROM cases_case c JOIN bench_case b ON c.number = 'B' || b.n;

INSERT INTO cases_caseevent (case_id, at, step, from_status, to_status, note, note_is_internal)
SELECT id, at, step, '', 'x', '', false FROM (
    SELECT id, reported AS at, 'report' AS step FROM bench_times
    UNION ALL SELECT id, accepted, 'accept' FROM bench_times
    UNION ALL SELECT id, accepted + interval '1 minute', 'file' FROM bench_times WHERE NOT cancelled
    UNION ALL SELECT id, accepted + interval '2 minutes', 'cancel' FROM bench_times WHERE cancelled
    UNION ALL SELECT id, dispatched, 'dispatch' FROM bench_times WHERE NOT cancelled
    UNION ALL SELECT id, handled, 'handle' FROM bench_times WHERE NOT cancelled
    UNION ALL SELECT id, handled + interval '30 minutes', 'rework' FROM bench_times WHERE rework AND NOT cancelled
    UNION ALL SELECT id, handled + (verify_m + 120) * interval '1 minute', 'verify' FROM bench_times
        WHERE NOT cancelled
    UNION ALL SELECT id, handled + (verify_m + close_m + 121) * interval '1 minute', 'close' FROM bench_times
        WHERE NOT cancelled
) AS steps;

INSERT INTO cases_casedeadline (case_id, stage, started_at, due_at, ended_at, met)
SELECT id, stage, started, due, ended, true FROM (
    SELECT id, 'accept' AS stage, reported AS started, reported + interval '30 minutes' AS due, accepted AS ended
    FROM bench_times
    UNION ALL SELECT id, 'dispatch', accepted + interval '1 minute', accepted + interval '31 minutes', dispatched
    FROM bench_times WHERE NOT cancelled
    UNION ALL SELECT id, 'handle', dispatched, dispatched + interval '240 minutes', handled
    FROM bench_times WHERE NOT cancelled
    UNION ALL SELECT id, 'handle', handled + interval '30 minutes', handled + interval '270 minutes',
           handled + interval '120 minutes' FROM bench_times WHERE rework AND NOT cancelled
    UNION ALL SELECT id, 'verify', handled, handled + interval '120 minutes',
           handled + (verify_m + 120) * interval '1 minute' FROM bench_times WHERE NOT cancelled
) AS clocks;
ANALYZE cases_case; ANALYZE cases_caseevent; ANALYZE cases_casedeadline;
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench/indicators.py loads with PostgreSQL SQL: set DATABASE_URL to an empty PostgreSQL database")
    call_command("migrate", verbosity=0)

    from jusha.accounts.models import Role, RoleAssignment, User
    from jusha.cases.models import Case, CaseCategory
    from jusha.core import clock
    from jusha.indicators import selectors
    from jusha.orgs.models import Team
    from jusha.places.models import Community, District, Grid, Subdistrict

    if not Case.objects.exists():
        district = District.objects.create(code="990001", name="基准区")
        subdistrict = Subdistrict.objects.create(district=district, code="990001001", name="基准街道")
        grids = []
        for c in range(COMMUNITIES):
            community = Community.objects.create(subdistrict=subdistrict, code=f"990001001{c:03d}", name=f"社区{c}")
            grids += [Grid.objects.create(community=community, code=f"990001001{c:03d}{g:03d}", name=f"网格{c}-{g}")
                      for g in range(GRIDS)]
        team = Team.objects.create(subdistrict=subdistrict, name="综合管理大队", kind=Team.Kind.INTEGRATED_BRIGADE)
        operator = User.objects.create_user(username="bench-operator", password=None, name="赵磊")
        RoleAssignment.objects.create(user=operator, role=Role.COMMAND_OPERATOR, subdistrict=subdistrict)
        staff = User.objects.create_user(username="bench-community", password=None, name="李娜")
        RoleAssignment.objects.create(user=staff, role=Role.COMMUNITY_STAFF, community=grids[0].community)
        leaves = list(CaseCategory.objects.exclude(parent=None).values_list("pk", flat=True))
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(LOAD % {
                "cases": args.cases, "grids": len(grids), "categories": len(leaves), "team": team.pk,
                "grid_ids": f"(ARRAY{[g.pk for g in grids]}::bigint[])",
                "grid_community": f"(ARRAY{[g.community_id for g in grids]}::bigint[])",
                "category_ids": f"(ARRAY{leaves}::bigint[])"})
        print(f"loaded {args.cases} cases in {time.perf_counter() - started:.1f} s")

    operator = User.objects.get(username="bench-operator")
    staff = User.objects.get(username="bench-community")
    clock.now = lambda: selectors.periods._midnight(selectors.periods.date(2027, 1, 1))
    print(f"cases {Case.objects.count()}, events {selectors.CaseEvent.objects.count()}, "
          f"clocks {selectors.CaseDeadline.objects.count()}")
    scenarios = [
        ("operator", operator, {"period": "day", "day": "2026-11-27"}),
        ("operator", operator, {"period": "month", "day": "2026-11-01"}),
        ("operator", operator, {"period": "month", "day": "2026-11-01", "group": "community"}),
        ("operator", operator, {"period": "month", "day": "2026-11-01", "group": "period", "bucket": "day"}),
        ("operator", operator, {"period": "year", "day": "2026-01-01", "group": "category"}),
        ("operator", operator, {"period": "year", "day": "2026-01-01", "group": "period", "bucket": "month"}),
        ("community", staff, {"period": "month", "day": "2026-11-01", "group": "grid"}),
    ]
    print(f"{'who':10} {'table':55} {'p50 ms':>8} {'p95 ms':>8}")
    for who, user, params in scenarios:
        samples = []
        for _run in range(args.runs):
            user = User.objects.get(pk=user.pk)  # a fresh request: the actor's scopes are looked up again
            started = time.perf_counter()
            selectors.indicators(user, selectors.IndicatorFilter.parse(**params))
            samples.append(time.perf_counter() - started)
        cuts = statistics.quantiles(samples, n=20) if len(samples) > 1 else samples * 19
        label = " ".join(f"{k}={v}" for k, v in params.items())
        print(f"{who:10} {label:55} {statistics.median(samples) * 1000:8.0f} {cuts[18] * 1000:8.0f}")


if __name__ == "__main__":
    main()
