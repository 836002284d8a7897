"""How a robots.txt body becomes text: UTF-8 (RFC 9309 §2.3), UTF-16/32 behind a byte-order
mark, and bodies that are not text, which must read as unreachable, never as an empty file."""

from __future__ import annotations

import codecs

import pytest

from crawler.gates import robots as robots_gate
from crawler.signals.robots import MAX_ROBOTS_BYTES, RobotsTxt, decode_robots

ME = "compliance-crawler"
URL = "http://example.com/robots.txt"
TEXT = "User-agent: *\nDisallow: /private/\n"


def snapshot(body: bytes, status: int = 200) -> robots_gate.RobotsSnapshot:
    return robots_gate.from_response(URL, status, body, 1000.0)


def decision(body: bytes, path: str = "/private/x"):
    return robots_gate.check(snapshot(body), path, ME, ())


ENCODED = {
    "utf-8": TEXT.encode("utf-8"),
    "utf-8-bom": codecs.BOM_UTF8 + TEXT.encode("utf-8"),
    "utf-16-le-bom": codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
    "utf-16-be-bom": codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
    "utf-32-le-bom": codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"),
    "utf-32-be-bom": codecs.BOM_UTF32_BE + TEXT.encode("utf-32-be"),
}


@pytest.mark.parametrize("body", list(ENCODED.values()), ids=list(ENCODED))
def test_every_marked_encoding_is_decoded_and_obeyed(body: bytes) -> None:
    assert decode_robots(body) == TEXT
    snap = snapshot(body)
    assert snap.outcome == robots_gate.PARSED
    assert snap.error is None
    denied = decision(body)
    assert not denied.allowed
    assert denied.reason == "robots_disallowed"
    assert decision(body, "/public/x").allowed
    assert not RobotsTxt.parse(body).allowed("/private/x", ME)


def test_line_numbers_count_decoded_lines() -> None:
    body = codecs.BOM_UTF16_LE + "# c\r\nUser-agent: *\r\nDisallow: /p\r\n".encode("utf-16-le")
    assert RobotsTxt.parse(body).match("/p", ME).rule.line == 3  # type: ignore[union-attr]


@pytest.mark.parametrize("body", [
    b"User-agent: *\nDisallow: /private/\x00\n",
    b"\x00",
    TEXT.encode("utf-16-le"),  # UTF-16 without a mark: NUL in every other byte
    TEXT.encode("utf-16-be"),
    TEXT.encode("utf-32-le"),
    codecs.BOM_UTF8 + b"User-agent: *\n\x00Disallow: /private/\n",
    codecs.BOM_UTF16_LE + "User-agent: *\n\x00Disallow: /private/\n".encode("utf-16-le"),
], ids=["utf8-nul", "only-nul", "utf16le-no-bom", "utf16be-no-bom", "utf32le-no-bom",
        "utf8-bom-nul", "utf16-decoded-nul"])
def test_nul_characters_make_robots_unreachable(body: bytes) -> None:
    assert decode_robots(body) is None
    snap = snapshot(body)
    assert snap.outcome == robots_gate.UNREACHABLE
    assert snap.robots is None
    assert snap.status == 200
    assert "NUL" in (snap.error or "")
    denied = decision(body, "/public/x")  # disallow everything, not just /private/
    assert not denied.allowed
    assert denied.reason == "robots_unreachable"
    assert "NUL" in denied.sentence


@pytest.mark.parametrize("body", [
    codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le") + b"U",  # odd length
    codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le") + b"\x00\xd8",  # lone high surrogate
    codecs.BOM_UTF16_BE + b"\xdc\x00" + TEXT.encode("utf-16-be"),  # lone low surrogate
    codecs.BOM_UTF32_BE + TEXT.encode("utf-32-be") + b"\x00\x11\x00\x00",  # > U+10FFFF
    codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le")[:-2],  # cut inside a code unit
    codecs.BOM_UTF16_LE + TEXT.encode("utf-8"),  # UTF-8 behind a stray mark
], ids=["utf16-odd", "utf16-high-surrogate", "utf16-low-surrogate", "utf32-range",
        "utf32-cut", "utf8-behind-utf16-mark"])
