"""XMP in images: finding packets in JPEG/PNG/WebP/GIF (and by byte search), reading fields.

Base images (8x8, made once with Pillow) live in tests/vectors/optout/; XMP is inserted here by
hand, byte by byte, the way each format's specification places it.
"""

from __future__ import annotations

import struct
import time
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.signals.xmp import (
    MAX_XMP_BYTES,
    XmpFields,
    extract_xmp,
    extract_xmp_packets,
    parse_xmp,
    scan_container,
)

VECTORS = Path(__file__).parent / "vectors" / "optout"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PLUS = "http://ns.useplus.org/ldf/xmp/1.0/"
VOCAB = "http://ns.useplus.org/ldf/vocab/"


def base(ext: str) -> bytes:
    return (VECTORS / f"base.{ext}").read_bytes()


# --------------------------------------------------------------------------------------------
# Builders (also used by test_optout_signals.py)
# --------------------------------------------------------------------------------------------


def packet(rdf_body: str, extra_ns: str = "", wrapper: bool = True) -> bytes:
    """An XMP packet around rdf:Description content (namespaces plus, cc, dc, xmpRights)."""
    ns = (f'xmlns:rdf="{RDF}" xmlns:plus="{PLUS}" xmlns:cc="http://creativecommons.org/ns#" '
          'xmlns:dc="http://purl.org/dc/elements/1.1/" '
          'xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/" ' + extra_ns)
    rdf = f"<rdf:RDF {ns}>{rdf_body}</rdf:RDF>"
    if not wrapper:
        return rdf.encode()
    return ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
            f'<x:xmpmeta xmlns:x="adobe:ns:meta/">{rdf}</x:xmpmeta>'
            + " " * 64 + '<?xpacket end="w"?>').encode()


def data_mining_packet(code: str) -> bytes:
    return packet(f'<rdf:Description rdf:about="" plus:DataMining="{VOCAB}{code}"/>')


def jpeg_segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def jpeg_with(*segments: bytes, jpeg: bytes | None = None) -> bytes:
    body = jpeg if jpeg is not None else base("jpg")
    return body[:2] + b"".join(segments) + body[2:]


def jpeg_with_xmp(xmp: bytes) -> bytes:
    return jpeg_with(jpeg_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + xmp))


def png_chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data))


def png_with(*chunks: bytes, png: bytes | None = None) -> bytes:
    body = png if png is not None else base("png")
    ihdr_end = 8 + 12 + 13
    return body[:ihdr_end] + b"".join(chunks) + body[ihdr_end:]


def png_itxt(text: bytes, compressed: bool = False,
             keyword: bytes = b"XML:com.adobe.xmp") -> bytes:
    data = zlib.compress(text) if compressed else text
    return png_chunk(b"iTXt", keyword + b"\x00" + bytes((int(compressed), 0)) + b"\x00\x00"
                     + data)


def png_with_xmp(xmp: bytes) -> bytes:
    return png_with(png_itxt(xmp))


def webp_with_xmp(xmp: bytes, extended: bool = True) -> bytes:
    body = base("webp")
    chunks = body[12:]
    if extended:  # VP8X header with the XMP flag, as the WebP container spec asks
        vp8x = bytes((0x04, 0, 0, 0)) + (7).to_bytes(3, "little") + (7).to_bytes(3, "little")
        chunks = b"VP8X" + struct.pack("<I", 10) + vp8x + chunks
    chunks += b"XMP " + struct.pack("<I", len(xmp)) + xmp + (b"\x00" if len(xmp) % 2 else b"")
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + chunks


GIF_MAGIC_TRAILER = b"\x01" + bytes(range(255, -1, -1)) + b"\x00"


def gif_with_xmp(xmp: bytes) -> bytes:
    body = b"GIF89a" + base("gif")[6:]
    packed = body[10]
    table = 3 * 2 ** ((packed & 7) + 1) if packed & 0x80 else 0
    at = 13 + table
    return body[:at] + b"\x21\xff\x0bXMP DataXMP" + xmp + GIF_MAGIC_TRAILER + body[at:]


CONTAINERS = {
    "jpeg": jpeg_with_xmp,
    "png": png_with_xmp,
    "webp": webp_with_xmp,
    "gif": gif_with_xmp,
}


# --------------------------------------------------------------------------------------------
# extract_xmp
# --------------------------------------------------------------------------------------------

SAMPLE = data_mining_packet("DMI-PROHIBITED-AIMLTRAINING")


