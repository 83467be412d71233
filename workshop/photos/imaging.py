"""Opening uploaded photos safely, checking them, and making metadata-free display copies."""

from __future__ import annotations

import io
import os
import struct
import warnings
from dataclasses import dataclass
from functools import cache
from typing import IO, Any

import numpy as np
from PIL import Image, ImageCms, JpegImagePlugin, UnidentifiedImageError
from pillow_heif import register_heif_opener

from workshop.photos import checks

register_heif_opener()

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
MIME_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "HEIF": "image/heif",
}

LARGE_LONG_SIDE = 1600
THUMB_LONG_SIDE = 400
# In the 80s JPEG's artefacts are hard to see on a phone screen, and the files stay small.
JPEG_QUALITY = 84
# A print shows what a screen hides: less compression, at a size that is still sent fast.
PRINT_QUALITY = 95

ORIENTATION = 0x0112
EXIF_IFD = 0x8769

PLEASE_CHOOSE = "Please choose a JPEG, PNG, WebP or HEIC photo."
MESSAGES = {
    "empty": "This file is empty. Please choose your photo again.",
    "not_an_image": f"This file is not a photo we can read. {PLEASE_CHOOSE}",
    "truncated": "Only part of this photo arrived. Please try sending it again.",
    "damaged": "This photo seems to be damaged, so we cannot open it. Please try another one.",
    "too_many_pixels": (
        "This picture is too big for us to open. Please send a smaller copy, "
        "or ask a worker to help."
    ),
    "animated": "Moving pictures can't be shared here. Please choose a still photo.",
    "video": "Videos can't be shared here. Please choose a still photo.",
}

# Formats people do send, which we recognise only to say plainly what went wrong.
_OTHER_FORMATS = (
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
    (b"%PDF", "PDF"),
    (b"8BPS", "Photoshop"),
    (b"\x00\x00\x00\x0cjP  ", "JPEG 2000"),
    (b"\xff\x4f\xff\x51", "JPEG 2000"),
)
_OWN_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")
# ISO media files name their kind in an "ftyp" box: HEIF photos, AVIF, or else video.
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")
_AVIF_BRANDS = (b"avif", b"avis")

# What a decoder may raise on a hostile or broken file; anything else is our own bug.
_DECODE_ERRORS = (OSError, ValueError, RuntimeError, SyntaxError, EOFError, struct.error,
                  IndexError)

_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class Refused(Exception):
    """The file cannot be accepted; message is meant for the participant."""

    def __init__(self, code: str, message: str | None = None):
        self.code = code
        self.message = message or MESSAGES.get(code, MESSAGES["not_an_image"])
        super().__init__(self.message)


@dataclass(frozen=True)
class Processed:
    """An accepted upload: what it is, what the checks found, and its two display copies."""

    format: str
    mime_type: str
    width: int
    height: int
    megapixels: float
    checks: dict[str, Any]
    large: bytes
    thumb: bytes


@dataclass(frozen=True)
class _Decoded:
    image: Image.Image  # RGB or L, info emptied, not yet oriented; long side >= the target
    orientation: int  # the EXIF value, still to apply
    icc_profile: bytes | None  # one that fits image's mode
    format: str
    width: int  # of the original, oriented
    height: int
    exif: Image.Exif | None


def process(path: str | os.PathLike[str], *, max_pixels: int) -> Processed:
    """Validate an upload, check it and make its display copies; raises Refused."""
    decoded = _decode(path, max_pixels=max_pixels, target=LARGE_LONG_SIDE)
    found = _analyse(decoded)
    # Turning the picture after shrinking it moves a quarter of the pixels or fewer.
    large_image = _orient(_fit(decoded.image, LARGE_LONG_SIDE), decoded.orientation)
    thumb_image = _fit(large_image, THUMB_LONG_SIDE)
    return Processed(
        format=decoded.format,
        mime_type=MIME_TYPES[decoded.format],
        width=decoded.width,
        height=decoded.height,
        megapixels=_megapixels(decoded),
        checks=found,
        large=encode_jpeg(large_image, decoded.icc_profile),
        thumb=encode_jpeg(thumb_image, decoded.icc_profile),
    )


def check_file(path: str | os.PathLike[str], *, max_pixels: int) -> dict[str, Any]:
    """Validate a file and run the checks only, decoding no more than they need."""
    decoded = _decode(path, max_pixels=max_pixels, target=checks.ANALYSIS_LONG_SIDE)
    return {
        "width": decoded.width,
        "height": decoded.height,
        "megapixels": _megapixels(decoded),
        "checks": _analyse(decoded),
    }


def full_picture(path: str | os.PathLike[str], *, max_pixels: int
                 ) -> tuple[Image.Image, bytes | None]:
    """The original at its full size, upright, with its colour profile and nothing else of
    what the file carried (no GPS leaves for the print shop)."""
    # No picture has a long side this big, so it is decoded and kept at its full size.
    decoded = _decode(path, max_pixels=max_pixels, target=max_pixels)
    return _orient(decoded.image, decoded.orientation), decoded.icc_profile


