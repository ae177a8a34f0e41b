"""Helpers for the volunteer tests: 王芳 (a resident of 智格) applies to become a volunteer; 李娜 (智格's
staff) reviews her. Identity numbers are made with a correct GB 11643 check character."""

from datetime import date

from jusha.volunteers import services
from jusha.volunteers.models import Volunteer

S = Volunteer.Status
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(born: str = "19850312", serial: str = "024", region: str = "330114") -> str:
    """A valid resident identity number; an even last serial digit is a woman."""
    body = f"{region}{born}{serial}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]


WANGFANG_ID = id_number()  # born March 1985, a woman


def application(world, **overrides) -> dict:
    fields = {"name": "王芳", "gender": "female", "birth_month": date(1985, 3, 1), "id_type": "resident_id",
              "id_number": WANGFANG_ID, "skills": ["elderly_care", "it"], "mobile": "13800000001",
              "community": world.zhige, "availability": [{"weekday": 5, "start": "09:00", "end": "12:00"}],
              "service_area": [world.zhige, world.yanlan]}
    fields.update(overrides)
    return fields


def apply(world, person=None, **overrides) -> Volunteer:
    return services.volunteer_apply(actor=person or world.wangfang, **application(world, **overrides))


def approved(world, person=None, **overrides) -> Volunteer:
    volunteer = apply(world, person, **overrides)
    staff = world.lina if volunteer.community_id == world.zhige.pk else world.chenjing
    services.volunteer_approve(actor=staff, volunteer=volunteer)
    volunteer.refresh_from_db()
    return volunteer