class TestExtract:
    @pytest.mark.parametrize("ext", ["jpg", "png", "webp", "gif"])
    def test_plain_images_have_no_xmp(self, ext: str) -> None:
        assert extract_xmp(base(ext)) is None
        assert scan_container(base(ext)).c2pa is False

    @pytest.mark.parametrize("kind", sorted(CONTAINERS))
    def test_each_container(self, kind: str) -> None:
        body = CONTAINERS[kind](SAMPLE)
        assert extract_xmp(body) == SAMPLE
        assert scan_container(body).format == f"image/{kind}"

    def test_webp_simple_format_without_vp8x(self) -> None:
        assert extract_xmp(webp_with_xmp(SAMPLE, extended=False)) == SAMPLE

    def test_webp_odd_sized_chunk_is_padded(self) -> None:
        odd = SAMPLE if len(SAMPLE) % 2 else SAMPLE + b" "
        assert len(odd) % 2 == 1
        assert extract_xmp(webp_with_xmp(odd)) == odd

    def test_gif_packet_ends_before_the_magic_trailer(self) -> None:
        bare = packet("<rdf:Description/>", wrapper=False)  # no xpacket end PI
        assert extract_xmp(gif_with_xmp(bare)) == bare

    def test_jpeg_xmp_after_other_app_segments(self) -> None:
        exif = jpeg_segment(0xE1, b"Exif\x00\x00" + b"\x00" * 40)
        icc = jpeg_segment(0xE2, b"ICC_PROFILE\x00" + b"\x01" * 100)
        xmp = jpeg_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + SAMPLE)
        assert extract_xmp(jpeg_with(exif, icc, xmp)) == SAMPLE

    def test_jpeg_fill_bytes_between_segments(self) -> None:
        seg = jpeg_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + SAMPLE)
        body = base("jpg")
        assert extract_xmp(body[:2] + b"\xff\xff" + seg + body[2:]) == SAMPLE

    def test_jpeg_segment_after_start_of_scan_is_not_metadata(self) -> None:
        body = base("jpg")
        late = jpeg_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + SAMPLE)
        # a complete walk (it reached the scan) is trusted: no byte search
        assert extract_xmp(body[:-2] + late + body[-2:]) is None

    def test_corrupt_jpeg_falls_back_to_byte_search(self) -> None:
        body = base("jpg")
        seg = jpeg_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + SAMPLE)
        assert extract_xmp(body[:2] + b"garbage" + seg + body[2:]) == SAMPLE

    def test_truncated_png_falls_back_to_byte_search(self) -> None:
        chunk = png_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + SAMPLE)
        body = base("png")[:33] + chunk[:-30]  # cut inside the chunk, no IEND
        found = extract_xmp(body)
        assert found is not None and found.startswith(b"<?xpacket begin")

    def test_jpeg_extended_xmp_is_reassembled(self) -> None:
        main = packet('<rdf:Description xmlns:xmpNote="http://ns.adobe.com/xmp/note/" '
                      'xmpNote:HasExtendedXMP="0123456789ABCDEF0123456789ABCDEF"/>')
        ext = data_mining_packet("DMI-PROHIBITED")
        guid = b"0123456789ABCDEF0123456789ABCDEF"
        half = len(ext) // 2

        def chunk(offset: int, data: bytes) -> bytes:
            return jpeg_segment(0xE1, b"http://ns.adobe.com/xmp/extension/\x00" + guid
                                + struct.pack(">II", len(ext), offset) + data)

        body = jpeg_with(jpeg_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + main),
                         chunk(half, ext[half:]), chunk(0, ext[:half]))  # out of order
        assert extract_xmp_packets(body) == [main, ext]
        assert extract_xmp(body) == main

    def test_jpeg_extended_xmp_missing_chunk_is_unreadable(self) -> None:
        ext = data_mining_packet("DMI-PROHIBITED")
        guid = b"F" * 32
        seg = jpeg_segment(0xE1, b"http://ns.adobe.com/xmp/extension/\x00" + guid
                           + struct.pack(">II", len(ext), 0) + ext[:50])
        (only,) = extract_xmp_packets(jpeg_with(seg))
        assert parse_xmp(only).malformed

    def test_png_itxt_compressed(self) -> None:
        assert extract_xmp(png_with(png_itxt(SAMPLE, compressed=True))) == SAMPLE

    def test_png_itxt_with_language_tags(self) -> None:
        chunk = png_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00en\x00XMP\x00" + SAMPLE)
        assert extract_xmp(png_with(chunk)) == SAMPLE

    def test_png_text_and_ztxt(self) -> None:
        text = png_chunk(b"tEXt", b"XML:com.adobe.xmp\x00" + SAMPLE)
        ztxt = png_chunk(b"zTXt", b"XML:com.adobe.xmp\x00\x00" + zlib.compress(SAMPLE))
        assert extract_xmp(png_with(text)) == SAMPLE
        assert extract_xmp(png_with(ztxt)) == SAMPLE

    def test_png_imagemagick_raw_profile(self) -> None:
        hexed = SAMPLE.hex()
        lines = "\n".join(hexed[i:i + 72] for i in range(0, len(hexed), 72))
        raw = f"\nxmp\n{len(SAMPLE):8d}\n{lines}\n".encode()
        ztxt = png_chunk(b"zTXt", b"Raw profile type xmp\x00\x00" + zlib.compress(raw))
        assert extract_xmp(png_with(ztxt)) == SAMPLE

    def test_png_other_text_chunks_are_ignored(self) -> None:
        other = png_chunk(b"tEXt", b"Comment\x00<x:xmpmeta> not xmp")
        assert extract_xmp_packets(png_with(other)) == []

    def test_png_after_idat(self) -> None:
        body = base("png")
        iend = body.rfind(b"IEND") - 4
        assert extract_xmp(body[:iend] + png_itxt(SAMPLE) + body[iend:]) == SAMPLE

    def test_png_corrupt_deflate_yields_an_unreadable_packet(self) -> None:
        chunk = png_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x01\x00\x00\x00" + b"not zlib")
        (only,) = extract_xmp_packets(png_with(chunk))
        assert parse_xmp(only).malformed

    def test_png_decompression_bomb_is_cut(self) -> None:
        bomb = zlib.compress(b"<" + b" " * (64 * 1024 * 1024), 9)
        chunk = png_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x01\x00\x00\x00" + bomb)
        start = time.perf_counter()
        (only,) = extract_xmp_packets(png_with(chunk))
        assert len(only) == MAX_XMP_BYTES + 1
        assert parse_xmp(only).malformed  # too large to be read: unreadable, not absent
        assert time.perf_counter() - start < 5

    def test_generic_byte_search_for_other_formats(self) -> None:
        tiff = b"II*\x00\x08\x00\x00\x00" + b"\x00" * 32 + SAMPLE + b"\x00" * 32
        assert extract_xmp(tiff) == SAMPLE
        svg = b'<svg xmlns="http://www.w3.org/2000/svg"><metadata>' + SAMPLE + b"</metadata></svg>"
        assert extract_xmp(svg) == SAMPLE
        bare = packet("<rdf:Description/>")
        bare = bare[bare.find(b"<x:xmpmeta"):bare.find(b"</x:xmpmeta>") + 12]
        assert extract_xmp(b"\x00\x01junk" + bare + b"junk") == bare

    def test_several_packets(self) -> None:
        body = png_with(png_itxt(SAMPLE), png_itxt(data_mining_packet("DMI-ALLOWED")))
        assert extract_xmp_packets(body) == [SAMPLE, data_mining_packet("DMI-ALLOWED")]

    @pytest.mark.parametrize("body", [
        b"", b"\xff", b"\xff\xd8", b"\xff\xd8\xff", b"\xff\xd8\xff\xe1\x00",
        b"\xff\xd8\xff\xe1\x00\x01", b"\xff\xd8\xff\xe1\xff\xff" + b"http://ns.adobe.com/xap",
        b"\x89PNG\r\n\x1a\n", b"\x89PNG\r\n\x1a\n\xff\xff\xff\xffiTXt",
        b"RIFF\x00\x00\x00\x00WEBP", b"RIFF\xff\xff\xff\xffWEBPXMP \xff\xff\xff\xff<x",
        b"GIF89a", b"GIF89a\x21\xff\x0bXMP DataXMP", b"<?xpacket begin", b"<x:xmpmeta",
    ])
    def test_truncated_and_hostile_headers_never_raise(self, body: bytes) -> None:
        packets = extract_xmp_packets(body)
        assert all(len(p) <= MAX_XMP_BYTES + 1 for p in packets)
        for p in packets:
            parse_xmp(p)

    def test_non_bytes_input(self) -> None:
        assert extract_xmp(None) is None  # type: ignore[arg-type]
        assert extract_xmp("text") is None  # type: ignore[arg-type]
        assert extract_xmp(bytearray(jpeg_with_xmp(SAMPLE))) == SAMPLE  # type: ignore[arg-type]

    def test_bounded_work_on_many_segments(self) -> None:
        empty = jpeg_segment(0xE2, b"")
        body = jpeg_with(empty * 200_000, jpeg_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00"
                                                       + SAMPLE))
        start = time.perf_counter()
        extract_xmp_packets(body)  # the walk stops at its segment budget; the search finds it
        assert time.perf_counter() - start < 1

    def test_large_garbage_is_fast(self) -> None:
        junk = bytes(range(256)) * (40 * 1024)  # 10 MiB
        start = time.perf_counter()
        for prefix in (b"\xff\xd8", b"\x89PNG\r\n\x1a\n", b"GIF89a", b"RIFF\x00\x00\x00\x00WEBP"):
            assert extract_xmp(prefix + junk) is None
        assert time.perf_counter() - start < 2