def _megapixels(decoded: _Decoded) -> float:
    return round(decoded.width * decoded.height / 1e6, 2)


def _analyse(decoded: _Decoded) -> dict[str, Any]:
    picture = _reduce_towards(decoded.image, checks.ANALYSIS_LONG_SIDE)
    return checks.analyse(
        _orient(picture, decoded.orientation),
        original_size=(decoded.width, decoded.height),
        exif=decoded.exif,
    )


def _decode(path: str | os.PathLike[str], *, max_pixels: int, target: int) -> _Decoded:
    """Open, validate and decode a file to at least target px on the long side, where cheap.

    A JPEG is decoded in the DCT domain at 1/2, 1/4 or 1/8 scale (libjpeg still reads all
    of it, so a cut-off file is still caught); other formats decode in full, then shrink.
    """
    with open(path, "rb") as fp:
        if os.fstat(fp.fileno()).st_size == 0:
            raise Refused("empty")
        image = _open(fp, max_pixels)
        # Phones write multi-picture JPEGs (a depth or gain map inside): Pillow calls them MPO.
        file_format = "JPEG" if image.format == "MPO" else str(image.format)
        if file_format in ("PNG", "WEBP") and getattr(image, "n_frames", 1) > 1:
            raise Refused("animated")
        width, height = image.size
        if isinstance(image, JpegImagePlugin.JpegImageFile):
            draft_size = _draft_size(image.size, target)
            if draft_size is not None:
                image.draft(image.mode, draft_size)
        try:
            image.load()
        except _DECODE_ERRORS as error:
            raise _broken(error) from error
        # After load(): a PNG may keep its EXIF after the picture data.
        exif = _read_exif(image)
        value = exif.get(ORIENTATION) if exif is not None else None
        orientation = value if isinstance(value, int) and value in _TRANSPOSE else 1
        if orientation in (5, 6, 7, 8):
            width, height = height, width
        icc_profile = image.info.get("icc_profile") or None
        picture, icc_profile = _displayable(image, icc_profile)
        # A full-size decode (PNG, WebP, HEIC) can be big: let it go before shrinking.
        del image
    picture = _reduce_towards(picture, target)
    # Whatever the original carried (EXIF, XMP, comments, text chunks) stays behind here.
    picture.info = {}
    return _Decoded(picture, orientation, icc_profile, file_format, width, height, exif)


def _open(fp: IO[bytes], max_pixels: int) -> Image.Image:
    """Image.open limited to the allowed formats, with our pixel limit instead of Pillow's."""
    try:
        image = _open_quietly(fp, ALLOWED_FORMATS)
    except Image.DecompressionBombError as error:
        raise Refused("too_many_pixels") from error
    except UnidentifiedImageError as error:
        raise _refusal_for_other(fp, max_pixels) from error
    except _DECODE_ERRORS as error:
        # It claimed to be one of ours but its header is broken.
        raise _broken(error) from error
    if image.width * image.height > max_pixels:
        raise Refused("too_many_pixels")
    return image


def _open_quietly(fp: IO[bytes], formats: tuple[str, ...]) -> Image.Image:
    # Pillow warns above its own MAX_IMAGE_PIXELS (and refuses above twice that); the
    # warning would stop uploads our own max_pixels allows, and changing the global
    # limit would change it for every other caller in the process. (Before Python 3.14
    # catch_warnings is not thread-safe; a race could at worst leave this one warning off.)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(fp, formats=formats)


def _broken(error: Exception) -> Refused:
    # Pillow says "truncated" when the data ran out: most likely an upload cut short.
    return Refused("truncated" if "truncated" in str(error).lower() else "damaged")


def _refusal_for_other(fp: IO[bytes], max_pixels: int) -> Refused:
    """Say plainly why a file that is not JPEG, PNG, WebP or HEIC was turned down."""
    fp.seek(0)
    head = fp.read(1024)
    name = next((name for magic, name in _OTHER_FORMATS if head.startswith(magic)), None)
    brand = head[8:12] if head[4:8] == b"ftyp" else None
    if (
        head.startswith(_OWN_MAGIC)
        or (head.startswith(b"RIFF") and head[8:12] == b"WEBP")
        or brand in _HEIF_BRANDS
    ):
        # One of ours by its first bytes, but Pillow could not read on.
        return Refused("damaged")
    if brand in _AVIF_BRANDS:
        name = "AVIF"
    elif brand is not None:
        return Refused("video")
    elif b"<svg" in head.lower():
        name = "SVG"
    if name is None:
        return Refused("not_an_image")
    if name == "GIF" and _is_animated_gif(fp, max_pixels):
        return Refused("animated")
    return Refused("unsupported_format", f"{name} files can't be shared here. {PLEASE_CHOOSE}")


