from .request_context import Origin, client_ip, reset_origin, set_origin


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_origin(Origin(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:300]))
        try:
            return self.get_response(request)
        finally:
            reset_origin(token)
