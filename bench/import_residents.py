"""Benchmark: importing 100,000 residents from one Excel workbook, end to end (goal: under 2 minutes on
2 cores). Baseline in the same run: openpyxl merely reading the same workbook's cells.

The phases are the wizard's: upload (headers only), check (read every row, validate, look up the
database) and import (check again, then save everything in one transaction). It imports the file a
second time too, which must create nothing and is the cost of a re-run.

    .venv/bin/python bench/import_residents.py [--rows 100000]      # SQLite in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jusha_bench .venv/bin/python bench/import_residents.py
"""

import argparse
import datetime
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("JUSHA_DATA_DIR", tempfile.mkdtemp(prefix="jusha-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jusha.settings")

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(i: int) -> str:
    """A valid, distinct ID number per row: a birth date and a sequence number from the row number."""
    born = datetime.date(1940, 1, 1) + datetime.timedelta(days=i // 1000)
    body = f"330114{born:%Y%m%d}{i % 1000:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def workbook(rows: int, communities: list[str]) -> bytes:
    import openpyxl

    rng = random.Random(1)
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("residents")
    ws.append(["姓名", "手机号", "社区编码", "身份证号"])
    for i in range(rows):
        # A third of the numbers typed as numbers, as they are in real sheets; half with an ID number.
        mobile = f"13{i:09d}"
        ws.append([f"居民{i}", int(mobile) if i % 3 == 0 else mobile, rng.choice(communities),
                   id_number(i) if i % 2 == 0 else None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from jusha.accounts.models import Role, RoleAssignment, User
    from jusha.onboarding import services
    from jusha.onboarding.files import read_table
    from jusha.places.models import Community, District, Subdistrict

    call_command("migrate", verbosity=0)
    district = District.objects.create(code="330114", name="钱塘区")
    subdistrict = Subdistrict.objects.create(district=district, code="330114001", name="下沙街道")
    codes = [f"330114001{n:03d}" for n in range(1, 21)]
    for code in codes:
        Community.objects.create(subdistrict=subdistrict, code=code, name=f"社区{code[-3:]}")
    admin = User.objects.create_user(username="bench-admin", password=None)
    RoleAssignment.objects.create(user=admin, role=Role.ADMINISTRATOR)

    content = workbook(args.rows, codes)
    t = time.perf_counter()
    read_table("residents.xlsx", content)
    baseline = time.perf_counter() - t

    def one_run() -> tuple[dict, dict]:
        times = {}
        t0 = time.perf_counter()
        job = services.job_upload(actor=admin, subdistrict=subdistrict, kind="residents", filename="r.xlsx",
                                  content=content)
        times["upload"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        job = services.job_check(actor=admin, job=job, mapping=job.options["mapping"], run_now=True)
        times["check"] = time.perf_counter() - t1
        assert job.status == "checked" and not job.error_count, job.report.get("errors", [])[:3]
        t2 = time.perf_counter()
        job = services.job_confirm(actor=admin, job=job, run_now=True)
        times["import"] = time.perf_counter() - t2
        assert job.status == "done", job.report
        times["total"] = time.perf_counter() - t0
        return times, job.report

    print(f"import {args.rows:,} residents from one .xlsx ({len(content) / 1e6:.1f} MB), "
          f"{connection.vendor}, {os.cpu_count()} CPUs")
    print(f"  baseline: openpyxl reading the cells   {baseline:7.1f} s   {args.rows / baseline:>9,.0f} rows/s")
    for label in ("first import", "same file again"):
        times, report = one_run()
        print(f"  {label:<15} upload {times['upload']:5.1f} s  check {times['check']:5.1f} s  "
              f"import {times['import']:5.1f} s  total {times['total']:6.1f} s  "
              f"{args.rows / times['total']:>9,.0f} rows/s  (new {report['created']:,}, "
              f"unchanged {report['unchanged']:,})")
    assert User.objects.filter(role_assignments__role=Role.RESIDENT).count() == args.rows


if __name__ == "__main__":
    main()