def _is_animated_gif(fp: IO[bytes], max_pixels: int) -> bool:
    # Worth a look, as a moving picture is what people most often send as GIF.
    try:
        fp.seek(0)
        with _open_quietly(fp, ("GIF",)) as gif:
            return gif.width * gif.height <= max_pixels and bool(
                getattr(gif, "is_animated", False)
            )
    except (Image.DecompressionBombError, UnidentifiedImageError, *_DECODE_ERRORS):
        return False


def _read_exif(image: Image.Image) -> Image.Exif | None:
    """The EXIF, parsed now so that broken metadata cannot break the checks later."""
    try:
        exif = image.getexif()
        exif.get_ifd(EXIF_IFD)
    except (*_DECODE_ERRORS, KeyError, TypeError):
        return None
    return exif


def _draft_size(size: tuple[int, int], target: int) -> tuple[int, int] | None:
    """The size to ask draft() for, so the scaled decode keeps target px on the long side."""
    width, height = size
    long_side = max(width, height)
    if long_side <= target:
        return None
    # draft() picks the largest of 1/2, 1/4, 1/8 that keeps each side at least this big.
    return (-(-width * target // long_side), -(-height * target // long_side))


def _displayable(image: Image.Image, icc: bytes | None) -> tuple[Image.Image, bytes | None]:
    """The picture as 8-bit RGB or L on white, with the ICC profile that fits it (or None)."""
    mode = image.mode
    if mode == "CMYK":
        return _cmyk_to_rgb(image, icc)
    if mode.startswith("I"):
        picture = _sixteen_bit_to_grey(image)
    elif mode in ("RGBA", "RGBa", "LA", "La", "PA") or "transparency" in image.info:
        picture = _flatten(image)
    elif mode in ("RGB", "L"):
        picture = image
    elif mode == "1":
        picture = image.convert("L")
    else:
        picture = image.convert("RGB")
    wanted = {"RGB": b"RGB ", "L": b"GRAY"}[picture.mode]
    if icc is not None and icc[16:20] != wanted:
        icc = None
    return picture, icc


def _cmyk_to_rgb(image: Image.Image, icc: bytes | None) -> tuple[Image.Image, bytes | None]:
    if icc is not None and icc[16:20] == b"CMYK":
        try:
            rgb = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                _srgb_profile(),
                renderingIntent=ImageCms.Intent.PERCEPTUAL,
                outputMode="RGB",
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: the plain formula below is close enough
        else:
            assert rgb is not None
            return rgb, _srgb_icc()
    return image.convert("RGB"), None


@cache
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@cache
def _srgb_icc() -> bytes:
    return _srgb_profile().tobytes()


def _sixteen_bit_to_grey(image: Image.Image) -> Image.Image:
    # Pillow's own convert("L") clips 16-bit values at 255, which turns the photo white.
    values = np.asarray(image).astype(np.uint32)
    return Image.fromarray(((np.minimum(values, 65535) + 128) // 257).astype(np.uint8))


def _flatten(image: Image.Image) -> Image.Image:
    """Put a picture with transparency on white, as a browser shows it on our pages."""
    grey = image.mode in ("LA", "La", "L")
    target = "LA" if grey else "RGBA"
    # convert() to the same mode would copy a picture that may be full size.
    with_alpha = image if image.mode == target else image.convert(target)
    background = Image.new("L" if grey else "RGB", image.size, 255 if grey else (255, 255, 255))
    background.paste(with_alpha, mask=with_alpha.getchannel("A"))
    return background


def _reduce_towards(image: Image.Image, long_side: int) -> Image.Image:
    """Shrink by a whole factor (a cheap box filter), keeping at least long_side px."""
    factor = max(image.size) // long_side
    return image.reduce(factor) if factor >= 2 else image


def _orient(image: Image.Image, orientation: int) -> Image.Image:
    method = _TRANSPOSE.get(orientation)
    return image.transpose(method) if method is not None else image


def _fit(image: Image.Image, long_side: int) -> Image.Image:
    """Scale down to long_side px on the long side; never up."""
    width, height = image.size
    if max(width, height) <= long_side:
        return image
    scale = long_side / max(width, height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # Bicubic looks as good as Lanczos at these sizes, from a picture the JPEG decoder
    # has already shrunk, and takes a third less time.
    return image.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)


def encode_jpeg(image: Image.Image, icc: bytes | None, quality: int = JPEG_QUALITY) -> bytes:
    buffer = io.BytesIO()
    # No exif, comment or xmp is passed, and info is empty, so Pillow writes none.
    options: dict[str, Any] = {"quality": quality, "optimize": False}
    if icc:
        options["icc_profile"] = icc
    image.save(buffer, "JPEG", **options)
    return buffer.getvalue()
