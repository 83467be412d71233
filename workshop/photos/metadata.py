"""Taking location and owner or serial tags out of an original without touching its picture.

Workers and admins can download originals, and a phone's photo says where it was taken
(often at home) and a camera's serial number or owner's name. So before an original is
kept, those tags are blanked where they lie in the file: every edit replaces bytes with
bytes of the same length, the compressed picture is never decoded or written again, and
a HEIF's offsets into itself stay right. Tags we can find but not read safely are blanked
whole: losing a broken tag is better than keeping a location.

Covered: EXIF (JPEG APP1 and every picture of a multi-picture JPEG, PNG eXIf, WebP EXIF,
HEIF Exif items), XMP (JPEG, PNG, WebP, HEIF), IPTC in a JPEG's Photoshop block, and PNG
text chunks naming an author or copyright holder or carrying a raw EXIF or XMP profile.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

from workshop.photos.storage import FileBackend, StoredFile

GPS_IFD = 0x8825
EXIF_IFD = 0x8769
# Tags that name a person or identify one camera (and so its owner). Orientation, make,
# model, exposure and the rest stay: the checks and the display copies use them.
PERSONAL_TAGS = {
    0x013B,  # Artist
    0x013C,  # HostComputer (often "Jo's laptop")
    0x8298,  # Copyright (a name)
    0x9C9D,  # XPAuthor
    0xA430,  # CameraOwnerName
    0xA431,  # BodySerialNumber
    0xA435,  # LensSerialNumber
    0xC62F,  # CameraSerialNumber (DNG)
    0x927C,  # MakerNote: the maker's own block, where serial numbers and owners hide
    GPS_IFD,
}
# Bytes per value of each TIFF type (1 BYTE .. 13 IFD).
TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}

# XMP properties by local name, whatever their prefix: location, owners, serial numbers.
XMP_NAMES = (
    rb"GPS[\w.-]*|[\w-]*SerialNumber|CameraOwnerName|OwnerName|Owner|Artist|creator|"
    rb"Credit|AuthorsPosition|CreatorContactInfo|rights|City|State|Country|CountryCode|"
    rb"CountryName|ProvinceState|Sublocation|WorldRegion|Location|LocationCreated|"
    rb"LocationShown"
)
_XMP_ELEMENT = re.compile(
    rb"<([\w.-]+:(?:" + XMP_NAMES + rb"))(?=[\s/>])(?:[^>]*?/>|.*?</\1\s*>)", re.DOTALL)
_XMP_ATTRIBUTE = re.compile(
    rb"(?<=\s)[\w.-]+:(?:" + XMP_NAMES + rb")\s*=\s*(?:\"[^\"]*\"|'[^']*')")

# IPTC datasets of record 2 that name a person or a place.
IPTC_PERSONAL = {80, 85, 90, 92, 95, 100, 101, 116, 118}

JPEG_EXIF = b"Exif\x00\x00"
JPEG_XMP = b"http://ns.adobe.com/xap/1.0/\x00"
JPEG_XMP_EXTENSION = b"http://ns.adobe.com/xmp/extension/\x00"
JPEG_PHOTOSHOP = b"Photoshop 3.0\x00"
JPEG_MPF = b"MPF\x00"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_XMP_KEY = b"XML:com.adobe.xmp"
# Text chunks dropped whole: a named author or rights holder, or a copy of EXIF or XMP.
PNG_PERSONAL_KEYS = (b"Author", b"Copyright", b"Raw profile type exif",
                     b"Raw profile type APP1", b"Raw profile type xmp",
                     b"Raw profile type iptc")

_PARSE_ERRORS = (struct.error, IndexError, ValueError, KeyError, zlib.error)


class _Broken(Exception):
    """A structure points outside its block."""


def scrub(data: bytes) -> bytes:
    """data without location or personal tags; the same object when there were none."""
    buf = bytearray(data)
    if buf.startswith(b"\xff\xd8\xff"):
        _scrub_jpeg(buf, 0)
    elif buf.startswith(PNG_SIGNATURE):
        return _scrub_png(data)
    elif buf[:4] == b"RIFF" and buf[8:12] == b"WEBP":
        _scrub_webp(buf)
    elif buf[4:8] == b"ftyp":
        _scrub_heif(buf)
    return data if buf == data else bytes(buf)


def scrub_stored(stored: StoredFile) -> bool:
    """Scrub a stored file, replacing it whole (a crash leaves the old one or the new
    one); True if it changed."""
    data = stored.read_bytes()
    scrubbed = scrub(data)
    if scrubbed is data:
        return False
    stored.backend.put(stored.key, scrubbed, replace=True)
    return True


def scrub_file(path: Path) -> bool:
    """scrub_stored for a file on this machine (an upload just received)."""
    return scrub_stored(StoredFile(FileBackend(path.parent), path.name))


def _blank(buf: bytearray, start: int, end: int, fill: int = 0) -> None:
    # Never past the file: a slice assignment there would make it longer.
    end = min(end, len(buf))
    if start < end:
        buf[start:end] = bytes([fill]) * (end - start)


# --- TIFF (EXIF) -------------------------------------------------------------------------


def _scrub_tiff(buf: bytearray, start: int, end: int) -> None:
    """Remove PERSONAL_TAGS from the EXIF block buf[start:end], in place."""
    try:
        _Tiff(buf, start, end).scrub()
    except (_Broken, *_PARSE_ERRORS):
        # Unreadable: nothing in it can be trusted to be harmless.
        _blank(buf, start, end)


class _Tiff:
    def __init__(self, buf: bytearray, start: int, end: int):
        self.buf, self.start, self.end = buf, start, min(end, len(buf))
        order = bytes(buf[start:start + 2])
        if order not in (b"II", b"MM"):
            raise _Broken("byte order")
        self.order = "<" if order == b"II" else ">"
        if self._unpack("H", 2) != 42:
            raise _Broken("magic")
        self.seen: set[int] = set()

    def _check(self, offset: int, size: int) -> int:
        absolute = self.start + offset
        if offset < 0 or size < 0 or absolute + size > self.end:
            raise _Broken("outside the block")
        return absolute

    def _unpack(self, kind: str, offset: int) -> int:
        at = self._check(offset, struct.calcsize(kind))
        return struct.unpack_from(self.order + kind, self.buf, at)[0]

    def scrub(self) -> None:
        offset = self._unpack("I", 4)
        # IFD0, then IFD1 (the thumbnail's) and any after it.
        while offset and offset not in self.seen:
            offset = self._scrub_ifd(offset)

    def _entries(self, offset: int) -> Iterator[tuple[int, int, int, int, int]]:
        count = self._unpack("H", offset)
        self._check(offset, 2 + 12 * count + 4)
        for index in range(count):
            at = offset + 2 + 12 * index
            tag, kind, n = (self._unpack("H", at), self._unpack("H", at + 2),
                            self._unpack("I", at + 4))
            yield index, at, tag, kind, n

    def _value_span(self, at: int, kind: int, n: int) -> tuple[int, int] | None:
        """Where an entry's value lies, when it is not inside the entry itself."""
        size = TYPE_SIZES.get(kind, 1) * n
        if size <= 4:
            return None
        value = self._check(self._unpack("I", at + 8), size)
        return value, value + size

    def _scrub_ifd(self, offset: int, inner: bool = False) -> int:
        """Scrub one IFD (and the EXIF IFD it points to); returns the next IFD's offset."""
        self.seen.add(offset)
        # Read whole before any blanking: a hostile file may point one IFD into another.
        entries = list(self._entries(offset))
        count = len(entries)
        next_at = offset + 2 + 12 * count
        following = self._unpack("I", next_at)
        doomed = []
        for index, at, tag, kind, n in entries:
            if tag in PERSONAL_TAGS:
                doomed.append(index)
                if tag == GPS_IFD:
                    self._blank_ifd(self._unpack("I", at + 8))
                elif span := self._value_span(at, kind, n):
                    _blank(self.buf, *span)
            elif tag == EXIF_IFD and not inner:
                sub = self._unpack("I", at + 8)
                if sub not in self.seen:
                    self._scrub_ifd(sub, inner=True)
        self._remove_entries(offset, count, doomed)
        return following

    def _remove_entries(self, offset: int, count: int, doomed: list[int]) -> None:
        if not doomed:
            return
        first = self._check(offset, 0) + 2
        entries = [bytes(self.buf[first + 12 * i:first + 12 * i + 12])
                   for i in range(count) if i not in doomed]
        tail = bytes(self.buf[first + 12 * count:first + 12 * count + 4])
        # The kept entries, then the next-IFD offset right after them, then zeros where
        # the removed entries were: the same bytes in all, so nothing after them moves.
        block = b"".join(entries) + tail
        self.buf[first:first + 12 * count + 4] = block + bytes(12 * len(doomed))
        struct.pack_into(self.order + "H", self.buf, first - 2, len(entries))

    def _blank_ifd(self, offset: int) -> None:
        if offset in self.seen:
            return
        self.seen.add(offset)
        entries = list(self._entries(offset))
        for _, at, _, kind, n in entries:
            if span := self._value_span(at, kind, n):
                _blank(self.buf, *span)
        at = self._check(offset, 0)
        _blank(self.buf, at, at + 2 + 12 * len(entries) + 4)


