"""The hand-built data set of the indicator tests (tests/test_indicators.py works out every number by hand).

The cases of November 2026 (local time, Asia/Shanghai), counted on 5 December at noon:

A  智格/智格一, 沿街晾晒, resident. Reported 2 Nov 09:00, accepted 09:30, filed 09:40, dispatched 10:40
   (handle clock due 14:40), handled 12:40, verified 14:00, closed 15:00. Closed on time.
B  滟澜/滟澜一, 无照游商, camera, the brigade. Reported 10 Nov 10:00, accepted 10:10, filed 10:20, dispatched
   10:50 (due 16:00), handled late at 17:00, rework 11 Nov 09:00 (second clock due 13:00), handled 11:00,
   verified 12:00, closed 12:30. Closed, but reworked.
C  智格/智格二, 沿街晾晒, patrol. Reported 20 Nov 07:00 (the day before in UTC), accepted 07:10, filed 07:15,
   dispatched 07:30 (due 11:30), extension approved at 10:00 to the end of 21 Nov: due 22 Nov 00:00; still
   being handled.
D  智格/智格一, resident. Reported 25 Nov 09:00, accepted 09:20, not filed (cancelled 09:30).
E  滟澜/滟澜二, 井盖, sensor. Reported 28 Nov 20:00, accepted 20:05, filed 20:06, dispatched 20:30 (due
   1 Dec 10:00), handled 29 Nov 10:00, verified 11:00, closed 1 Dec 08:00 (December).
F  智格/智格一, resident. Reported 31 Oct 23:50 (October), accepted 1 Nov 00:00 sharp, filed 00:05, dispatched
   30 Nov 23:59 (due 1 Dec 00:00 sharp: December's); still being handled.
G  智格/智格一, patrol: handled on the spot 15 Nov 14:00, verified 15:00, closed 15:30.
"""

from datetime import datetime

from django.utils import timezone

from jusha.cases.models import Case, CaseDeadline, CaseEvent
from tests.cases_helpers import DRYING, MANHOLE, VENDING, category

S = Case.Status
TZ = timezone.get_fixed_timezone(8 * 60)


def t(month, day, hour=0, minute=0, second=0):
    return datetime(2026, month, day, hour, minute, second, tzinfo=TZ)


NOW = t(12, 5, 12)


def make_case(world, *, name, community, grid, code, source, status, reported, steps, clocks, team=None):
    case = Case.objects.create(number=f"T{name}", category=category(code), source=source, description=name,
                               community=community, grid=grid, lng=120.3, lat=30.3, status=status,
                               reported_at=reported, team=team)
    for step, at in steps:
        CaseEvent.objects.create(case=case, at=at, step=step, to_status=status)
    for stage, started, due, ended, met in clocks:
        CaseDeadline.objects.create(case=case, stage=stage, started_at=started, due_at=due, ended_at=ended, met=met)
    return case


