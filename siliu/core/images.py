"""Uploaded pictures: checked to be images, re-encoded, and a thumbnail made beside each (Pillow).

A picture is stored as two JPEG files under ``MEDIA_ROOT``: ``<folder>/<random>.jpg`` (at most
:data:`FULL_PX` on its longer side) and ``<folder>/<random>.thumb.jpg`` (at most :data:`THUMBNAIL_PX`).
Re-encoding drops whatever the upload carried besides pixels (EXIF, with a phone's GPS position) and
anything that only pretends to be an image; pages link the thumbnail through :func:`thumbnail_url`.
"""

import io
import secrets
import warnings
from typing import IO, Final

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from siliu.core.errors import ValidationFailed

#: Largest upload read, in bytes (5 MiB: a phone photo; anything bigger is refused unread).
MAX_UPLOAD_BYTES: Final = 5 * 1024 * 1024
#: Most pixels an upload may decode to (a 5 MiB file can still claim to be huge: a decompression bomb).
MAX_PIXELS: Final = 40_000_000
#: Longer side of the stored picture and of its thumbnail, in pixels.
FULL_PX: Final = 1600
THUMBNAIL_PX: Final = 400
#: Formats accepted, as Pillow names them.
FORMATS: Final = ("JPEG", "PNG", "WEBP", "GIF")
_THUMB_SUFFIX: Final = ".thumb.jpg"


def _refuse(field: str) -> ValidationFailed:
    return ValidationFailed("not_an_image", _("请上传 JPEG、PNG、WebP 或 GIF 格式的图片"), field=field)


def _jpeg(image: Image.Image, longest_px: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((longest_px, longest_px), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


def image_store(*, upload: IO[bytes], size: int, folder: str, field: str = "photo") -> str:
    """Check ``upload`` is a picture, store it re-encoded with its thumbnail; return the picture's URL.

    Parameters
    ----------
    upload
        The uploaded file, read from its start.
    size
        Its size in bytes, as the request told it.
    folder
        Where under ``MEDIA_ROOT`` (``products/12``).

    Raises
    ------
    ValidationFailed
        ``photo_too_large`` (over :data:`MAX_UPLOAD_BYTES` or :data:`MAX_PIXELS`), ``not_an_image``
        (not a JPEG, PNG, WebP or GIF Pillow can read), both on ``field``.
    """
    if size > MAX_UPLOAD_BYTES:
        raise ValidationFailed(
            "photo_too_large",
            _("图片不能大于 %(mb)d MB") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
            field=field,
        )
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationFailed("photo_too_large", _("图片不能大于 %(mb)d MB") % {"mb": 5}, field=field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in FORMATS:
                    raise _refuse(field)
                if probe.width * probe.height > MAX_PIXELS:
                    raise ValidationFailed("photo_too_large", _("图片像素过多"), field=field)
                probe.verify()  # a truncated or corrupt file fails here, before anything is decoded
            with Image.open(io.BytesIO(data)) as opened:
                image = ImageOps.exif_transpose(opened).convert("RGB")
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise _refuse(field) from None
    stem = f"{folder.strip('/')}/{secrets.token_hex(8)}"
    name = default_storage.save(f"{stem}.jpg", ContentFile(_jpeg(image, FULL_PX)))
    default_storage.save(f"{name[:-4]}{_THUMB_SUFFIX}", ContentFile(_jpeg(image, THUMBNAIL_PX)))
    return f"{settings.MEDIA_URL}{name}"


def thumbnail_url(url: str) -> str:
    """The thumbnail of a picture stored by :func:`image_store`; any other address as it is."""
    if url.startswith(settings.MEDIA_URL) and url.endswith(".jpg") and not url.endswith(_THUMB_SUFFIX):
        return f"{url[:-4]}{_THUMB_SUFFIX}"
    return url