def test_undecodable_bodies_make_robots_unreachable(body: bytes) -> None:
    assert decode_robots(body) is None
    snap = snapshot(body)
    assert snap.outcome == robots_gate.UNREACHABLE
    assert "byte-order mark" in (snap.error or "")
    assert not decision(body, "/public/x").allowed


def test_unreachable_by_decoding_is_retried_per_error_ttl() -> None:
    snap = snapshot(b"\x00\x00")
    assert not snap.expired(1000.0 + 599, ttl=86400, error_ttl=600)
    assert snap.expired(1000.0 + 600, ttl=86400, error_ttl=600)
    record = snap.as_record()
    assert record["outcome"] == "unreachable" and record["status"] == 200


def test_stray_invalid_utf8_byte_is_tolerated() -> None:
    body = b"User-agent: *\n# caf\xff\nDisallow: /private/\nDisallow: /caf\xff\n"
    assert decode_robots(body) is not None
    snap = snapshot(body)
    assert snap.outcome == robots_gate.PARSED
    assert not decision(body).allowed
    assert not decision(body, "/caf%FF").allowed  # the octet keeps its identity
    assert decision(body, "/public/x").allowed


@pytest.mark.parametrize("body", [b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF32_BE,
                                  b"\n\n", b"# nothing\n"])
def test_empty_files_still_allow_everything(body: bytes) -> None:
    assert decode_robots(body) is not None
    assert snapshot(body).outcome == robots_gate.PARSED
    assert decision(body).allowed


@pytest.mark.parametrize("codec, bom", [("utf-16-le", codecs.BOM_UTF16_LE),
                                        ("utf-16-be", codecs.BOM_UTF16_BE),
                                        ("utf-32-le", codecs.BOM_UTF32_LE)])
@pytest.mark.parametrize("shift", [0, 1, 2, 3])
def test_utf16_32_beyond_500_kib_parse_the_first_500_kib(codec: str, bom: bytes,
                                                         shift: int) -> None:
    # "\U0001F600" is a surrogate pair in UTF-16: the limit may cut a code unit or a pair.
    filler = "# \U0001F600" + "x" * shift + "\n"
    head = bom + TEXT.encode(codec)
    body = head + (filler * (MAX_ROBOTS_BYTES // len(filler.encode(codec)) + 10)).encode(codec)
    body += "Disallow: /late/\n".encode(codec)
    assert len(body) > MAX_ROBOTS_BYTES
    text = decode_robots(body)
    assert text is not None and text.startswith(TEXT) and text.endswith("\n")
    assert len(text.encode(codec)) <= MAX_ROBOTS_BYTES
    robots = RobotsTxt.parse(body)
    assert robots.truncated
    assert not robots.allowed("/private/x", ME)
    assert robots.allowed("/late/x", ME)
    assert snapshot(body).outcome == robots_gate.PARSED


def test_nul_beyond_500_kib_is_not_read() -> None:
    body = TEXT.encode() + b"# " + b"x" * MAX_ROBOTS_BYTES + b"\n\x00"
    assert snapshot(body).outcome == robots_gate.PARSED
    assert not decision(body).allowed


def test_huge_nul_body_is_unreachable_without_reading_it_all() -> None:
    assert snapshot(b"\x00" * (20 * MAX_ROBOTS_BYTES)).outcome == robots_gate.UNREACHABLE


def test_parser_alone_keeps_reading_rejected_bodies_as_utf8() -> None:
    # ai.txt and other callers of RobotsTxt.parse get the rules a rejected body still has
    # (reading it as empty would lose an opt-out); only the robots gate fails it closed.
    body = b"\xff\xfe\x00\nUser-agent: *\n\x80\x81: \xc3\nDisallow: /x\n"
    assert decode_robots(body) is None
    assert not RobotsTxt.parse(body).allowed("/x", ME)
    assert snapshot(body).outcome == robots_gate.UNREACHABLE