# --- XMP ---------------------------------------------------------------------------------


def _scrub_xmp(buf: bytearray, start: int, end: int) -> None:
    """Blank personal XMP properties in buf[start:end] with spaces (XML ignores them)."""
    text = bytes(buf[start:end])
    for pattern in (_XMP_ELEMENT, _XMP_ATTRIBUTE):
        for match in pattern.finditer(text):
            _blank(buf, start + match.start(), start + match.end(), ord(" "))
        text = bytes(buf[start:end])


# --- JPEG --------------------------------------------------------------------------------


def _jpeg_segments(buf: bytearray, at: int) -> Iterator[tuple[int, int, int]]:
    """(marker, payload start, payload end) of each segment before the picture data."""
    at += 2  # SOI
    while at + 4 <= len(buf):
        if buf[at] != 0xFF:
            return
        marker = buf[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in (0xD9, 0xDA):  # end of image, start of scan: the picture follows
            return
        length = struct.unpack_from(">H", buf, at + 2)[0]
        if length < 2 or at + 2 + length > len(buf):
            return
        yield marker, at + 4, at + 2 + length
        at += 2 + length


def _scrub_jpeg(buf: bytearray, at: int, others: bool = True) -> None:
    for marker, start, end in list(_jpeg_segments(buf, at)):
        payload = buf[start:end]
        if marker == 0xE1 and payload.startswith(JPEG_EXIF):
            _scrub_tiff(buf, start + len(JPEG_EXIF), end)
        elif marker == 0xE1 and payload.startswith(JPEG_XMP):
            _scrub_xmp(buf, start + len(JPEG_XMP), end)
        elif marker == 0xE1 and payload.startswith(JPEG_XMP_EXTENSION):
            # A GUID, the full length and this part's offset come before the text.
            _scrub_xmp(buf, start + len(JPEG_XMP_EXTENSION) + 40, end)
        elif marker == 0xED and payload.startswith(JPEG_PHOTOSHOP):
            _scrub_photoshop(buf, start + len(JPEG_PHOTOSHOP), end)
        elif marker == 0xE2 and payload.startswith(JPEG_MPF) and others:
            # The other pictures of a multi-picture file carry EXIF of their own.
            for picture in _mpf_pictures(buf, start + len(JPEG_MPF), end):
                if buf[picture:picture + 3] == b"\xff\xd8\xff":
                    _scrub_jpeg(buf, picture, others=False)


def _mpf_pictures(buf: bytearray, start: int, end: int) -> list[int]:
    """Where the further pictures of a multi-picture JPEG start (offsets from its index)."""
    try:
        tiff = _Tiff(buf, start, end)
        found = []
        for _, at, tag, kind, n in tiff._entries(tiff._unpack("I", 4)):
            if tag == 0xB002 and (span := tiff._value_span(at, kind, n)):
                for entry in range(span[0], span[1] - 15, 16):
                    offset = struct.unpack_from(tiff.order + "I", buf, entry + 8)[0]
                    if offset:
                        found.append(start + offset)
        return found
    except (_Broken, *_PARSE_ERRORS):
        return []


def _scrub_photoshop(buf: bytearray, start: int, end: int) -> None:
    """Blank IPTC names and places inside a Photoshop block's 8BIM resources."""
    at = start
    try:
        while at + 12 <= end and buf[at:at + 4] == b"8BIM":
            resource = struct.unpack_from(">H", buf, at + 4)[0]
            name_length = buf[at + 6]
            at += 6 + ((name_length + 2) & ~1)  # a Pascal string padded to even
            size = struct.unpack_from(">I", buf, at)[0]
            data = at + 4
            if data + size > end:
                raise _Broken("resource past the block")
            if resource == 0x0404:
                _scrub_iptc(buf, data, data + size)
            at = data + size + (size & 1)
    except (_Broken, *_PARSE_ERRORS):
        _blank(buf, start, end)


def _scrub_iptc(buf: bytearray, start: int, end: int) -> None:
    at = start
    while at + 5 <= end and buf[at] == 0x1C:
        record, dataset = buf[at + 1], buf[at + 2]
        size = struct.unpack_from(">H", buf, at + 3)[0]
        if size & 0x8000 or at + 5 + size > end:
            raise _Broken("extended IPTC")
        if record == 2 and dataset in IPTC_PERSONAL:
            _blank(buf, at + 5, at + 5 + size, ord(" "))
        at += 5 + size


# --- PNG ---------------------------------------------------------------------------------


def _scrub_png(data: bytes) -> bytes:
    """Chunks may change length in a PNG (nothing points into the file), so a text chunk
    is dropped or rewritten whole; the picture's IDAT chunks are copied as they are."""
    out, at, changed = [data[:8]], 8, False
    while at + 12 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, at)
        chunk_end = at + 12 + length
        if chunk_end > len(data):
            break
        body = data[at + 8:at + 8 + length]
        new_body: bytes | None = body
        if kind == b"eXIf":
            scrubbed = bytearray(body)
            _scrub_tiff(scrubbed, 0, len(scrubbed))
            new_body = bytes(scrubbed)
        elif kind in (b"tEXt", b"zTXt", b"iTXt"):
            new_body = _scrub_png_text(kind, body)
        if new_body is None:
            changed = True
        elif new_body != body:
            changed = True
            out.append(struct.pack(">I4s", len(new_body), kind) + new_body
                       + struct.pack(">I", zlib.crc32(kind + new_body)))
        else:
            out.append(data[at:chunk_end])
        at = chunk_end
        if kind == b"IEND":
            break
    if not changed:
        return data
    return b"".join(out) + data[at:]


