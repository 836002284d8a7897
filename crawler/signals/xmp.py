"""XMP metadata in images: find the packet(s) in a file, read the fields the gates need.

Pure standard library, no network. Two steps:

* :func:`scan_container` / :func:`extract_xmp` walk the container structure of JPEG (APP1
  ``http://ns.adobe.com/xap/1.0/\\0``, plus ExtendedXMP APP1 chunks), PNG (``iTXt``/``tEXt``/
  ``zTXt`` with keyword ``XML:com.adobe.xmp``, and ImageMagick's hex ``Raw profile type xmp``),
  WebP (RIFF ``XMP `` chunk) and GIF (application extension ``XMP DataXMP``), and note whether a
  C2PA manifest store is embedded (JPEG APP11 JUMBF, PNG ``caBX``, WebP ``C2PA``, GIF
  ``C2PA_GIF``). Other formats (TIFF, HEIF, SVG, ...), or a known container whose walk was cut
  short (truncated, corrupt, over budget) before finding a packet, fall back to a byte search
  for ``<?xpacket begin`` / ``<x:xmpmeta``; a complete walk is trusted, so text that merely
  mentions ``<x:xmpmeta`` in, say, a PNG comment is not taken for a packet. They never raise;
  work is bounded (segment and chunk counts, packet size, decompressed size) whatever the input.
* :func:`parse_xmp` reads a packet with expat, refusing any DTD or entity declaration (no entity
  is ever expanded), and returns the values of ``plus:DataMining``, ``cc:license``,
  ``xmpRights:WebStatement``, ``xmpRights:UsageTerms``, ``dc:creator`` and ``dc:title``, whether
  written as an attribute, element text, ``rdf:resource``, ``rdf:value`` or inside
  ``rdf:Alt``/``rdf:Bag``/``rdf:Seq``/``rdf:li``. A packet that is not well-formed XML (or is
  too large, or declares a DTD) is ``malformed``; what was read before the error is kept.

Namespace URIs are compared leniently (http/https, trailing ``/`` or ``#``, case), so a writer's
small slip in a namespace never hides an opt-out.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from crawler.signals import safexml

__all__ = [
    "MAX_XMP_BYTES",
    "ContainerScan",
    "XmpFields",
    "extract_xmp",
    "extract_xmp_packets",
    "parse_xmp",
    "scan_container",
]

#: Largest packet (or reassembled ExtendedXMP, or inflated iTXt) that is read; larger → cut.
MAX_XMP_BYTES = 4 * 1024 * 1024
_MAX_SEGMENTS = 4096  # JPEG segments / PNG and RIFF chunks walked before giving up
_MAX_PACKETS = 16
_MAX_EXTENDED = 4  # distinct ExtendedXMP GUIDs reassembled per JPEG
_MAX_VALUES = 64  # values kept per field
_MAX_VALUE_CHARS = 4096

_JPEG_XMP_ID = b"http://ns.adobe.com/xap/1.0/\x00"
_JPEG_EXT_ID = b"http://ns.adobe.com/xmp/extension/\x00"
_PNG_SIG = b"\x89PNG\r\n\x1a\n"
_PNG_XMP_KEY = b"XML:com.adobe.xmp"
_PNG_RAW_KEY = b"Raw profile type xmp"
_GIF_XMP_EXT = b"\x21\xff\x0bXMP DataXMP"
_GIF_C2PA_EXT = b"\x21\xff\x0bC2PA_GIF"
_GIF_TRAILER = b"\x01\xff\xfe\xfd\xfc"  # start of the 258-byte XMP "magic trailer"


@dataclass(frozen=True)
class ContainerScan:
    """What the container walk found: the image format, XMP packets (main packet first,
    then ExtendedXMP or further packets) and whether a C2PA manifest store is embedded."""

    format: str | None  # "image/jpeg" | "image/png" | "image/webp" | "image/gif" | None
    xmp: tuple[bytes, ...]
    c2pa: bool


@dataclass(frozen=True)
class XmpFields:
    """Values read from one XMP packet (document order, duplicates removed)."""

    data_mining: tuple[str, ...] = ()  # plus:DataMining
    cc_license: tuple[str, ...] = ()  # cc:license
    web_statement: tuple[str, ...] = ()  # xmpRights:WebStatement
    usage_terms: tuple[str, ...] = ()  # xmpRights:UsageTerms
    creator: tuple[str, ...] = ()  # dc:creator
    title: tuple[str, ...] = ()  # dc:title
    malformed: bool = False


# --------------------------------------------------------------------------------------------
# Container walking
# --------------------------------------------------------------------------------------------


def _inflate(data: bytes) -> bytes:
    """zlib-inflate at most MAX_XMP_BYTES (+1, so a cut shows as an over-long packet).

    On a corrupt stream the compressed bytes are returned as they are: the packet is there but
    unreadable, and :func:`parse_xmp` will call it malformed.
    """
    try:
        return zlib.decompressobj().decompress(data, MAX_XMP_BYTES + 1)
    except zlib.error:
        return data


def _imagemagick_raw_profile(text: bytes) -> bytes:
    """ImageMagick's ``Raw profile type xmp``: ``\\nxmp\\n   <len>\\n<hex lines>``."""
    parts = text.split(None, 2)
    if len(parts) < 3:
        return text
    hexdigits = re.sub(rb"\s+", b"", parts[2][:3 * MAX_XMP_BYTES])
    try:
        return bytes.fromhex(hexdigits.decode("ascii"))
    except ValueError:
        return text


