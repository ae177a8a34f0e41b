"""Checking and cleaning photos before they are stored.

A photo is accepted only if Pillow can decode it, it is at most JUSHA_PHOTO_MAX_BYTES, and it does
not declare more than JUSHA_PHOTO_MAX_PIXELS (a decompression bomb is refused before it is decoded).
What is stored is a re-encoded copy: the EXIF block (GPS position, phone model, time) is dropped, the
orientation it described is applied to the pixels, and very large photos are scaled down.
"""

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from jusha.core.errors import DomainError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO"}
LONGEST_SIDE = 2560


@dataclass(frozen=True)
class CleanPhoto:
    file: ContentFile
    width: int
    height: int


def _refuse(message: str, code: str) -> DomainError:
    return DomainError(message, code=code, field="photos")


def _name(upload) -> str:
    return (getattr(upload, "name", "") or _("photo"))[:60]


def clean_photo(upload) -> CleanPhoto:
    """A re-encoded, metadata-free copy of an uploaded photo, or a DomainError saying what is wrong."""
    name = _name(upload)
    limit = settings.JUSHA_PHOTO_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise _refuse(_("“%(name)s” is too large: a photo may be at most %(mb)s MB.")
                      % {"name": name, "mb": _megabytes(limit)}, "photo_too_large")
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; a warning is a refusal here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise _refuse(_("“%(name)s” is not a photo. Choose a JPEG or PNG picture.") % {"name": name},
                                  "photo_not_image")
                if probe.width * probe.height > settings.JUSHA_PHOTO_MAX_PIXELS:
                    raise Image.DecompressionBombError("declared size over the limit")
                probe.verify()
            upload.seek(0)
            with Image.open(upload) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
                return _encode(upright)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(_("“%(name)s” has too many pixels to be a normal photo and was refused.") % {"name": name},
                      "photo_too_many_pixels") from None
    except (UnidentifiedImageError, SyntaxError, ValueError, OSError, EOFError):
        raise _refuse(_("“%(name)s” is not a photo or is damaged. Choose a JPEG or PNG picture.") % {"name": name},
                      "photo_not_image") from None


def _encode(image: Image.Image) -> CleanPhoto:
    if image.mode in ("P", "LA", "PA"):
        image = image.convert("RGBA")
    has_alpha = image.mode == "RGBA"
    if not has_alpha and image.mode != "RGB":
        image = image.convert("RGB")
    image.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    out = io.BytesIO()
    # No exif=, icc_profile= or pnginfo= arguments: nothing of the original's metadata is written.
    if has_alpha:
        image.save(out, format="PNG", optimize=True)
        extension = "png"
    else:
        image.save(out, format="JPEG", quality=85, optimize=True)
        extension = "jpg"
    return CleanPhoto(file=ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{extension}"),
                      width=image.width, height=image.height)


def _megabytes(n: int) -> str:
    value = n / (1024 * 1024)
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"