def _scrub_png_text(kind: bytes, body: bytes) -> bytes | None:
    """The chunk's new body, or None to drop it."""
    keyword = body.split(b"\x00", 1)[0]
    if keyword in PNG_PERSONAL_KEYS:
        return None
    if kind != b"iTXt" or keyword != PNG_XMP_KEY:
        return body
    try:
        head_end = len(keyword) + 1
        compressed = body[head_end]
        rest = body[head_end + 2:]
        language, _, rest = rest.partition(b"\x00")
        translated, _, text = rest.partition(b"\x00")
        xmp = bytearray(zlib.decompress(text) if compressed else text)
        _scrub_xmp(xmp, 0, len(xmp))
        text = zlib.compress(bytes(xmp)) if compressed else bytes(xmp)
        return body[:head_end + 2] + language + b"\x00" + translated + b"\x00" + text
    except _PARSE_ERRORS:
        return None


# --- WebP --------------------------------------------------------------------------------


def _scrub_webp(buf: bytearray) -> None:
    at = 12
    while at + 8 <= len(buf):
        kind = bytes(buf[at:at + 4])
        size = struct.unpack_from("<I", buf, at + 4)[0]
        start, end = at + 8, min(at + 8 + size, len(buf))
        if kind == b"EXIF":
            # Some writers keep JPEG's "Exif\0\0" in front of the TIFF data.
            skip = len(JPEG_EXIF) if buf[start:end].startswith(JPEG_EXIF) else 0
            _scrub_tiff(buf, start + skip, end)
        elif kind == b"XMP ":
            _scrub_xmp(buf, start, end)
        at = start + size + (size & 1)


