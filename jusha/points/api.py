"""Points for the WeChat mini-program and other clients: the same selectors and services as the H5
pages, all for the logged-in person. Refusals use the API's one error shape with a `code`:
insufficient_points, out_of_stock, limit_reached, not_available (400), invalid_transition (400);
a reward or redemption the person may not see is 404; a POST from a browser session without the CSRF
token is 403."""

from datetime import datetime

from ninja import Field, Path, Query, Router, Schema, Status
from ninja.security import django_auth

from jusha.core.errors import NotAllowed
from jusha.core.schemas import ErrorOut, ValidationErrorOut

from . import selectors, services

router = Router(tags=["points"])
MAX_PAGE = 100


class PointsBalanceOut(Schema):
    balance: int
    hidden_from_leaderboards: bool


class PointsMovementOut(Schema):
    id: int
    kind: str
    kind_label: str
    points: int = Field(description="the change to the balance: positive earned or returned, negative spent, "
                                    "deducted or expired")
    reason: str
    trigger: str
    created_at: datetime


class PointsPage(Schema):
    limit: int = Field(50, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=2**31)


class RewardOut(Schema):
    id: int
    name: str
    description: str
    cost: int
    stock: int
    per_person_limit: int
    donor: str
    pickup_place: str
    available_until: datetime | None


class RedemptionOut(Schema):
    id: int
    reward: RewardOut
    cost: int
    status: str
    status_label: str
    code: str = Field(description="the one-time pickup code (only while ready for pickup, else empty)")
    created_at: datetime
    picked_up_at: datetime | None
    cancelled_at: datetime | None


class RedemptionCancelIn(Schema):
    reason: str = Field("", max_length=200)


def _reward(r) -> dict:
    return {"id": r.pk, "name": r.name, "description": r.description, "cost": r.cost, "stock": r.stock,
            "per_person_limit": r.per_person_limit, "donor": r.donor, "pickup_place": r.pickup_place,
            "available_until": r.available_until}


def _redemption(r) -> dict:
    return {"id": r.pk, "reward": _reward(r.reward), "cost": r.cost, "status": r.status,
            "status_label": r.get_status_display(), "code": r.code if r.status == "ready" else "",
            "created_at": r.created_at, "picked_up_at": r.picked_up_at, "cancelled_at": r.cancelled_at}


@router.get("/balance", auth=django_auth, response={200: PointsBalanceOut, 401: ErrorOut})
def balance(request):
    """The logged-in person's balance."""
    account = selectors.account_of(request.user)
    return {"balance": account.balance if account else 0,
            "hidden_from_leaderboards": account.hide_from_leaderboards if account else False}


@router.get("/history", auth=django_auth, response={200: list[PointsMovementOut], 401: ErrorOut,
                                                    422: ValidationErrorOut})
def history(request, page: Query[PointsPage]):
    """The person's movements, newest first, with their reasons."""
    rows = selectors.history(request.user)[page.offset:page.offset + page.limit]
    return [{"id": m.pk, "kind": m.kind, "kind_label": m.get_kind_display(), "points": m.signed_amount,
             "reason": m.reason, "trigger": m.trigger, "created_at": m.created_at} for m in rows]


@router.get("/rewards", auth=django_auth, response={200: list[RewardOut], 401: ErrorOut})
def rewards(request):
    """The rewards the person may redeem now, cheapest first."""
    return [_reward(r) for r in selectors.catalogue(request.user)]


@router.post("/rewards/{reward_id}/redeem", auth=django_auth,
             response={201: RedemptionOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                       422: ValidationErrorOut})
def redeem(request, reward_id: int = Path(..., ge=1, le=2**62)):
    """Redeem one. 400 with `insufficient_points`, `out_of_stock`, `limit_reached` or `not_available`."""
    made = services.redemption_create(actor=request.user, reward=reward_id)
    return Status(201, _redemption(selectors.my_redemptions(request.user).get(pk=made.pk)))


@router.get("/redemptions", auth=django_auth, response={200: list[RedemptionOut], 401: ErrorOut})
def redemptions(request):
    """The person's redemptions, newest first (the last hundred)."""
    return [_redemption(r) for r in selectors.my_redemptions(request.user)[:MAX_PAGE]]


@router.post("/redemptions/{redemption_id}/cancel", auth=django_auth,
             response={200: RedemptionOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                       422: ValidationErrorOut})
def cancel(request, payload: RedemptionCancelIn, redemption_id: int = Path(..., ge=1, le=2**62)):
    """Cancel one's own redemption before pickup: the points come back. 400 `invalid_transition` when it
    was already picked up or cancelled."""
    found = selectors.my_redemptions(request.user).filter(pk=redemption_id).first()
    if found is None:
        raise NotAllowed()
    services.redemption_cancel(actor=request.user, redemption=found, reason=payload.reason)
    return _redemption(selectors.my_redemptions(request.user).get(pk=found.pk))
