"""Helpers for the cases tests: the clothes-drying case and its way through the workflow.

In the test world (tests/conftest.py) 周强 is the grid worker of 智格一, 吴刚 a member of the
综合管理大队, 赵磊 the command operator and 孙敏 the supervisor of 下沙街道; 王芳 lives in 智格.
"""

from importlib import import_module

from jusha.cases import services
from jusha.cases.models import Case, CaseCategory
from tests.needs_helpers import IN_YANLAN, IN_ZHIGE, OUTSIDE, png_bytes, upload  # noqa: F401

S = Case.Status
ZHIGE_B = (120.302, 30.302)  # also in 智格一, about 420 m from IN_ZHIGE
DRYING = "SJ0104"  # 沿街晾晒: the grid worker's job, no photo required
VENDING = "SJ0502"  # 无照游商: the integrated management brigade's job
MANHOLE = "BJ0101"  # 井盖: photo required


def category(code: str = DRYING) -> CaseCategory:
    """A seeded category; seeded again on a database flushed by a transactional test."""
    if not CaseCategory.objects.exists():
        from django.apps import apps

        import_module("jusha.cases.migrations.0002_seed_categories").seed(apps, None)
    return CaseCategory.objects.get(code=code)


def photo(name="p.png"):
    return upload(png_bytes(), name)


def report(resident, *, code: str = DRYING, at=IN_ZHIGE, description: str = "沿街晾晒衣物，影响市容", **kwargs) -> Case:
    kwargs.setdefault("new_anyway", True)
    case, _report, created = services.report_submit(actor=resident, category=category(code).pk,
                                                    description=description, lng=at[0], lat=at[1], **kwargs)
    assert created
    return case


def bring_to(world, status: str, *, code: str = DRYING, at=IN_ZHIGE) -> Case:
    """A fresh case of 王芳's in `status`, reached through the services only."""
    case = report(world.wangfang, code=code, at=at)
    if status == S.REPORTED:
        return case
    if status == S.MERGED:
        into = report(world.zhangwei, code=code, at=at)
        services.case_merge(actor=world.zhaolei, case=case, into=into)
        return Case.objects.get(pk=case.pk)
    services.case_accept(actor=world.zhaolei, case=case)
    if status == S.ACCEPTED:
        return Case.objects.get(pk=case.pk)
    if status == S.CANCELLED:
        return services.case_cancel(actor=world.zhaolei, case=case, reason="不属于城市管理问题")
    services.case_file(actor=world.zhaolei, case=case)
    if status == S.FILED:
        return Case.objects.get(pk=case.pk)
    if status == S.PARKED:
        return services.case_park(actor=world.zhaolei, case=case, reason="需要资金")
    _dispatch(world, case)
    if status == S.DISPATCHED:
        return Case.objects.get(pk=case.pk)
    worker = _worker(world, case)
    services.case_take(actor=worker, case=case)
    if status == S.HANDLING:
        return Case.objects.get(pk=case.pk)
    services.case_handle(actor=worker, case=case, note="已劝导收回衣物", photo_files=[photo()])
    if status == S.HANDLED:
        return Case.objects.get(pk=case.pk)
    services.case_verify(actor=world.sunmin, case=case)
    if status == S.VERIFIED:
        return Case.objects.get(pk=case.pk)
    services.case_close(actor=world.zhaolei, case=case)
    assert status == S.CLOSED
    return Case.objects.get(pk=case.pk)


def _dispatch(world, case):
    if case.category.handler == "team":
        return services.case_dispatch(actor=world.zhaolei, case=case, assignee=world.wugang)
    return services.case_dispatch(actor=world.zhaolei, case=case, assignee=world.zhouqiang)


def _worker(world, case):
    return world.wugang if case.category.handler == "team" else world.zhouqiang
