"""Micro-wishes for the WeChat mini-program and other clients: the same selectors and services as the
H5 pages. The wall, the thank-you wall and one wish are public (no log-in) and carry only public
fields; claiming and "my claims" need a log-in. Refusals use the API's one error shape with a `code`
(already_claimed, claim_limit, invalid_unit, invalid_transition, …)."""

from datetime import date, datetime

from ninja import Field, Path, Query, Router, Schema, Status
from ninja.security import django_auth

from jusha.core.schemas import ErrorOut, ValidationErrorOut

from . import selectors, services
from .models import MicroWish

router = Router(tags=["wishes"])


class WallItemOut(Schema):
    id: int
    community: str
    community_id: int
    public_name: str = Field(description="a surname initial such as 张** — never the beneficiary's name")
    category: str
    category_label: str
    text: str
    estimated_value: int = Field(description="yuan")
    target_date: date
    status: str
    status_label: str


class ThanksItemOut(WallItemOut):
    fulfilled_at: datetime | None
    thanked: str = Field(description="the claimer's name where they agreed to be named, else empty")


class WallFilter(Schema):
    community: int | None = Field(None, ge=1, le=2**62)
    category: MicroWish.Category | None = None


class ClaimIn(Schema):
    unit: int | None = Field(None, ge=1, le=2**62, description="claim for this member unit (its liaison only); "
                                                                 "empty: for yourself")
    show_name: bool = Field(False, description="show the claimer's name on the thank-you wall")


class ClaimOut(Schema):
    id: int
    wish: WallItemOut
    status: str
    status_label: str
    unit: str | None
    show_name: bool
    created_at: datetime
    contact_due_at: datetime
    community_contact: str = Field(description="whom to call at the community (never the family's phone)")


def _item(item) -> dict:
    return item.__dict__


def _claim(claim) -> dict:
    wish = claim.wish
    staff = wish.contact_staff
    contact = f"{wish.community.name} {staff.name} {staff.mobile or ''}".strip() if staff else wish.community.name
    return {"id": claim.pk, "wish": selectors._item(wish).__dict__, "status": claim.status,
            "status_label": claim.get_status_display(), "unit": claim.member_unit.name if claim.member_unit_id
            else None, "show_name": claim.show_name, "created_at": claim.created_at,
            "contact_due_at": claim.contact_due_at,
            "community_contact": contact if claim.is_live else ""}


@router.get("", response={200: list[WallItemOut], 422: ValidationErrorOut})
def wall(request, filters: Query[WallFilter]):
    """The wish wall: published wishes, due soonest first. Public."""
    return [_item(i) for i in selectors.wall(request.user, community=filters.community, category=filters.category)]


@router.get("/thanks", response={200: list[ThanksItemOut], 422: ValidationErrorOut})
def thanks(request, filters: Query[WallFilter]):
    """The thank-you wall: fulfilled wishes, newest first. Public."""
    return [_item(i) for i in selectors.thanks_wall(request.user, community=filters.community,
                                                    category=filters.category)]


@router.get("/claims", auth=django_auth, response={200: list[ClaimOut], 401: ErrorOut})
def my_claims(request):
    """The claims of the logged-in person and of their units, newest first."""
    return [_claim(c) for c in selectors.my_claims(request.user)]


@router.get("/{wish_id}", response={200: ThanksItemOut, 404: ErrorOut, 422: ValidationErrorOut})
def one(request, wish_id: int = Path(..., ge=1, le=2**62)):
    """One wish as the public sees it; 404 for a wish that is not public."""
    return _item(selectors.public_wish(request.user, wish_id))


@router.post("/{wish_id}/claim", auth=django_auth,
             response={201: ClaimOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                       422: ValidationErrorOut})
def claim(request, payload: ClaimIn, wish_id: int = Path(..., ge=1, le=2**62)):
    """Claim a published wish for yourself or your unit. 400 `already_claimed` when someone was faster."""
    made = services.wish_claim(actor=request.user, wish=wish_id, unit=payload.unit, show_name=payload.show_name)
    found = selectors.my_claims(request.user).get(pk=made.pk)
    return Status(201, _claim(found))
