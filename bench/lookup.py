"""Benchmark: point → grid lookup on the demo district, against a bare shapely STRtree query.

Every report and need is routed by `jusha.places.lookup.locate`; its cost over the bare tree query
is one small aggregate query (to notice edited boundaries) and the bookkeeping around it.

    .venv/bin/python bench/lookup.py [--points 20000]          # SQLite in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jusha_bench .venv/bin/python bench/lookup.py
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("JUSHA_DATA_DIR", tempfile.mkdtemp(prefix="jusha-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jusha.settings")


def percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100)
    return cuts[49] * 1e6, cuts[94] * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=20000)
    args = parser.parse_args()

    import django

    django.setup()
    import shapely
    from django.core.management import call_command

    from jusha.demo.seed import seed_demo
    from jusha.places.geometry import to_shape
    from jusha.places.lookup import locate
    from jusha.places.models import Grid

    call_command("migrate", verbosity=0)
    seed_demo(progress=False)
    grids = list(Grid.objects.values_list("id", "boundary"))
    shapes = [to_shape(b) for _, b in grids]
    minx, miny, maxx, maxy = shapely.union_all(shapes).bounds
    rng = random.Random(1)
    points = [(rng.uniform(minx, maxx), rng.uniform(miny, maxy)) for _ in range(args.points)]

    tree = shapely.STRtree(shapes)
    for s in shapes:
        shapely.prepare(s)
    bare = []
    for lng, lat in points:
        t = time.perf_counter()
        tree.query(shapely.Point(lng, lat), predicate="covered_by")
        bare.append(time.perf_counter() - t)

    locate(*points[0])  # build the index once, as a running server has
    jusha = []
    inside = 0
    for lng, lat in points:
        t = time.perf_counter()
        inside += locate(lng, lat).grid_id is not None
        jusha.append(time.perf_counter() - t)

    engine = django.db.connection.vendor
    print(f"point lookup, demo district ({len(grids)} grids), {args.points} random points, {engine}")
    for name, samples in (("bare STRtree query", bare), ("jusha locate()", jusha)):
        p50, p95 = percentiles(samples)
        print(f"  {name:<20} {len(samples) / sum(samples):>10,.0f} lookups/s   p50 {p50:7.1f} µs   p95 {p95:7.1f} µs")
    print(f"  points inside a grid: {inside}")


if __name__ == "__main__":
    main()