# --------------------------------------------------------------------------------------------
# parse_xmp
# --------------------------------------------------------------------------------------------


class TestParse:
    def test_attribute_form(self) -> None:
        f = parse_xmp(data_mining_packet("DMI-PROHIBITED"))
        assert f == XmpFields(data_mining=(VOCAB + "DMI-PROHIBITED",))

    def test_element_text(self) -> None:
        f = parse_xmp(packet(f"<rdf:Description><plus:DataMining>{VOCAB}DMI-ALLOWED"
                             "</plus:DataMining></rdf:Description>"))
        assert f.data_mining == (VOCAB + "DMI-ALLOWED",)
        assert not f.malformed

    def test_rdf_resource(self) -> None:
        f = parse_xmp(packet(f'<rdf:Description><plus:DataMining rdf:resource="{VOCAB}'
                             'DMI-PROHIBITED-GENAIMLTRAINING"/></rdf:Description>'))
        assert f.data_mining == (VOCAB + "DMI-PROHIBITED-GENAIMLTRAINING",)

    def test_rdf_value_in_a_resource(self) -> None:
        f = parse_xmp(packet('<rdf:Description><plus:DataMining rdf:parseType="Resource">'
                             f"<rdf:value>{VOCAB}DMI-UNSPECIFIED</rdf:value>"
                             "</plus:DataMining></rdf:Description>"))
        assert f.data_mining == (VOCAB + "DMI-UNSPECIFIED",)

    def test_license_fields_for_license_detection(self) -> None:
        f = parse_xmp(packet(
            '<rdf:Description rdf:about="" '
            'xmpRights:WebStatement="https://example.org/photo/1">'
            '<cc:license rdf:resource="https://creativecommons.org/licenses/by-sa/4.0/"/>'
            '<xmpRights:UsageTerms><rdf:Alt>'
            '<rdf:li xml:lang="x-default">This work is licensed under CC BY-SA 4.0</rdf:li>'
            '<rdf:li xml:lang="de">Lizenz: CC BY-SA 4.0</rdf:li>'
            "</rdf:Alt></xmpRights:UsageTerms>"
            "<dc:creator><rdf:Seq><rdf:li>Ada Lovelace</rdf:li><rdf:li>Charles Babbage</rdf:li>"
            "</rdf:Seq></dc:creator>"
            '<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Sunset</rdf:li></rdf:Alt></dc:title>'
            "</rdf:Description>"))
        assert f.cc_license == ("https://creativecommons.org/licenses/by-sa/4.0/",)
        assert f.web_statement == ("https://example.org/photo/1",)
        assert f.usage_terms == ("This work is licensed under CC BY-SA 4.0",
                                 "Lizenz: CC BY-SA 4.0")
        assert f.creator == ("Ada Lovelace", "Charles Babbage")
        assert f.title == ("Sunset",)
        assert f.data_mining == ()
        assert not f.malformed

    def test_bag_and_li_resource(self) -> None:
        f = parse_xmp(packet(
            f'<rdf:Description><plus:DataMining><rdf:Bag><rdf:li rdf:resource="{VOCAB}'
            f'DMI-ALLOWED"/><rdf:li>{VOCAB}DMI-PROHIBITED</rdf:li></rdf:Bag></plus:DataMining>'
            "</rdf:Description>"))
        assert f.data_mining == (VOCAB + "DMI-ALLOWED", VOCAB + "DMI-PROHIBITED")

    def test_qualifiers_are_not_values(self) -> None:
        f = parse_xmp(packet(
            '<rdf:Description xmlns:ex="http://example.org/ns/"><dc:creator><rdf:Seq>'
            "<rdf:li><rdf:Description><rdf:value>Ada</rdf:value><ex:role>photographer</ex:role>"
            "</rdf:Description></rdf:li></rdf:Seq></dc:creator></rdf:Description>"))
        assert f.creator == ("Ada",)

    def test_lenient_namespace_spelling(self) -> None:
        f = parse_xmp(packet('<rdf:Description xmlns:p2="https://ns.useplus.org/ldf/xmp/1.0" '
                             f'p2:DataMining="{VOCAB}DMI-PROHIBITED"/>'))
        assert f.data_mining == (VOCAB + "DMI-PROHIBITED",)

    def test_other_namespace_same_local_name_is_ignored(self) -> None:
        f = parse_xmp(packet('<rdf:Description xmlns:o="http://example.org/" '
                             'o:DataMining="DMI-PROHIBITED" o:title="x"/>'))
        assert f == XmpFields()

    def test_without_xmpmeta_wrapper(self) -> None:
        f = parse_xmp(packet(f'<rdf:Description plus:DataMining="{VOCAB}DMI-ALLOWED"/>',
                             wrapper=False))
        assert f.data_mining == (VOCAB + "DMI-ALLOWED",)

    def test_duplicates_removed_order_kept(self) -> None:
        f = parse_xmp(packet('<rdf:Description><dc:creator><rdf:Seq><rdf:li>B</rdf:li>'
                             "<rdf:li>A</rdf:li><rdf:li>B</rdf:li></rdf:Seq></dc:creator>"
                             "</rdf:Description>"))
        assert f.creator == ("B", "A")

    def test_padding_nuls_and_whitespace(self) -> None:
        assert parse_xmp(SAMPLE + b"\x00" * 100 + b"\n  ").data_mining
        assert not parse_xmp(SAMPLE + b"\x00" * 100).malformed

    def test_utf16_packet(self) -> None:
        text = SAMPLE.decode("utf-8")
        f = parse_xmp("\ufeff".encode("utf-16-le") + text.encode("utf-16-le"))
        assert f.data_mining == (VOCAB + "DMI-PROHIBITED-AIMLTRAINING",)

    def test_non_ascii_values(self) -> None:
        f = parse_xmp(packet("<rdf:Description><dc:creator><rdf:Seq><rdf:li>Zoë Ørsted"
                             "</rdf:li></rdf:Seq></dc:creator></rdf:Description>"))
        assert f.creator == ("Zoë Ørsted",)

    @pytest.mark.parametrize("bad", [
        b"", b"   ", b"\x00\x00", b"not xml at all", b"<x:xmpmeta",
        b"<rdf:RDF><rdf:Description/></rdf:RDF>",  # unbound prefix
        SAMPLE[: len(SAMPLE) // 2],
        b"<a><b></a>",
    ])
    def test_malformed(self, bad: bytes) -> None:
        assert parse_xmp(bad).malformed

    def test_truncated_keeps_what_was_read(self) -> None:
        body = packet(f'<rdf:Description plus:DataMining="{VOCAB}DMI-PROHIBITED"/>'
                      "<rdf:Description><dc:title>")
        cut = body[:body.find(b"<dc:title>") + 10]
        f = parse_xmp(cut)
        assert f.malformed
        assert f.data_mining == (VOCAB + "DMI-PROHIBITED",)

    def test_dtd_is_refused(self) -> None:
        doc = b'<!DOCTYPE x [<!ELEMENT x ANY>]>' + packet("<rdf:Description/>", wrapper=False)
        assert parse_xmp(doc).malformed

    def test_billion_laughs_is_refused_without_expansion(self) -> None:
        lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
               + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i else b"&lol;")
                                                      * 10) for i in range(1, 10))
               + b"]>" + packet('<rdf:Description><dc:title>&lol9;</dc:title>'
                                "</rdf:Description>", wrapper=False))
        start = time.perf_counter()
        f = parse_xmp(lol)
        assert f.malformed
        assert f.title == ()
        assert time.perf_counter() - start < 1

    def test_external_entity_is_refused(self) -> None:
        doc = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY ext SYSTEM "file:///etc/passwd">]>'
               + packet("<rdf:Description><dc:title>&ext;</dc:title></rdf:Description>",
                        wrapper=False))
        f = parse_xmp(doc)
        assert f.malformed
        assert f.title == ()

    def test_undefined_entity_is_malformed(self) -> None:
        assert parse_xmp(packet("<rdf:Description><dc:title>&nope;</dc:title>"
                                "</rdf:Description>")).malformed

    def test_too_large_is_malformed(self) -> None:
        assert parse_xmp(SAMPLE + b" " * MAX_XMP_BYTES).malformed

    def test_deep_nesting(self) -> None:
        deep = b"<a>" * 50_000 + b"</a>" * 50_000
        assert not parse_xmp(deep).malformed

    def test_values_are_capped(self) -> None:
        items = "".join(f"<rdf:li>{i}</rdf:li>" for i in range(1000))
        f = parse_xmp(packet(f"<rdf:Description><dc:creator><rdf:Bag>{items}</rdf:Bag>"
                             "</dc:creator></rdf:Description>"))
        assert len(f.creator) == 64

    def test_non_bytes(self) -> None:
        assert parse_xmp(None).malformed  # type: ignore[arg-type]

    def test_iptc_style_reference_packet(self) -> None:
        """Shaped like the IPTC Photo Metadata reference image (2023.1): many namespaces,
        attributes and elements mixed."""
        ref = packet(
            '<rdf:Description rdf:about="" xmlns:Iptc4xmpCore='
            '"http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/" xmlns:photoshop='
            '"http://ns.adobe.com/photoshop/1.0/" photoshop:Credit="Credit Line (ref2023.1)" '
            'xmpRights:WebStatement="http://www.WebStatementOfRights.org/2023.1">'
            "<plus:DataMining>http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING"
            "</plus:DataMining>"
            '<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">Copyright (Notice) 2023.1 IPTC'
            "</rdf:li></rdf:Alt></dc:rights>"
            "<dc:creator><rdf:Seq><rdf:li>Creator1 (ref2023.1)</rdf:li></rdf:Seq></dc:creator>"
            '<dc:title><rdf:Alt><rdf:li xml:lang="x-default">The Title (ref2023.1)</rdf:li>'
            "</rdf:Alt></dc:title>"
            "</rdf:Description>")
        f = parse_xmp(ref)
        assert f.data_mining == (VOCAB + "DMI-PROHIBITED-AIMLTRAINING",)
        assert f.web_statement == ("http://www.WebStatementOfRights.org/2023.1",)
        assert f.creator == ("Creator1 (ref2023.1)",)
        assert f.title == ("The Title (ref2023.1)",)


