"""The stored original keeps its picture bit for bit, but not where it was taken (GPS) or
whose camera took it (owner names, serial numbers), in EXIF, XMP or IPTC."""

import hashlib
import io
import struct
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from tests.fixtures.accounts import user
from tests.photos import images
from workshop.extensions import db
from workshop.photos import metadata, services
from workshop.photos.storage import storage

ARTIST, CAMERA_OWNER, BODY_SERIAL, LENS_SERIAL = 0x013B, 0xA430, 0xA431, 0xA435
PERSONAL = (b"Jo Bloggs", b"SN-4411-2087", b"LENS-99117", b"Manchester", b"Oak House")
# Where the photo was taken, in XMP as well as in EXIF.
XMP = images.XMP.replace(
    b"photoshop:City=",
    b'exif:GPSLatitude="53,28.822N" exif:GPSLongitude="2,14.71W" aux:SerialNumber='
    b'"SN-4411-2087" photoshop:City=').replace(
    b"</rdf:Description>", b"").replace(
    b'"/></rdf:RDF>',
    b'"><exif:GPSAltitude>38/1</exif:GPSAltitude><dc:creator><rdf:Seq><rdf:li>Jo Bloggs'
    b"</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF>")


def phone_exif(orientation: int | None = None) -> Image.Exif:
    data = images.exif(gps=True, orientation=orientation)
    data[ARTIST] = "Jo Bloggs"
    exif_ifd = data.get_ifd(images.EXIF_IFD)
    exif_ifd[CAMERA_OWNER] = "Jo Bloggs"
    exif_ifd[BODY_SERIAL] = "SN-4411-2087"
    exif_ifd[LENS_SERIAL] = "LENS-99117"
    exif_ifd[0xA405] = 26  # FocalLengthIn35mmFilm: a camera detail that stays
    return data


def phone_jpeg(orientation: int | None = 6) -> bytes:
    buffer = io.BytesIO()
    images.scene((320, 240)).save(buffer, "JPEG", quality=90, xmp=XMP,
                                  exif=phone_exif(orientation).tobytes())
    return buffer.getvalue()


def decoded(data: bytes) -> list[bytes]:
    """Every picture in the file, decoded, as it was stored (no orientation applied)."""
    image = Image.open(io.BytesIO(data))
    frames = []
    for index in range(getattr(image, "n_frames", 1)):
        image.seek(index)
        frames.append(image.tobytes())
    return frames


def gps_rationals(data: bytes) -> list[bytes]:
    """The latitude and longitude as they lie in the file, in either byte order."""
    gps = Image.open(io.BytesIO(data)).getexif().get_ifd(images.GPS_IFD)
    return [struct.pack(order + "II", part.numerator, part.denominator)
            for key in (2, 4) for part in gps[key] for order in "<>"]


def assert_nothing_personal(stored: bytes, received: bytes) -> None:
    image = Image.open(io.BytesIO(stored))
    tags = image.getexif()
    assert images.GPS_IFD not in tags and not tags.get_ifd(images.GPS_IFD)
    assert ARTIST not in tags
    assert not {CAMERA_OWNER, BODY_SERIAL, LENS_SERIAL} & set(tags.get_ifd(images.EXIF_IFD))
    for secret in PERSONAL + tuple(gps_rationals(received)):
        assert secret not in stored, secret
    assert b"GPS" not in (image.info.get("xmp") or b"")


def upload(app, participant, content: bytes, name: str = "photo.jpg"):
    with app.app_context():
        owner = user(participant)
        created = services.upload(owner, services.upload_target(owner), io.BytesIO(content))
        db.session.commit()
        return created.content_hash, storage().original_path(created.content_hash).read_bytes()


def test_an_uploaded_jpeg_is_kept_without_its_location_and_pixels_unchanged(app, participant):
    received = phone_jpeg()
    assert Image.open(io.BytesIO(received)).getexif().get_ifd(images.GPS_IFD)  # it has GPS

    content_hash, stored = upload(app, participant, received)

    assert_nothing_personal(stored, received)
    assert decoded(stored) == decoded(received)
    # Only tags changed: the same length, and what the picture needs is still there.
    assert len(stored) == len(received)
    tags = Image.open(io.BytesIO(stored)).getexif()
    assert tags[images.ORIENTATION] == 6 and tags[images.MAKE] == "Phonemaker"
    assert tags.get_ifd(images.EXIF_IFD)[0xA405] == 26
    assert b"photoshop:Credit" not in stored and b"rdf:Description" in stored
    # The hash is of what was received, so the same file sent again is still recognised.
    assert content_hash == hashlib.sha256(received).hexdigest()
    with app.app_context(), pytest.raises(services.AlreadyUploaded):
        owner = user(participant)
        services.upload(owner, services.upload_target(owner), io.BytesIO(received))


