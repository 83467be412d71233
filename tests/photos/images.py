"""Test images made on the fly, as the bytes a phone or a mischief-maker would upload."""

from __future__ import annotations

import functools
import io
import struct
import zlib

import numpy as np
from PIL import Image, ImageCms, ImageDraw, ImageFilter, PngImagePlugin

EXIF_IFD = 0x8769
GPS_IFD = 0x8825
ORIENTATION = 0x0112
DIGITAL_ZOOM_RATIO = 0xA404
MAKE = 0x010F
MODEL = 0x0110

# The corner blocks of scene(): a test can tell where the stored top-left ended up.
TOP_LEFT_COLOUR = (230, 20, 20)
BOTTOM_RIGHT_COLOUR = (20, 20, 230)

# Somewhere in central Manchester: what must never leave the original.
GPS = {
    1: "N",
    2: (53.0, 28.0, 49.32),
    3: "W",
    4: (2.0, 14.0, 42.6),
    5: b"\x00",
    6: 38.0,
}

XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
    b'photoshop:City="Manchester" photoshop:Credit="Jo Bloggs, Oak House recovery"/>'
    b"</rdf:RDF></x:xmpmeta>"
)

SCRIPT_TAIL = b"<script>alert(document.cookie)</script><?php system($_GET['c']); ?>"


