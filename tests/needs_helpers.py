"""Helpers for the needs tests: the eye-drops need and the places of the test world."""

import io
from importlib import import_module

from PIL import Image

from jusha.needs import services
from jusha.needs.models import Need, NeedCategory

# Points inside the test world (tests/conftest.py): 智格一 and 滟澜一, and one outside the subdistrict.
IN_ZHIGE = (120.305, 30.305)
IN_YANLAN = (120.305, 30.315)
OUTSIDE = (120.45, 30.45)

EYE_DROPS = "请帮我去药店买一瓶眼药水，我腿脚不便，下不了楼。"


def category(code: str = "errands") -> NeedCategory:
    """A seeded category. Transactional tests (threads, the browser) run on a database emptied by the
    flush between such tests, which also removes what data migrations wrote: seed it again then."""
    if not NeedCategory.objects.exists():
        from django.apps import apps

        import_module("jusha.needs.migrations.0002_seed_categories").seed(apps, None)
    return NeedCategory.objects.get(code=code)


def submit(resident, *, text: str = EYE_DROPS, at=IN_ZHIGE, **kwargs) -> Need:
    """王芳 (or whoever) asks for help from inside her community; returns the new need."""
    lng, lat = at if at else (None, None)
    kwargs.setdefault("category", category())
    need, created = services.need_submit(actor=resident, text=text, lng=lng, lat=lat, **kwargs)
    assert created
    return need


def png_bytes(size=(40, 30), color=(200, 30, 30), mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format=save.pop("format", "PNG"), **save)
    return out.getvalue()


def upload(data: bytes, name: str = "photo.png", content_type: str = "image/png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)