# --- HEIF --------------------------------------------------------------------------------


def _boxes(buf: bytearray, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, end) of the ISO boxes in buf[start:end]."""
    at = start
    while at + 8 <= end:
        size, kind = struct.unpack_from(">I4s", buf, at)
        header = 8
        if size == 1:
            size, header = struct.unpack_from(">Q", buf, at + 8)[0], 16
        elif size == 0:
            size = end - at
        if size < header or at + size > end:
            return
        yield kind, at + header, at + size
        at += size


def _scrub_heif(buf: bytearray) -> None:
    for kind, start, end in _boxes(buf, 0, len(buf)):
        if kind == b"meta":
            try:
                _scrub_heif_meta(buf, start + 4, end)  # after the full box's version
            except (_Broken, *_PARSE_ERRORS):
                return


def _scrub_heif_meta(buf: bytearray, start: int, end: int) -> None:
    children = {kind: (s, e) for kind, s, e in _boxes(buf, start, end)}
    if b"iinf" not in children or b"iloc" not in children:
        return
    kinds = _heif_item_kinds(buf, *children[b"iinf"])
    idat = children.get(b"idat", (0, 0))[0]
    for item_id, extents in _heif_locations(buf, *children[b"iloc"], idat):
        kind = kinds.get(item_id)
        if kind is None:
            continue
        for extent_start, extent_end in extents:
            if extent_end > len(buf):
                raise _Broken("item past the file")
            if kind == "exif" and len(extents) == 1:
                # The payload starts with the offset of the TIFF header within the rest.
                skip = struct.unpack_from(">I", buf, extent_start)[0]
                _scrub_tiff(buf, extent_start + 4 + skip, extent_end)
            elif kind == "exif":
                _blank(buf, extent_start, extent_end)
            else:
                _scrub_xmp(buf, extent_start, extent_end)


def _heif_item_kinds(buf: bytearray, start: int, end: int) -> dict[int, str]:
    """Which items are EXIF or XMP, by item id."""
    version = buf[start]
    first = start + 4 + (2 if version == 0 else 4)
    kinds = {}
    for kind, s, _ in _boxes(buf, first, end):
        if kind != b"infe" or buf[s] < 2:
            continue
        at = s + 4
        if buf[s] == 2:
            item_id, at = struct.unpack_from(">H", buf, at)[0], at + 2
        else:
            item_id, at = struct.unpack_from(">I", buf, at)[0], at + 4
        item_type = bytes(buf[at + 2:at + 6])
        if item_type == b"Exif":
            kinds[item_id] = "exif"
        elif item_type == b"mime":
            name_end = buf.index(b"\x00", at + 6)
            content_type = bytes(buf[name_end + 1:buf.index(b"\x00", name_end + 1)])
            if content_type == b"application/rdf+xml":
                kinds[item_id] = "xmp"
    return kinds


def _heif_locations(buf: bytearray, start: int, end: int, idat: int
                    ) -> Iterator[tuple[int, list[tuple[int, int]]]]:
    """Each item's extents in the file, from the iloc box."""
    version = buf[start]
    at = start + 4
    offset_size, length_size = buf[at] >> 4, buf[at] & 0x0F
    base_size, index_size = buf[at + 1] >> 4, buf[at + 1] & 0x0F
    at += 2

    def read(size: int) -> int:
        nonlocal at
        if at + size > end:
            raise _Broken("iloc past its box")
        value = int.from_bytes(buf[at:at + size], "big")
        at += size
        return value

    def sized(size: int) -> int:
        # Offsets, lengths and indexes are 0, 4 or 8 bytes long, as the box says.
        if size not in (0, 4, 8):
            raise _Broken("field size")
        return read(size)

    wide = version >= 2
    for _ in range(read(4 if wide else 2)):
        item_id = read(4 if wide else 2)
        method = read(2) & 0x0F if version in (1, 2) else 0
        if method not in (0, 1):
            raise _Broken("construction method")
        read(2)  # data reference index
        base = sized(base_size)
        origin = idat if method == 1 else 0
        extents = []
        for _ in range(read(2)):
            if version in (1, 2) and index_size:
                sized(index_size)
            offset, length = sized(offset_size), sized(length_size)
            extents.append((origin + base + offset, origin + base + offset + length))
        yield item_id, extents