def _png_text(ctype: bytes, data: bytes) -> bytes | None:
    keyword, sep, rest = data.partition(b"\x00")
    if not sep or keyword not in (_PNG_XMP_KEY, _PNG_RAW_KEY):
        return None
    if ctype == b"iTXt":
        if len(rest) < 2:
            return rest
        compressed = rest[0] == 1
        rest = rest[2:]
        _lang, _, rest = rest.partition(b"\x00")
        _translated, _, text = rest.partition(b"\x00")
    elif ctype == b"zTXt":
        compressed, text = True, rest[1:]
    else:
        compressed, text = False, rest
    if compressed:
        text = _inflate(text)
    if keyword == _PNG_RAW_KEY:
        text = _imagemagick_raw_profile(text)
    return text


def _scan_png(body: bytes) -> tuple[list[bytes], bool, bool]:
    packets: list[bytes] = []
    c2pa = complete = False
    i, n = 8, len(body)
    for _ in range(_MAX_SEGMENTS):
        if i + 8 > n:
            break
        length = int.from_bytes(body[i:i + 4], "big")
        ctype = body[i + 4:i + 8]
        if ctype in (b"iTXt", b"tEXt", b"zTXt"):
            text = _png_text(ctype, body[i + 8:i + 8 + length])
            if text is not None and len(packets) < _MAX_PACKETS:
                packets.append(text)
        elif ctype == b"caBX":
            c2pa = True
        elif ctype == b"IEND":
            complete = True
            break
        i += 12 + length
    return packets, c2pa, complete