def phone_png() -> bytes:
    data = images.png((320, 240), gps=True, text={"Author": "Jo Bloggs", "Comment": "A walk"})
    # XMP as a PNG carries it: an international text chunk with Adobe's keyword.
    body = b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + XMP
    chunk = (struct.pack(">I", len(body)) + b"iTXt" + body
             + struct.pack(">I", zlib.crc32(b"iTXt" + body)))
    at = data.index(b"IDAT") - 4
    return data[:at] + chunk + data[at:]


@pytest.mark.parametrize("kind, make", [
    ("png", phone_png),
    ("webp", lambda: images.webp((320, 240), gps=True, xmp=True)),
    ("heic", lambda: images.heic(gps=True)),
    ("multi-picture jpeg", lambda: images.mpo((320, 240))),
])
def test_other_formats_lose_their_location_too(app, participant, kind, make):
    received = make()
    assert Image.open(io.BytesIO(received)).getexif().get_ifd(images.GPS_IFD)

    _, stored = upload(app, participant, received)

    assert_nothing_personal(stored, received)
    assert decoded(stored) == decoded(received)
    if kind == "png":
        text = Image.open(io.BytesIO(stored)).text
        assert text["Comment"] == "A walk" and "Author" not in text
    if kind == "multi-picture jpeg":
        second = Image.open(io.BytesIO(stored))
        second.seek(1)
        assert not second.getexif().get_ifd(images.GPS_IFD)


def test_a_photo_with_nothing_to_remove_is_kept_byte_for_byte(app, participant):
    received = images.jpeg((320, 240), icc=True, comment=b"Taken at the group")

    _, stored = upload(app, participant, received)

    assert stored == received


@pytest.mark.parametrize("cut", [30, 60, 90, 140, 200])
def test_broken_exif_is_blanked_not_kept_or_crashed_on(cut):
    # An EXIF block whose offsets point past its end: nothing in it is read or kept.
    tiff = phone_exif().tobytes()
    segment = b"Exif\x00\x00" + tiff[:cut]
    head = b"\xff\xd8\xff\xe1" + struct.pack(">H", len(segment) + 2) + segment
    received = head + images.jpeg((64, 48))[2:]

    stored = metadata.scrub(received)

    # (Pillow itself warns about such a file, so its bytes are compared, not its pixels.)
    assert len(stored) == len(received) and stored[len(head):] == received[len(head):]
    for secret in PERSONAL:
        assert secret not in stored


SAMPLES = {
    "jpeg": phone_jpeg(), "png": phone_png(), "webp": images.webp((64, 48), gps=True, xmp=True),
    "heic": images.heic((64, 48), gps=True), "mpo": images.mpo((64, 48)),
}


@pytest.mark.parametrize("kind", SAMPLES)
@settings(max_examples=150, deadline=None, database=None)
@given(changes=st.lists(st.tuples(st.integers(0, 2999), st.integers(0, 255)), min_size=1,
                        max_size=8),
       cut=st.none() | st.integers(0, 4000))
def test_a_damaged_file_is_scrubbed_without_an_error(kind, changes, cut):
    # Hostile offsets and lengths in the tags: never an exception, never a longer file,
    # and (but for a PNG's text chunks) never a byte moved.
    data = bytearray(SAMPLES[kind])
    for at, value in changes:
        data[at % len(data)] = value
    data = bytes(data[:cut] if cut is not None else data)

    stored = metadata.scrub(data)

    if kind != "png":
        assert len(stored) == len(data)


def test_originals_stored_before_are_scrubbed_by_a_command(app, participant, runner):
    received = phone_jpeg()
    content_hash, _ = upload(app, participant, received)
    with app.app_context():
        # As an upload before this change kept it: exactly what was received.
        original = storage().original_path(content_hash)
        storage().write(original, received, replace=True)

    first = runner.invoke(args=["photos", "scrub"])
    again = runner.invoke(args=["photos", "scrub"])

    assert first.exit_code == 0 and "1 original scrubbed." in first.output
    assert again.exit_code == 0 and "0 originals scrubbed." in again.output
    with app.app_context():
        assert_nothing_personal(original.read_bytes(), received)
        assert decoded(original.read_bytes()) == decoded(received)
