"""Small pieces every app's pages share: refusals on forms, not-allowed as not-found, private photos."""

from functools import wraps

from django import forms
from django.http import FileResponse, Http404

from jusha.core.errors import NotAllowed


def add_domain_error(form: forms.Form, error) -> None:
    """Show a service's refusal next to the field it is about (or above the form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


def not_found_is_404(view):
    """Pages answer "not found" where a person may not see something, so its existence is not revealed."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotAllowed:
            raise Http404 from None

    return wrapper


def private_photo(image) -> FileResponse:
    """A stored photo (JPEG, or PNG where it has transparency) for one viewer: never cached by proxies."""
    content_type = "image/png" if image.name.lower().endswith(".png") else "image/jpeg"
    response = FileResponse(image.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response
