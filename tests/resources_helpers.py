"""Helpers for the resources tests: a resource of 下沙医院 (郑丽 is its liaison), brought to any status
through the services only."""

from jusha.resources import services
from jusha.resources.models import Resource
from tests.needs_helpers import category

S = Resource.Status


def fields(**overrides) -> dict:
    data = {"kind": Resource.Kind.SERVICE, "title": "上门测血压", "description": "每周二、四上午护士上门",
            "categories": [category("health")], "capacity": 20, "capacity_period": Resource.Period.WEEK,
            "availability": [{"weekday": 1, "start": "09:00", "end": "12:00"}],
            "contact_name": "郑丽", "contact_mobile": "13900000003"}
    data.update(overrides)
    return data


def make(world, status: str = S.DRAFT, *, unit=None, by=None, **overrides) -> Resource:
    """A resource of `unit` (下沙医院 unless told) in `status`, created by its liaison (郑丽 unless told)."""
    unit = unit or world.hospital
    by = by or world.zhengli
    resource = services.resource_create(actor=by, unit=unit, **fields(**overrides))
    if status == S.DRAFT:
        return resource
    if status == S.RETIRED:
        return services.resource_retire(actor=by, resource=resource)
    services.resource_submit(actor=by, resource=resource)
    if status == S.APPROVED:
        services.resource_approve(actor=world.liuyang, resource=resource)
    elif status == S.REJECTED:
        services.resource_reject(actor=world.liuyang, resource=resource, reason="请写明服务时间")
    return Resource.objects.get(pk=resource.pk)