def _scan_jpeg(body: bytes) -> tuple[list[bytes], bool, bool]:
    main: list[bytes] = []
    extended: dict[bytes, tuple[int, list[tuple[int, bytes]]]] = {}
    c2pa = complete = False
    i, n = 2, len(body)
    for _ in range(_MAX_SEGMENTS):
        if i + 4 > n or body[i] != 0xFF:
            break
        marker = body[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:  # no length
            i += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image / start of scan: metadata is before
            complete = True
            break
        seglen = int.from_bytes(body[i + 2:i + 4], "big")
        if seglen < 2:
            break
        start, end = i + 4, i + 2 + seglen
        if marker == 0xE1:
            if body.startswith(_JPEG_XMP_ID, start):
                if len(main) < _MAX_PACKETS:
                    main.append(body[start + len(_JPEG_XMP_ID):end])
            elif body.startswith(_JPEG_EXT_ID, start):
                head = start + len(_JPEG_EXT_ID)
                if head + 40 <= end:
                    guid = body[head:head + 32]
                    full = int.from_bytes(body[head + 32:head + 36], "big")
                    offset = int.from_bytes(body[head + 36:head + 40], "big")
                    if guid in extended or len(extended) < _MAX_EXTENDED:
                        extended.setdefault(guid, (full, []))[1].append(
                            (offset, body[head + 40:end]))
        elif marker == 0xEB and body.startswith(b"JP", start) and b"c2pa" in body[start:end]:
            c2pa = True
        i = end
    packets = list(main)
    for full, chunks in extended.values():
        # Only as large as the chunks present reach: a claimed length is not an allocation.
        reach = max(offset + len(data) for offset, data in chunks)
        size = min(full, reach, MAX_XMP_BYTES + 1)
        buf = bytearray(size)
        for offset, data in chunks:
            if offset < size:
                piece = data[:size - offset]
                buf[offset:offset + len(piece)] = piece
        packets.append(bytes(buf))
    return packets[:_MAX_PACKETS], c2pa, complete


def _scan_webp(body: bytes) -> tuple[list[bytes], bool, bool]:
    packets: list[bytes] = []
    c2pa = False
    i, n = 12, len(body)
    for _ in range(_MAX_SEGMENTS):
        if i + 8 > n:
            break
        fourcc = body[i:i + 4]
        size = int.from_bytes(body[i + 4:i + 8], "little")
        if fourcc == b"XMP " and len(packets) < _MAX_PACKETS:
            packets.append(body[i + 8:i + 8 + size])
        elif fourcc == b"C2PA":
            c2pa = True
        i += 8 + size + (size & 1)
    return packets, c2pa, n - 1 <= i <= n  # walked to the end, no chunk cut short


def _packet_end(body: bytes, start: int, limit: int) -> int:
    """End of an XMP packet starting at ``start`` in unframed data (GIF, byte search)."""
    end_pi = body.find(b"<?xpacket end", start, limit)
    if end_pi != -1:
        close = body.find(b"?>", end_pi, limit)
        return close + 2 if close != -1 else limit
    meta_end = body.find(b"</x:xmpmeta>", start, limit)
    if meta_end != -1:
        return meta_end + len(b"</x:xmpmeta>")
    meta_end = body.find(b"</x:xapmeta>", start, limit)
    if meta_end != -1:
        return meta_end + len(b"</x:xapmeta>")
    return limit


def _scan_gif(body: bytes) -> tuple[list[bytes], bool, bool]:
    packets: list[bytes] = []
    pos = body.find(_GIF_XMP_EXT, 6)
    while pos != -1 and len(packets) < _MAX_PACKETS:
        start = pos + len(_GIF_XMP_EXT)
        limit = min(len(body), start + MAX_XMP_BYTES + 1)
        trailer = body.find(_GIF_TRAILER, start, limit)
        if trailer != -1:
            limit = trailer
        packets.append(body[start:_packet_end(body, start, limit)])
        pos = body.find(_GIF_XMP_EXT, start)
    return packets, body.find(_GIF_C2PA_EXT, 6) != -1, True


_GENERIC_STARTS = (b"<?xpacket begin", b"<x:xmpmeta", b"<x:xapmeta")


def _scan_generic(body: bytes) -> list[bytes]:
    """Byte search for packets in any file (TIFF, HEIF, SVG, an odd JPEG segment, ...)."""
    packets: list[bytes] = []
    pos = 0
    while len(packets) < _MAX_PACKETS:
        hits = [h for h in (body.find(s, pos) for s in _GENERIC_STARTS) if h != -1]
        if not hits:
            break
        start = min(hits)
        limit = min(len(body), start + MAX_XMP_BYTES + 1)
        end = _packet_end(body, start, limit)
        packets.append(body[start:end])
        pos = max(end, start + 1)
    return packets


_Scanner = Callable[[bytes], tuple[list[bytes], bool, bool]]  # packets, c2pa, walk complete
_SCANNERS: tuple[tuple[Callable[[bytes], bool], str, _Scanner], ...] = (
    (lambda b: b.startswith(b"\xff\xd8"), "image/jpeg", _scan_jpeg),
    (lambda b: b.startswith(_PNG_SIG), "image/png", _scan_png),
    (lambda b: b.startswith(b"RIFF") and b[8:12] == b"WEBP", "image/webp", _scan_webp),
    (lambda b: b.startswith((b"GIF87a", b"GIF89a")), "image/gif", _scan_gif),
)


def scan_container(body: bytes) -> ContainerScan:
    """Walk an image file for XMP packets and an embedded C2PA manifest. Never raises."""
    if isinstance(body, (bytearray, memoryview)):
        body = bytes(body)
    if not isinstance(body, bytes):
        return ContainerScan(None, (), False)
    fmt: str | None = None
    packets: list[bytes] = []
    c2pa = complete = False
    try:
        for test, mime, scan in _SCANNERS:
            if test(body):
                fmt = mime
                packets, c2pa, complete = scan(body)
                break
        if not packets and not complete:
            packets = _scan_generic(body)
    except (ValueError, IndexError, OverflowError, MemoryError):  # pragma: no cover - defensive
        packets = packets or []
    return ContainerScan(fmt, tuple(packets), c2pa)


def extract_xmp_packets(body: bytes) -> list[bytes]:
    """Every XMP packet in the file, main packet first. Never raises."""
    return list(scan_container(body).xmp)


def extract_xmp(body: bytes) -> bytes | None:
    """The (main) XMP packet of a JPEG, PNG, WebP or GIF file (or found by byte search in
    any other file), None if there is none. Never raises."""
    packets = scan_container(body).xmp
    return packets[0] if packets else None


# --------------------------------------------------------------------------------------------
# Packet parsing
# --------------------------------------------------------------------------------------------

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDF_RESOURCE = _RDF + " resource"
_RDF_VALUE = _RDF + " value"
_RDF_LI = _RDF + " li"

# (lenient namespace, local name) -> XmpFields attribute
_TARGETS: dict[tuple[str, str], str] = {
    ("ns.useplus.org/ldf/xmp/1.0", "DataMining"): "data_mining",
    ("creativecommons.org/ns", "license"): "cc_license",
    ("ns.adobe.com/xap/1.0/rights", "WebStatement"): "web_statement",
    ("ns.adobe.com/xap/1.0/rights", "UsageTerms"): "usage_terms",
    ("purl.org/dc/elements/1.1", "creator"): "creator",
    ("purl.org/dc/elements/1.1", "title"): "title",
}
_FIELDS = tuple(dict.fromkeys(_TARGETS.values()))


def _lenient_ns(uri: str) -> str:
    uri = uri.strip().lower()
    for scheme in ("https://", "http://"):
        if uri.startswith(scheme):
            uri = uri[len(scheme):]
            break
    return uri.rstrip("/#")


class _Frame:
    """One open element: the field it belongs to, whether its text is a value, its text."""

    __slots__ = ("children", "field", "leaf", "text")

    def __init__(self, field: str | None, leaf: bool) -> None:
        self.field = field
        self.leaf = leaf
        self.text: list[str] = []
        self.children = False


class _Reader:
    """Expat callbacks collecting target property values (see module docstring)."""

    def __init__(self) -> None:
        self.values: dict[str, dict[str, None]] = {f: {} for f in _FIELDS}
        self._names: dict[str, str | None] = {}
        self._stack: list[_Frame] = []

    def _field(self, name: str) -> str | None:
        cached = self._names.get(name, "")
        if cached != "":
            return cached
        uri, sep, local = name.rpartition(" ")
        found = _TARGETS.get((_lenient_ns(uri), local)) if sep else None
        self._names[name] = found
        return found

    def _add(self, field: str, value: str) -> None:
        value = value.strip()
        bucket = self.values[field]
        if value and len(bucket) < _MAX_VALUES:
            bucket.setdefault(value[:_MAX_VALUE_CHARS], None)

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self._stack:
            self._stack[-1].children = True
        own = self._field(name)
        inherited = self._stack[-1].field if self._stack else None
        field = own or inherited
        for attr, value in attrs.items():
            attr_field = self._field(attr)
            if attr_field is not None:
                self._add(attr_field, value)
            elif field is not None and attr in (_RDF_RESOURCE, _RDF_VALUE):
                self._add(field, value)
        # Text counts on the property element itself, on rdf:li and on rdf:value, never on a
        # qualifier or struct field (a creator's role is not a creator).
        leaf = field is not None and (own is not None or name in (_RDF_LI, _RDF_VALUE))
        self._stack.append(_Frame(field, leaf))

    def end(self, _name: str) -> None:
        frame = self._stack.pop()
        if frame.leaf and not frame.children and frame.field is not None:
            self._add(frame.field, "".join(frame.text))

    def chars(self, data: str) -> None:
        if self._stack and self._stack[-1].leaf:
            text = self._stack[-1].text
            if len(text) < 256:
                text.append(data)

    def fields(self, malformed: bool) -> XmpFields:
        return XmpFields(**{f: tuple(v) for f, v in self.values.items()}, malformed=malformed)


def _prepare(packet: bytes) -> bytes | None:
    """Trim padding and framing around a packet; None if it cannot be XML at all."""
    if packet.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            packet = packet.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            return None
    packet = packet.rstrip(b"\x00 \t\r\n")
    start = packet.find(b"<")
    if start == -1:
        return None
    return packet[start:]


def parse_xmp(packet: bytes) -> XmpFields:
    """Read the license and opt-out fields of an XMP packet. Never raises."""
    if isinstance(packet, (bytearray, memoryview)):
        packet = bytes(packet)
    if not isinstance(packet, bytes) or len(packet) > MAX_XMP_BYTES:
        return XmpFields(malformed=True)
    data = _prepare(packet)
    if data is None:
        return XmpFields(malformed=True)
    reader = _Reader()
    parser = safexml.parser(" ")
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.chars
    parser.buffer_text = True
    try:
        parser.Parse(data, True)
    except safexml.PARSE_ERRORS:
        return reader.fields(malformed=True)
    return reader.fields(malformed=False)
