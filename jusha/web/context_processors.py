from django.conf import settings

from jusha.permissions import actor_of

ELDERLY_COOKIE = "jusha_elderly"


def elderly_mode_on(request) -> bool:
    """Elderly mode sticks to the person when logged in, and to the browser before that."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.elderly_mode
    return request.COOKIES.get(ELDERLY_COOKIE) == "1"


def shell(request):
    return {
        "elderly_mode": elderly_mode_on(request),
        "actor": actor_of(getattr(request, "user", None)),
        "tile_url": settings.JUSHA_TILE_URL,
        "tile_attribution": settings.JUSHA_TILE_ATTRIBUTION,
    }