def november(world) -> dict[str, Case]:
    """Cases A to G above, written straight into the tables with the times given."""
    w = world
    made = {}
    made["A"] = make_case(w, name="A", community=w.zhige, grid=w.zhige1, code=DRYING, source="resident",
                      status=S.CLOSED, reported=t(11, 2, 9),
                      steps=[("report", t(11, 2, 9)), ("accept", t(11, 2, 9, 30)), ("file", t(11, 2, 9, 40)),
                             ("dispatch", t(11, 2, 10, 40)), ("take", t(11, 2, 11)), ("handle", t(11, 2, 12, 40)),
                             ("verify", t(11, 2, 14)), ("close", t(11, 2, 15))],
                      clocks=[("accept", t(11, 2, 9), t(11, 2, 9, 30), t(11, 2, 9, 30), True),
                              ("dispatch", t(11, 2, 9, 40), t(11, 2, 10, 10), t(11, 2, 10, 40), True),
                              ("handle", t(11, 2, 10, 40), t(11, 2, 14, 40), t(11, 2, 12, 40), True),
                              ("verify", t(11, 2, 12, 40), t(11, 2, 14, 40), t(11, 2, 14), True)])
    made["B"] = make_case(w, name="B", community=w.yanlan, grid=w.yanlan1, code=VENDING, source="camera",
                      status=S.CLOSED, reported=t(11, 10, 10), team=w.brigade,
                      steps=[("report", t(11, 10, 10)), ("accept", t(11, 10, 10, 10)), ("file", t(11, 10, 10, 20)),
                             ("dispatch", t(11, 10, 10, 50)), ("handle", t(11, 10, 17)), ("rework", t(11, 11, 9)),
                             ("handle", t(11, 11, 11)), ("verify", t(11, 11, 12)), ("close", t(11, 11, 12, 30))],
                      clocks=[("accept", t(11, 10, 10), t(11, 10, 10, 30), t(11, 10, 10, 10), True),
                              ("dispatch", t(11, 10, 10, 20), t(11, 10, 10, 50), t(11, 10, 10, 50), True),
                              ("handle", t(11, 10, 10, 50), t(11, 10, 16), t(11, 10, 17), True),
                              ("verify", t(11, 10, 17), t(11, 11, 9), t(11, 11, 9), True),
                              ("handle", t(11, 11, 9), t(11, 11, 13), t(11, 11, 11), True),
                              ("verify", t(11, 11, 11), t(11, 11, 13), t(11, 11, 12), True)])
    made["C"] = make_case(w, name="C", community=w.zhige, grid=w.zhige2, code=DRYING, source="patrol",
                      status=S.HANDLING, reported=t(11, 20, 7),
                      steps=[("report", t(11, 20, 7)), ("accept", t(11, 20, 7, 10)), ("file", t(11, 20, 7, 15)),
                             ("dispatch", t(11, 20, 7, 30)), ("extension_request", t(11, 20, 9)),
                             ("extension_approve", t(11, 20, 10))],
                      clocks=[("accept", t(11, 20, 7), t(11, 20, 7, 30), t(11, 20, 7, 10), True),
                              ("dispatch", t(11, 20, 7, 15), t(11, 20, 7, 45), t(11, 20, 7, 30), True),
                              ("handle", t(11, 20, 7, 30), t(11, 22), None, False)])
    made["D"] = make_case(w, name="D", community=w.zhige, grid=w.zhige1, code=DRYING, source="resident",
                      status=S.CANCELLED, reported=t(11, 25, 9),
                      steps=[("report", t(11, 25, 9)), ("accept", t(11, 25, 9, 20)), ("cancel", t(11, 25, 9, 30))],
                      clocks=[("accept", t(11, 25, 9), t(11, 25, 9, 30), t(11, 25, 9, 20), True)])
    made["E"] = make_case(w, name="E", community=w.yanlan, grid=w.yanlan2, code=MANHOLE, source="sensor",
                      status=S.CLOSED, reported=t(11, 28, 20),
                      steps=[("report", t(11, 28, 20)), ("accept", t(11, 28, 20, 5)), ("file", t(11, 28, 20, 6)),
                             ("dispatch", t(11, 28, 20, 30)), ("handle", t(11, 29, 10)), ("verify", t(11, 29, 11)),
                             ("close", t(12, 1, 8))],
                      clocks=[("accept", t(11, 28, 20), t(11, 28, 20, 30), t(11, 28, 20, 5), True),
                              ("dispatch", t(11, 28, 20, 6), t(11, 28, 20, 36), t(11, 28, 20, 30), True),
                              ("handle", t(11, 28, 20, 30), t(12, 1, 10), t(11, 29, 10), True),
                              ("verify", t(11, 29, 10), t(11, 29, 12), t(11, 29, 11), True)])
    made["F"] = make_case(w, name="F", community=w.zhige, grid=w.zhige1, code=DRYING, source="resident",
                      status=S.DISPATCHED, reported=t(10, 31, 23, 50),
                      steps=[("report", t(10, 31, 23, 50)), ("accept", t(11, 1)), ("file", t(11, 1, 0, 5)),
                             ("dispatch", t(11, 30, 23, 59))],
                      clocks=[("accept", t(10, 31, 23, 50), t(11, 1, 0, 20), t(11, 1), True),
                              ("dispatch", t(11, 1, 0, 5), t(11, 1, 0, 35), t(11, 30, 23, 59), True),
                              ("handle", t(11, 30, 23, 59), t(12, 1), None, False)])
    made["G"] = make_case(w, name="G", community=w.zhige, grid=w.zhige1, code=DRYING, source="patrol",
                      status=S.CLOSED, reported=t(11, 15, 14),
                      steps=[("self_handle", t(11, 15, 14)), ("verify", t(11, 15, 15)), ("close", t(11, 15, 15, 30))],
                      clocks=[("verify", t(11, 15, 14), t(11, 15, 16), t(11, 15, 15), True)])
    return made