def scene(
    size: tuple[int, int] = (640, 480),
    *,
    seed: int = 0,
    brightness: float = 1.0,
    blur: float = 0.0,
) -> Image.Image:
    """An RGB picture with a sky gradient, hard-edged shapes, texture and sensor-like noise."""
    width, height = size
    rng = np.random.default_rng(seed)
    y = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    x = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    sky = np.empty((height, width, 3), dtype=np.uint8)
    sky[..., 0] = 110 + 90 * y + 20 * x
    sky[..., 1] = 150 + 60 * y
    sky[..., 2] = 220 - 80 * y
    image = Image.fromarray(sky)

    draw = ImageDraw.Draw(image)
    unit = max(1, min(width, height) // 12)
    draw.rectangle((0, height * 2 // 3, width, height), fill=(90, 120, 60))
    for _ in range(8):
        cx, cy = int(rng.integers(0, width)), int(rng.integers(0, height))
        r = int(rng.integers(unit // 2 + 1, unit * 2 + 2))
        colour = tuple(int(c) for c in rng.integers(20, 236, 3))
        if rng.random() < 0.5:
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour, outline=(10, 10, 10))
        else:
            draw.rectangle((cx - r, cy - r // 2, cx + r, cy + r // 2), fill=colour)
    for i in range(0, width, max(2, unit // 3)):
        draw.line((i, height * 2 // 3, i + unit, height), fill=(60, 80, 40), width=1)
    draw.rectangle((0, 0, unit, unit), fill=TOP_LEFT_COLOUR)
    draw.rectangle((width - unit, height - unit, width, height), fill=BOTTOM_RIGHT_COLOUR)

    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    pixels = np.asarray(image, dtype=np.int16)
    if brightness != 1.0:
        pixels = (pixels * brightness).astype(np.int16)
    # A repeating tile of noise looks the same to the checks and is far quicker for big sizes.
    noise = rng.normal(0.0, 4.0, (256, 256, 3)).astype(np.int16)
    pixels = pixels + np.tile(noise, (-(-height // 256), -(-width // 256), 1))[:height, :width]
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def exif(
    *,
    gps: bool = False,
    orientation: int | None = None,
    digital_zoom: float | None = None,
) -> Image.Exif:
    """EXIF as a phone writes it: make and model, and optionally GPS, orientation and zoom."""
    data = Image.Exif()
    data[MAKE] = "Phonemaker"
    data[MODEL] = "Pocket 12"
    if orientation is not None:
        data[ORIENTATION] = orientation
    if digital_zoom is not None:
        data.get_ifd(EXIF_IFD)[DIGITAL_ZOOM_RATIO] = digital_zoom
    if gps:
        data.get_ifd(GPS_IFD).update(GPS)
    return data


@functools.cache
def srgb_icc() -> bytes:
    """An sRGB ICC profile, as a camera or an editor embeds one."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


@functools.cache
def other_rgb_icc() -> bytes:
    """An RGB profile told apart from srgb_icc() by its header's manufacturer field."""
    profile = srgb_icc()
    return profile[:48] + b"TEST" + profile[52:]


def _stored(image: Image.Image | None, size: tuple[int, int], orientation: int | None):
    """The picture as the sensor stored it, so that after orientation it looks like scene()."""
    picture = image if image is not None else scene(size)
    undo = {
        3: Image.Transpose.ROTATE_180,
        6: Image.Transpose.ROTATE_90,
        8: Image.Transpose.ROTATE_270,
    }
    if orientation in undo and image is None:
        picture = picture.transpose(undo[orientation])
    return picture


def jpeg(
    size: tuple[int, int] = (640, 480),
    *,
    gps: bool = False,
    orientation: int | None = None,
    icc: bool = False,
    comment: bytes | str | None = None,
    xmp: bool = False,
    digital_zoom: float | None = None,
    mode: str = "RGB",
    quality: int = 90,
    image: Image.Image | None = None,
    icc_profile: bytes | None = None,
) -> bytes:
    """A JPEG that displays as scene(size): with orientation 3, 6 or 8 its pixels are stored turned.

    An image passed in is stored as it is. mode may be RGB, L or CMYK; icc embeds sRGB (or
    icc_profile); digital_zoom sets the EXIF DigitalZoomRatio.
    """
    picture = _stored(image, size, orientation).convert(mode)
    options: dict = {
        "quality": quality,
        "exif": exif(gps=gps, orientation=orientation, digital_zoom=digital_zoom).tobytes(),
    }
    if icc or icc_profile:
        options["icc_profile"] = icc_profile or srgb_icc()
    if comment is not None:
        options["comment"] = comment
    if xmp:
        options["xmp"] = XMP
    return _save(picture, "JPEG", **options)


def cmyk_jpeg(size: tuple[int, int] = (320, 240), *, icc: bool = False) -> bytes:
    """A CMYK JPEG as print workflows make them; icc embeds cmyk_icc()."""
    picture = scene(size).convert("CMYK")
    options = {"icc_profile": cmyk_icc()} if icc else {}
    return _save(picture, "JPEG", quality=90, **options)


def mpo(size: tuple[int, int] = (640, 480)) -> bytes:
    """A multi-picture JPEG (MPO), as phones write with a depth map or a gain map inside."""
    first = scene(size)
    second = scene((size[0] // 4, size[1] // 4), seed=1)
    buffer = io.BytesIO()
    first.save(
        buffer, "MPO", save_all=True, append_images=[second],
        exif=exif(gps=True).tobytes(), quality=90,
    )
    return buffer.getvalue()


def png(
    size: tuple[int, int] = (640, 480),
    *,
    mode: str = "RGB",
    gps: bool = False,
    orientation: int | None = None,
    icc: bool = False,
    text: dict[str, str] | None = None,
    animated: bool = False,
) -> bytes:
    """A PNG. mode: RGB, L, RGBA or LA (with a transparent hole), P, or I;16 (16-bit grey)."""
    picture = _stored(None, size, orientation)
    options: dict = {}
    if gps or orientation is not None:
        options["exif"] = exif(gps=gps, orientation=orientation).tobytes()
    if icc:
        options["icc_profile"] = srgb_icc()
    if text:
        info = PngImagePlugin.PngInfo()
        for key, value in text.items():
            info.add_text(key, value)
        options["pnginfo"] = info
    if animated:
        frames = [picture.convert("RGB"), scene(picture.size, seed=2)]
        return _save(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=100)
    return _save(_in_mode(picture, mode), "PNG", **options)


def webp(
    size: tuple[int, int] = (640, 480),
    *,
    animated: bool = False,
    mode: str = "RGB",
    gps: bool = False,
    icc: bool = False,
    xmp: bool = False,
    lossless: bool = False,
) -> bytes:
    """A WebP, still or animated; mode RGBA gives it a transparent hole."""
    picture = _in_mode(scene(size), mode)
    options: dict = {"quality": 85, "lossless": lossless}
    if gps:
        options["exif"] = exif(gps=True).tobytes()
    if icc:
        options["icc_profile"] = srgb_icc()
    if xmp:
        options["xmp"] = XMP
    if animated:
        frames = [scene(size, seed=seed) for seed in range(3)]
        return _save(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100)
    return _save(picture, "WEBP", **options)


def heic(
    size: tuple[int, int] = (320, 240),
    *,
    gps: bool = False,
    orientation: int | None = None,
    quality: int = 80,
) -> bytes:
    """A HEIC as an iPhone writes it (pillow-heif); orientation as for jpeg().

    Small by default: encoding HEIC takes a while (0.2 s at 320x240, 0.8 s at 640x480).
    """
    from pillow_heif import register_heif_opener

    register_heif_opener()
    picture = _stored(None, size, orientation)
    data = exif(gps=gps, orientation=orientation)
    return _save(picture, "HEIF", quality=quality, exif=data.tobytes())


def gif(size: tuple[int, int] = (160, 120), *, animated: bool = True) -> bytes:
    """A GIF, animated by default, like the ones messaging apps hand around."""
    frames = [scene(size, seed=seed).convert("P") for seed in range(3 if animated else 1)]
    return _save(
        frames[0], "GIF", save_all=animated, append_images=frames[1:], duration=100, loop=0
    )


def tiff(size: tuple[int, int] = (160, 120)) -> bytes:
    return _save(scene(size), "TIFF")


def bmp(size: tuple[int, int] = (160, 120)) -> bytes:
    return _save(scene(size), "BMP")


def svg() -> bytes:
    return (
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="100" '
        b'height="100"><script>alert(1)</script><circle cx="50" cy="50" r="40"/></svg>\n'
    )


def html() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n"


def php() -> bytes:
    return b"<?php echo shell_exec($_GET['cmd']); ?>\n"


def text() -> bytes:
    return b"Dear diary, today I went to the group and took some photos.\n"


def truncated_jpeg(size: tuple[int, int] = (640, 480), *, keep: float = 0.6) -> bytes:
    """A JPEG cut off part-way through its picture data, as a dropped upload leaves it."""
    data = jpeg(size, quality=95)
    return data[: int(len(data) * keep)]


def polyglot_jpeg(size: tuple[int, int] = (320, 240)) -> bytes:
    """A valid JPEG with a script and PHP glued on after its end marker."""
    return jpeg(size, comment=b"<script>alert(1)</script>") + SCRIPT_TAIL


def png_bomb(side: int = 20_000) -> bytes:
    """A valid 1-bit PNG of side x side pixels (400 MP by default) in a file of about 50 kB."""
    return _png_bomb(side)


@functools.cache
def _png_bomb(side: int) -> bytes:
    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte, then packed 1-bit pixels
    compressor = zlib.compressobj(9)
    chunks = [compressor.compress(row * 256) for _ in range(side // 256)]
    chunks.append(compressor.compress(row * (side % 256)))
    chunks.append(compressor.flush())
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", b"".join(chunks))
        + _png_chunk(b"IEND", b"")
    )


@functools.cache
def cmyk_icc() -> bytes:
    """A small but real ICC v2 CMYK output profile (CMYK to Lab, a 2-point grid)."""
    # A naive ink model: each corner of the CMYK cube becomes the sRGB colour
    # (1-C)(1-K), (1-M)(1-K), (1-Y)(1-K), measured in Lab with Little CMS itself.
    corners = [
        (c, m, y, k) for c in (0, 1) for m in (0, 1) for y in (0, 1) for k in (0, 1)
    ]
    rgb = Image.fromarray(np.array(
        [[[round(255 * (1 - ink) * (1 - k)) for ink in (c, m, y)] for c, m, y, k in corners]],
        dtype=np.uint8,
    ))
    lab = ImageCms.profileToProfile(
        rgb, ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB"), outputMode="LAB"
    )
    assert lab is not None
    # Pillow's LAB keeps a and b as signed bytes; ICC v2 Lab puts zero at 0x8000.
    lab_values = np.asarray(lab).reshape(-1, 3).astype(np.int16)
    lab_values[:, 1:] ^= 0x80
    grid = b"".join(struct.pack(">HHH", *(v << 8 for v in row)) for row in lab_values.tolist())
    identity = [0, 0xFFFF]
    lut = (
        b"mft2" + b"\x00" * 4 + bytes([4, 3, 2, 0])
        + struct.pack(">9i", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x10000)
        + struct.pack(">HH", 2, 2)
        + struct.pack(">8H", *(identity * 4))
        + grid
        + struct.pack(">6H", *(identity * 3))
    )
    description = b"Test CMYK"
    desc = (
        b"desc" + b"\x00" * 4 + struct.pack(">I", len(description) + 1) + description
        + b"\x00" + b"\x00" * 8 + b"\x00" * 3 + b"\x00" * 67
    )
    white = b"XYZ " + b"\x00" * 4 + struct.pack(">3i", 63190, 65536, 54061)  # D50
    notice = b"text" + b"\x00" * 4 + b"PD\x00"
    tags = [(b"desc", desc), (b"wtpt", white), (b"A2B0", lut), (b"cprt", notice)]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for signature, data in tags:
        padded = data + b"\x00" * (-len(data) % 4)
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += padded
    size = offset + len(body)
    header = (
        struct.pack(">I", size) + b"lcms" + bytes([2, 0x10, 0, 0]) + b"prtr" + b"CMYK"
        + b"Lab " + b"\x00" * 12 + b"acsp" + b"\x00" * 4 + b"\x00" * 4 + b"\x00" * 4
        + b"\x00" * 4 + b"\x00" * 8 + b"\x00" * 4
        + struct.pack(">3i", 63190, 65536, 54061) + b"\x00" * 4 + b"\x00" * 16 + b"\x00" * 28
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


def _in_mode(picture: Image.Image, mode: str) -> Image.Image:
    if mode == "I;16":
        grey = np.asarray(picture.convert("L"), dtype=np.uint16)
        # Spread over the whole 16-bit range, with low bits that 8-bit could not hold.
        wide = grey * 257 + (np.arange(grey.size, dtype=np.uint16) % 200).reshape(grey.shape)
        return Image.fromarray(wide.astype(np.uint16))
    if mode in ("RGBA", "LA"):
        alpha = Image.new("L", picture.size, 255)
        w, h = picture.size
        ImageDraw.Draw(alpha).ellipse((w // 4, h // 4, w * 3 // 4, h * 3 // 4), fill=0)
        converted = picture.convert(mode[:-1])
        converted.putalpha(alpha)
        return converted
    if mode == "P":
        return picture.convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    return picture.convert(mode)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _save(picture: Image.Image, format: str, **options) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, format, **options)
    return buffer.getvalue()