# --------------------------------------------------------------------------------------------
# Fuzz: never raise, whatever the bytes
# --------------------------------------------------------------------------------------------

FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
_VALID = [jpeg_with_xmp(SAMPLE), png_with(png_itxt(SAMPLE, compressed=True)),
          webp_with_xmp(SAMPLE), gif_with_xmp(SAMPLE)]


@FUZZ
@given(st.binary(max_size=4096))
def test_fuzz_extract_garbage(body: bytes) -> None:
    for prefix in (b"", b"\xff\xd8", b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x00\x00\x00WEBP", b"GIF89a"):
        for p in extract_xmp_packets(prefix + body):
            assert isinstance(parse_xmp(p), XmpFields)


@FUZZ
@given(st.sampled_from(_VALID), st.integers(min_value=0), st.binary(min_size=1, max_size=64),
       st.booleans())
def test_fuzz_extract_mutated_images(valid: bytes, at: int, junk: bytes, replace: bool) -> None:
    at %= len(valid)
    body = valid[:at] + junk + valid[at + (len(junk) if replace else 0):]
    for p in extract_xmp_packets(body):
        assert isinstance(parse_xmp(p), XmpFields)


@FUZZ
@given(st.binary(max_size=2048))
def test_fuzz_parse_garbage(data: bytes) -> None:
    assert isinstance(parse_xmp(data), XmpFields)
    assert isinstance(parse_xmp(SAMPLE[:200] + data), XmpFields)


@FUZZ
@given(st.lists(st.sampled_from(["<", ">", "/", "=", '"', " ", ":", "&", ";", "!", "?", "[",
                                   "rdf:", "plus:", "dc:", "li", "Description", "DataMining",
                                   "&lt;", "\x00", "<!DOCTYPE", "<!ENTITY", "xmlns:rdf=",
                                   f'"{RDF}"', f'"{PLUS}"', "resource"]), max_size=120))
def test_fuzz_parse_xmlish(parts: list[str]) -> None:
    f = parse_xmp("".join(parts).encode("utf-8"))
    assert isinstance(f, XmpFields)
    assert all(isinstance(v, str) for v in f.data_mining)
