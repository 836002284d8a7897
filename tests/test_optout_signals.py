"""Opt-out signals (signals.md §B) and the opt-out gate: vectors for every row, the anchors'
bugs, TDMRep precedence, ai.txt, image metadata (XMP, C2PA) and the gate's decisions."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from parsel import Selector
from test_xmp import (
    CONTAINERS,
    VOCAB,
    data_mining_packet,
    jpeg_with_xmp,
    packet,
    png_with_xmp,
)

from crawler.gates import optout as gate
from crawler.signals.aitxt import AI_TXT_FILE, AiTxt
from crawler.signals.content_usage import content_usage_header
from crawler.signals.image_optout import image_signals
from crawler.signals.noai import robots_directives
from crawler.signals.optout import item_signals
from crawler.signals.optout_types import ALLOWED, OPTOUT, UNKNOWN, OptOutSignal
from crawler.signals.tdmrep import (
    TDMREP_FILE,
    TdmRepFile,
    tdm_header,
    tdm_meta,
    tdmrep_effective,
    tdmrep_signals,
)

VECTORS = Path(__file__).parent / "vectors" / "optout"
ME = "MyBot"


def html(head: str = "", body: str = "") -> Selector:
    return Selector(text=f"<html><head>{head}</head><body>{body}</body></html>")


def xrt(*values: str) -> dict[str, list[str]]:
    return {"X-Robots-Tag": list(values)}


def directives(signals: list[OptOutSignal]) -> list[tuple[str, str]]:
    return [(s.detail["directive"], s.scope) for s in signals]


# --------------------------------------------------------------------------------------------
# noai / noimageai
# --------------------------------------------------------------------------------------------

HEADER_VECTORS: list[tuple[list[str], list[tuple[str, str]]]] = [
    (["noai"], [("noai", "all")]),
    (["noimageai"], [("noimageai", "images")]),
    (["noai, noimageai"], [("noai", "all"), ("noimageai", "images")]),
    (["NoAI"], [("noai", "all")]),  # datadiligence reads this as allowed
    (["NOIMAGEAI"], [("noimageai", "images")]),
    (["  noai  ,  noimageai  "], [("noai", "all"), ("noimageai", "images")]),
    (["noai noimageai"], [("noai", "all"), ("noimageai", "images")]),
    (["otherbot: noai, noimageai"], []),  # datadiligence blocks every bot here
    (["noai, otherbot: noindex"], [("noai", "all")]),  # img2dataset lets this through
    (["otherbot: noindex, noai"], []),  # the scope lasts until the next prefix
    (["otherbot: noindex, mybot: noai"], [("noai", "all")]),
    (["MYBOT: noimageai"], [("noimageai", "images")]),
    (["mybot:noai"], [("noai", "all")]),
    (["mybot : noai"], [("noai", "all")]),
    (["mybot: noindex, noai, otherbot: noimageai"], [("noai", "all")]),
    (["mybotx: noai"], []),
    (["mybo: noai"], []),
    (["otherbot: noai", "noimageai"], [("noimageai", "images")]),  # scope restarts per value
    (["noindex", "noai"], [("noai", "all")]),
    (["noindex, nofollow", "none"], []),
    (["all"], []),
    (["noaix, nonoai, no-ai, noai-images"], []),
    (["max-snippet: 20, noai"], [("noai", "all")]),  # a valued directive is no scope
    (["max-image-preview: none, noimageai"], [("noimageai", "images")]),
    (["unavailable_after: 2025-06-25T15:00:00+01:00, noai"], [("noai", "all")]),
    (["unavailable_after: Friday, 25-Jun-2010 15:00:00 PST, noai"], [("noai", "all")]),
    ([""], []),
    ([",,,"], []),
    ([], []),
]


class TestRobotsDirectives:
    @pytest.mark.parametrize(("values", "expected"), HEADER_VECTORS)
    def test_header_vectors(self, values: list[str], expected: list[tuple[str, str]]) -> None:
        assert directives(robots_directives(xrt(*values), None, ME)) == expected

    def test_signal_fields(self) -> None:
        (s,) = robots_directives(xrt("noai, otherbot: noindex"), None, ME)
        assert s == OptOutSignal("x-robots-tag", OPTOUT, "all", "noai, otherbot: noindex",
                                 "header X-Robots-Tag", {"directive": "noai", "applies_to": "*"})
        (s,) = robots_directives(xrt("mybot: noai"), None, ME)
        assert s.detail["applies_to"] == "mybot"

    def test_header_name_is_case_insensitive_and_repeatable(self) -> None:
        headers = {"x-robots-tag": ["noai"], "X-ROBOTS-TAG": ["noimageai"]}
        assert sorted(directives(robots_directives(headers, None, ME))) == [
            ("noai", "all"), ("noimageai", "images")]

    def test_token_reduced_to_product_token(self) -> None:
        assert directives(robots_directives(xrt("mybot: noai"), None, "MyBot/2.1 (+https://x)"))
        assert not robots_directives(xrt("mybot: noai"), None, "OtherBot")

    @pytest.mark.parametrize(("values", "expected"), [
        (["noindex"], [("noindex", "all")]),
        (["none"], [("none", "all")]),
        (["NoIndex, nofollow"], [("noindex", "all")]),
        (["noimageindex"], [("noimageindex", "images")]),
        (["otherbot: noindex"], []),
        (["mybot: noindex"], [("noindex", "all")]),
        (["max-image-preview: none"], []),
    ])
    def test_noindex_only_when_honoured(self, values: list[str],
                                        expected: list[tuple[str, str]]) -> None:
        assert robots_directives(xrt(*values), None, ME) == []
        assert directives(robots_directives(xrt(*values), None, ME, honour_noindex=True)) == (
            expected)

    @pytest.mark.parametrize(("head", "expected"), [
        ('<meta name="robots" content="noai, noimageai">', [("noai", "all"),
                                                           ("noimageai", "images")]),
        ('<META NAME="ROBOTS" CONTENT="NoAI">', [("noai", "all")]),
        ('<meta name=" Robots " content="noimageai">', [("noimageai", "images")]),
        ('<meta name="mybot" content="noai">', [("noai", "all")]),
        ('<meta name="MYBOT" content="noimageai">', [("noimageai", "images")]),
        ('<meta name="otherbot" content="noai">', []),
        ('<meta name="googlebot" content="noai">', []),
        ('<meta name="robots" content="otherbot: noai">', []),
        ('<meta name="robots" content="index, follow">', []),
        ('<meta name="robots">', []),
        ('<meta http-equiv="X-Robots-Tag" content="noai">', [("noai", "all")]),
        ('<meta name="robots" content="noimageai"><meta name="robots" content="noai">',
         [("noimageai", "images"), ("noai", "all")]),
        ('<meta name="description" content="we say noai here">', []),
    ])
    def test_meta_vectors(self, head: str, expected: list[tuple[str, str]]) -> None:
        assert directives(robots_directives({}, html(head), ME)) == expected

    def test_meta_signal_names_and_snippets(self) -> None:
        sel = html('<meta name="Robots" content="NoAI"><meta name="mybot" content="noimageai">')
        a, b = robots_directives(None, sel, ME)
        assert (a.signal, a.snippet) == ("meta-robots", '<meta name="Robots" content="NoAI">')
        assert (b.signal, b.location) == ("meta-bot", 'html meta[name="mybot"]')

    def test_meta_in_body_counts(self) -> None:
        assert robots_directives(None, html(body='<meta name="robots" content="noai">'), ME)

    def test_xhtml_parsed_as_xml(self) -> None:
        sel = Selector(text='<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">'
                            '<head><meta name="robots" content="noai"/></head></html>', type="xml")
        assert directives(robots_directives(None, sel, ME)) == [("noai", "all")]

    def test_headers_and_meta_together(self) -> None:
        found = robots_directives(xrt("noimageai"), html('<meta name="robots" content="noai">'),
                                  ME)
        assert [s.signal for s in found] == ["x-robots-tag", "meta-robots"]

    def test_bytes_header_values(self) -> None:
        assert robots_directives({"X-Robots-Tag": [b"noai"]}, None, ME)  # type: ignore[list-item]


# --------------------------------------------------------------------------------------------
# TDMRep
# --------------------------------------------------------------------------------------------


class TestTdmHeader:
    @pytest.mark.parametrize(("values", "state"), [
        (["1"], OPTOUT), (["0"], ALLOWED), ([" 1 "], OPTOUT),
        (["1", "0"], OPTOUT), (["0", "1"], OPTOUT), (["0, 1"], OPTOUT), (["0", "0"], ALLOWED),
    ])
    def test_values(self, values: list[str], state: str) -> None:
        s = tdm_header({"tdm-reservation": values})
        assert s is not None and s.state == state and s.signal == "tdm-reservation-header"

    @pytest.mark.parametrize("values", [
        ["2"], ["yes"], ["true"], [""], ["01"], ["1.0"], ["-1"], ["0", "x"], ["reserved"], [],
    ])
    def test_anything_else_is_unset(self, values: list[str]) -> None:
        assert tdm_header({"tdm-reservation": values}) is None

    def test_policy_and_case_insensitive_names(self) -> None:
        s = tdm_header({"TDM-Reservation": ["1"], "TDM-Policy": ["https://p.example/policy.json"]})
        assert s is not None
        assert s.detail == {"tdm-reservation": "1", "tdm-policy": "https://p.example/policy.json"}
        assert "tdm-policy: https://p.example/policy.json" in s.snippet

    def test_policy_ignored_when_not_reserved(self) -> None:
        s = tdm_header({"tdm-reservation": ["0"], "tdm-policy": ["https://p.example/"]})
        assert s is not None and "tdm-policy" not in s.detail


class TestTdmMeta:
    def test_reserved_with_policy(self) -> None:
        s = tdm_meta(html('<meta name="tdm-reservation" content="1">'
                          '<meta name="tdm-policy" content="https://p.example/policy.json">'))
        assert s is not None
        assert (s.signal, s.state) == ("tdm-reservation-meta", OPTOUT)
        assert s.detail["tdm-policy"] == "https://p.example/policy.json"

    @pytest.mark.parametrize(("head", "state"), [
        ('<meta name="TDM-Reservation" content="0">', ALLOWED),
        ('<meta name="tdm-reservation" content="0"><meta name="tdm-reservation" content="1">',
         OPTOUT),
        ('<meta name="tdm-reservation" content="2">', None),
        ('<meta name="tdm-reservation" content="">', None),
        ('<meta name="tdm-policy" content="https://p.example/">', None),
        ("", None),
    ])
    def test_values(self, head: str, state: str | None) -> None:
        s = tdm_meta(html(head))
        assert (s.state if s else None) == state

    def test_no_selector(self) -> None:
        assert tdm_meta(None) is None


SPEC_EXAMPLE = json.dumps([
    {"location": "/directory-a/", "tdm-reservation": 1},
    {"location": "/directory-b/html/", "tdm-reservation": 1,
     "tdm-policy": "https://provider.com/policies/policy.json"},
    {"location": "/directory-b/images/*.jpg", "tdm-reservation": 0},
]).encode()


class TestTdmRepFile:
    @pytest.mark.parametrize(("path", "state", "policy"), [
        ("/directory-a/report.pdf", OPTOUT, None),
        ("/directory-a/", OPTOUT, None),
        ("/directory-b/html/page.html", OPTOUT, "https://provider.com/policies/policy.json"),
        ("/directory-b/images/a.jpg", ALLOWED, None),
        ("/directory-b/images/sub/a.jpg?x=1", ALLOWED, None),
        ("/directory-b/images/a.png", None, None),
        ("/Directory-A/report.pdf", None, None),  # case-sensitive
        ("/directory-c/", None, None),
        ("https://provider.com/directory-a/x", OPTOUT, None),  # a URL works too
    ])
    def test_spec_example(self, path: str, state: str | None, policy: str | None) -> None:
        s = TdmRepFile.parse(SPEC_EXAMPLE).lookup(path)
        assert (s.state if s else None) == state
        if s is not None:
            assert s.signal == "tdmrep.json"
            assert s.detail.get("tdm-policy") == policy

    def test_whole_site(self) -> None:
        f = TdmRepFile.parse(b'[{"location": "/", "tdm-reservation": 1}]')
        s = f.lookup("/anything")
        assert s is not None and s.state == OPTOUT
        assert s.location == "/.well-known/tdmrep.json rule 1"
        assert s.snippet == '{"location":"/","tdm-reservation":1}'

    def test_first_match_wins_not_longest(self) -> None:
        f = TdmRepFile.parse(b'[{"location": "/", "tdm-reservation": 0},'
                             b' {"location": "/private/", "tdm-reservation": 1}]')
        s = f.lookup("/private/x")
        assert s is not None and s.state == ALLOWED

    def test_dollar_anchor_and_wildcards(self) -> None:
        f = TdmRepFile.parse(b'[{"location": "/a$", "tdm-reservation": 1},'
                             b' {"location": "/*.pdf$", "tdm-reservation": 1}]')
        assert f.lookup("/a") is not None
        assert f.lookup("/ab") is None
        assert f.lookup("/x/y.pdf") is not None
        assert f.lookup("/x/y.pdf?download") is None

    def test_percent_encoding_normalised(self) -> None:
        f = TdmRepFile.parse('[{"location": "/café/", "tdm-reservation": 1}]'.encode())
        assert f.lookup("/caf%C3%A9/x") is not None
        assert f.lookup("/caf%c3%a9/x") is not None
        f = TdmRepFile.parse(b'[{"location": "/%7Euser/", "tdm-reservation": 1}]')
        assert f.lookup("/~user/x") is not None

    def test_absolute_url_and_relative_locations(self) -> None:
        f = TdmRepFile.parse(b'[{"location": "https://provider.com/docs/", "tdm-reservation": 1},'
                             b' {"location": "files/", "tdm-reservation": 1}]')
        assert f.lookup("/docs/x") is not None
        assert f.lookup("/files/x") is not None

    @pytest.mark.parametrize("body", [
        b'{"location": "/", "tdm-reservation": 1}', b"1", b'"x"', b"null", b"{}",
    ])
    def test_not_an_array_is_no_statement(self, body: bytes) -> None:
        f = TdmRepFile.parse(body)
        assert f.status == "no-statement"
        assert f.lookup("/") is None

    @pytest.mark.parametrize("body", [
        b"", b"[", b"<html>Not found</html>", b"[{'location': '/'}]", b"\xff\xfe[]",
        b"[" * 100_000 + b"]" * 100_000,
    ])
    def test_malformed_is_unknown(self, body: bytes) -> None:
        f = TdmRepFile.parse(body)
        assert f.status == "malformed"
        s = f.lookup("/any")
        assert s is not None and s.state == UNKNOWN and s.signal == "tdmrep.json"

    def test_bom_tolerated(self) -> None:
        f = TdmRepFile.parse(b"\xef\xbb\xbf" + b'[{"location": "/", "tdm-reservation": 1}]')
        assert f.status == "rules" and f.lookup("/") is not None

    def test_empty_array(self) -> None:
        f = TdmRepFile.parse(b"[]")
        assert f.status == "rules" and f.lookup("/") is None

    def test_invalid_rules_are_skipped_and_never_mask_a_later_one(self) -> None:
        f = TdmRepFile.parse(json.dumps([
            {"location": "/", "tdm-reservation": 2},
            {"location": "/", "tdm-reservation": True},
            {"location": "/", "tdm-reservation": None},
            {"location": "/", "tdm-reservation": "yes"},
            {"tdm-reservation": 0},
            {"location": "", "tdm-reservation": 0},
            "not an object",
            {"location": "/", "tdm-reservation": "1"},  # a string "1" is read as 1
        ]).encode())
        s = f.lookup("/x")
        assert s is not None and s.state == OPTOUT and s.location.endswith("rule 8")
        assert len(f.errors) == 7

    def test_non_bytes(self) -> None:
        assert TdmRepFile.parse(None).status == "malformed"  # type: ignore[arg-type]
        text = '[{"location": "/", "tdm-reservation": 0}]'
        assert TdmRepFile.parse(text).lookup("/")  # type: ignore[arg-type]


def _sig(signal: str, reservation: str) -> OptOutSignal:
    return OptOutSignal(signal, OPTOUT if reservation == "1" else ALLOWED, "all", reservation,
                        signal, {"tdm-reservation": reservation})


class TestTdmPrecedence:
    @pytest.mark.parametrize(("file", "header", "meta", "winner", "state"), [
        ("1", None, None, "tdmrep.json", OPTOUT),
        ("0", None, None, "tdmrep.json", ALLOWED),
        ("1", "0", None, "tdm-reservation-header", ALLOWED),
        ("0", "1", None, "tdm-reservation-header", OPTOUT),
        ("1", None, "0", "tdm-reservation-meta", ALLOWED),
        (None, "1", "0", "tdm-reservation-meta", ALLOWED),
        (None, "0", "1", "tdm-reservation-meta", OPTOUT),
        ("1", "1", None, "tdm-reservation-header", OPTOUT),
        (None, None, None, None, None),
    ])
    def test_levels(self, file: str | None, header: str | None, meta: str | None,
                    winner: str | None, state: str | None) -> None:
        s = tdmrep_effective(_sig("tdmrep.json", file) if file else None,
                             _sig("tdm-reservation-header", header) if header else None,
                             _sig("tdm-reservation-meta", meta) if meta else None)
        assert (s.signal if s else None, s.state if s else None) == (winner, state)

    def test_supersedes_is_recorded(self) -> None:
        s = tdmrep_effective(_sig("tdmrep.json", "1"), _sig("tdm-reservation-header", "0"), None)
        assert s is not None and s.detail["supersedes"].startswith("tdmrep.json")
        same = tdmrep_effective(_sig("tdmrep.json", "1"), _sig("tdm-reservation-header", "1"),
                                None)
        assert same is not None and "supersedes" not in same.detail

    def test_end_to_end(self) -> None:
        site = TdmRepFile.parse(b'[{"location": "/", "tdm-reservation": 1}]')
        # absence does not reset; an invalid header value is no value
        for headers in ({}, {"tdm-reservation": ["yes"]}):
            (s,) = tdmrep_signals(headers, html(), site, "/page")
            assert (s.signal, s.state) == ("tdmrep.json", OPTOUT)
        (s,) = tdmrep_signals({"tdm-reservation": ["0"]}, html(), site, "/page")
        assert (s.signal, s.state) == ("tdm-reservation-header", ALLOWED)
        (s,) = tdmrep_signals({"tdm-reservation": ["0"]},
                              html('<meta name="tdm-reservation" content="1">'), site, "/page")
        assert (s.signal, s.state) == ("tdm-reservation-meta", OPTOUT)

    def test_unreadable_file_stands_unless_a_higher_level_speaks(self) -> None:
        broken = TdmRepFile.parse(b"{not json")
        (s,) = tdmrep_signals({}, None, broken, "/x")
        assert s.state == UNKNOWN
        (s,) = tdmrep_signals({"tdm-reservation": ["0"]}, None, broken, "/x")
        assert s.state == ALLOWED

    def test_nothing(self) -> None:
        assert tdmrep_signals({}, html(), None, "/") == []


# --------------------------------------------------------------------------------------------
# Content-Usage header
# --------------------------------------------------------------------------------------------


class TestContentUsage:
    @pytest.mark.parametrize(("values", "state"), [
        (["train-ai=n"], OPTOUT),
        (["train-ai=y"], ALLOWED),
        (["search=y, train-ai=n"], OPTOUT),
        (["train-ai=n;q=1"], OPTOUT),
        (["train-ai=n, train-ai=y"], ALLOWED),  # last duplicate wins
        (["train-ai=y", "train-ai=n"], OPTOUT),  # repeated fields combine in order
        (["search=n", "train-ai=y"], ALLOWED),
        (["train-ai=maybe"], UNKNOWN),
        (['train-ai="n"'], UNKNOWN),  # a String, not the Token n
        (["train-ai"], UNKNOWN),  # a bare key is boolean true
        (["train-ai=?0"], UNKNOWN),
        (["train-ai=N"], UNKNOWN),
        (["Train-AI=n"], UNKNOWN),  # keys are lower-case: a parse error
        (["train-ai=n,"], UNKNOWN),
        (["%%%"], UNKNOWN),
        (["train-ai=n", "garbage=("], UNKNOWN),
    ])
    def test_vectors(self, values: list[str], state: str) -> None:
        (s,) = content_usage_header({"Content-Usage": values})
        assert (s.signal, s.state) == ("content-usage-header", state)

    @pytest.mark.parametrize("values", [[], [""], ["  "], ["search=n"], ["ai-use=n"]])
    def test_no_statement(self, values: list[str]) -> None:
        assert content_usage_header({"Content-Usage": values}) == []

    def test_header_name_case_insensitive(self) -> None:
        (s,) = content_usage_header({"content-usage": ["train-ai=n"]})
        assert s.snippet == "train-ai=n" and s.location == "header Content-Usage"


# --------------------------------------------------------------------------------------------
# ai.txt
# --------------------------------------------------------------------------------------------

SPAWNING = b"""# Spawning AI
# Prevent datasets from using the following file types

User-Agent: *
Disallow: *.jpg
Disallow: *.jpeg
Disallow: *.png
Allow: *.html
"""


class TestAiTxt:
    @pytest.mark.parametrize(("path", "state"), [
        ("/photos/cat.jpg", OPTOUT),
        ("/photos/CAT.JPG", OPTOUT),  # file types are case-insensitive
        ("/a.jpeg?size=large", OPTOUT),
        ("/img.png", OPTOUT),
        ("/post.html", ALLOWED),
        ("/doc.pdf", None),
        ("/", None),
        ("https://example.com/photos/cat.jpg", OPTOUT),
    ])
    def test_spawning_file(self, path: str, state: str | None) -> None:
        s = AiTxt.parse(SPAWNING).signal_for(path)
        assert (s.state if s else None) == state

    def test_evidence_is_the_exact_line(self) -> None:
        s = AiTxt.parse(SPAWNING).signal_for("/A.JPG")
        assert s is not None
        assert (s.signal, s.snippet, s.location) == ("ai.txt", "Disallow: *.jpg",
                                                      "/ai.txt line 5")

    def test_jetpack_file_disallows_everything(self) -> None:
        body = b"User-Agent: *\nDisallow: *.txt\nDisallow: *.png\nDisallow: /\nDisallow: *\n"
        ai = AiTxt.parse(body)
        for path in ("/", "/post/1", "/a.png", "/x?y"):
            s = ai.signal_for(path)
            assert s is not None and s.state == OPTOUT

    def test_longest_match_and_allow_ties(self) -> None:
        ai = AiTxt.parse(b"User-agent: *\nDisallow: /\nAllow: /public/\n"
                         b"Disallow: /public/*.jpg\nAllow: /x\nDisallow: /x\n")
        assert ai.signal_for("/private").state == OPTOUT  # type: ignore[union-attr]
        assert ai.signal_for("/public/a.html").state == ALLOWED  # type: ignore[union-attr]
        assert ai.signal_for("/public/a.jpg").state == OPTOUT  # type: ignore[union-attr]
        assert ai.signal_for("/x").state == ALLOWED  # type: ignore[union-attr]

    def test_own_group_then_star(self) -> None:
        ai = AiTxt.parse(b"User-Agent: MyBot\nDisallow: *.gif\n\nUser-Agent: *\nDisallow: /\n")
        assert ai.signal_for("/a.png", ME) is None
        assert ai.signal_for("/a.gif", "mybot").state == OPTOUT  # type: ignore[union-attr]
        assert ai.signal_for("/a.png").state == OPTOUT  # type: ignore[union-attr]

    @pytest.mark.parametrize("body", [
        b"", b"<html><body>Not found</body></html>", b"User-Agent: otherbot\nDisallow: /\n",
        b"Disallow: /\n", b"User-Agent: *\nDisallow:\n", b"\x00\xff\xfe garbage",
    ])
    def test_no_statement(self, body: bytes) -> None:
        assert AiTxt.parse(body).signal_for("/a.jpg") is None

    def test_bom_crlf(self) -> None:
        ai = AiTxt.parse(b"\xef\xbb\xbfUser-Agent: *\r\nDisallow: *.JPG\r\n")
        s = ai.signal_for("/a.jpg")
        assert s is not None and s.snippet == "Disallow: *.JPG" and s.location.endswith("line 2")

    @pytest.mark.parametrize("codec", ["utf-16", "utf-32"])  # with their byte-order marks
    def test_a_utf16_or_utf32_file_is_quoted_as_written(self, codec: str) -> None:
        body = "User-Agent: *\r\n# Fotos de São Paulo\r\nDisallow: *.JPG\r\n".encode(codec)
        ai = AiTxt.parse(body)
        s = ai.signal_for("/sp/a.jpg")
        assert s is not None and s.state == OPTOUT
        assert (s.snippet, s.location) == ("Disallow: *.JPG", "/ai.txt line 3")
        assert ai.sha256 == hashlib.sha256(body).hexdigest()  # the file's bytes, as served

    def test_non_bytes(self) -> None:
        assert AiTxt.parse(None).signal_for("/") is None  # type: ignore[arg-type]
        assert AiTxt.parse("User-Agent: *\nDisallow: /\n").signal_for("/")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Images: XMP plus:DataMining, C2PA / CAWG training-mining
# --------------------------------------------------------------------------------------------

DMI = [
    ("DMI-PROHIBITED", OPTOUT),
    ("DMI-PROHIBITED-AIMLTRAINING", OPTOUT),
    ("DMI-PROHIBITED-GENAIMLTRAINING", OPTOUT),
    ("DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING", OPTOUT),
    ("DMI-PROHIBITED-SEECONSTRAINT", OPTOUT),
    ("DMI-PROHIBITED-SEEEMBEDDEDRIGHTSEXPR", OPTOUT),
    ("DMI-ALLOWED", ALLOWED),
    ("DMI-UNSPECIFIED", UNKNOWN),
    ("DMI-SOMETHING-NEW", UNKNOWN),
]


class TestImageXmp:
    @pytest.mark.parametrize(("code", "state"), DMI)
    @pytest.mark.parametrize("kind", sorted(CONTAINERS))
    def test_data_mining_in_every_container(self, kind: str, code: str, state: str) -> None:
        (s,) = image_signals(CONTAINERS[kind](data_mining_packet(code)))
        assert (s.signal, s.state, s.scope) == ("xmp-plus-datamining", state, "all")
        assert s.snippet == VOCAB + code
        assert s.location == f"XMP in image/{kind} plus:DataMining"

    def test_bare_code_and_case(self) -> None:
        (s,) = image_signals(jpeg_with_xmp(packet(
            '<rdf:Description plus:DataMining="dmi-prohibited-aimltraining"/>')))
        assert s.state == OPTOUT

    @pytest.mark.parametrize("ext", ["jpg", "png", "webp", "gif"])
    def test_no_statement_is_no_signal(self, ext: str) -> None:
        assert image_signals((VECTORS / f"base.{ext}").read_bytes()) == []

    def test_xmp_without_data_mining_is_no_signal(self) -> None:
        body = png_with_xmp(packet('<rdf:Description><dc:title><rdf:Alt><rdf:li>Cat</rdf:li>'
                                   "</rdf:Alt></dc:title></rdf:Description>"))
        assert image_signals(body) == []

    def test_malformed_packet_is_unknown(self) -> None:
        (s,) = image_signals(jpeg_with_xmp(b"<x:xmpmeta><rdf:RDF><broken"))
        assert (s.signal, s.state) == ("xmp-plus-datamining", UNKNOWN)
        assert s.detail["error"] == "the XMP packet cannot be parsed"

    def test_dtd_packet_is_unknown(self) -> None:
        (s,) = image_signals(jpeg_with_xmp(b"<!DOCTYPE x []>" + data_mining_packet(
            "DMI-ALLOWED")))
        assert s.state == UNKNOWN

    def test_several_values_all_reported(self) -> None:
        body = jpeg_with_xmp(packet(
            f'<rdf:Description><plus:DataMining><rdf:Bag><rdf:li>{VOCAB}DMI-ALLOWED</rdf:li>'
            f"<rdf:li>{VOCAB}DMI-PROHIBITED</rdf:li></rdf:Bag></plus:DataMining>"
            "</rdf:Description>"))
        assert [s.state for s in image_signals(body)] == [ALLOWED, OPTOUT]

    def test_garbage_never_raises(self) -> None:
        for body in (b"", b"\xff\xd8\xff", b"GIF89a" + b"\x00" * 10, None):
            assert image_signals(body) == []  # type: ignore[arg-type]


class TestImageC2pa:
    @pytest.mark.parametrize(("name", "expected"), [
        ("c2pa_cawg_notallowed.jpg", [("cawg.ai_training", OPTOUT)]),
        ("c2pa_c2pa_constrained.png", [("c2pa.ai_generative_training", OPTOUT),
                                       ("c2pa.ai_training", ALLOWED)]),
        ("c2pa_cawg_allowed.webp", [("cawg.ai_generative_training", ALLOWED),
                                    ("cawg.ai_training", ALLOWED),
                                    ("cawg.data_mining", ALLOWED)]),
        ("c2pa_cawg_datamining.gif", [("cawg.data_mining", OPTOUT)]),
        ("c2pa_inference_only.jpg", []),  # ai_inference is not about training
        ("c2pa_no_training.png", []),
    ])
    def test_vectors(self, name: str, expected: list[tuple[str, str]]) -> None:
        found = image_signals((VECTORS / name).read_bytes())
        assert sorted((s.detail["entry"], s.state) for s in found) == expected
        assert all(s.signal == "c2pa-training-mining" for s in found)
        assert all("(active)" in s.location for s in found)

    def test_corrupt_manifest_is_unknown(self) -> None:
        body = (VECTORS / "c2pa_cawg_notallowed.jpg").read_bytes()
        jumbf = body.find(b"jumb")
        (s,) = image_signals(body[:jumbf + 50] + body[jumbf + 250:])
        assert (s.signal, s.state) == ("c2pa-training-mining", UNKNOWN)

    def test_unreadable_assertion_is_unknown(self) -> None:
        body = (VECTORS / "c2pa_cawg_notallowed.jpg").read_bytes()
        at = body.find(b"notAllowed")
        (s,) = image_signals(body[:at - 1] + b"\xff" * 11 + body[at + 10:])
        assert s.state == UNKNOWN and "training-mining" in s.snippet

    def test_unknown_use_value_is_unknown(self) -> None:
        body = (VECTORS / "c2pa_cawg_notallowed.jpg").read_bytes()
        (s,) = image_signals(body.replace(b"notAllowed", b"notallowed"))
        assert s.state == UNKNOWN

    def test_missing_library_is_unknown(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import builtins

        real_import = builtins.__import__

        def no_c2pa(name: str, *args: object, **kwargs: object) -> object:
            if name == "c2pa":
                raise ImportError("no c2pa")
            return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(builtins, "__import__", no_c2pa)
        (s,) = image_signals((VECTORS / "c2pa_cawg_allowed.webp").read_bytes())
        assert s.state == UNKNOWN and s.detail["error"] == "c2pa-python is not installed"

    def test_xmp_and_c2pa_together(self) -> None:
        body = (VECTORS / "c2pa_cawg_allowed.webp").read_bytes()
        # add an XMP chunk stating DMI-PROHIBITED to the signed WebP (breaks no parsing)
        xmp = data_mining_packet("DMI-PROHIBITED")
        chunk = b"XMP " + len(xmp).to_bytes(4, "little") + xmp + b"\x00" * (len(xmp) % 2)
        riff = body[12:] + chunk
        mixed = b"RIFF" + (4 + len(riff)).to_bytes(4, "little") + b"WEBP" + riff
        signals = image_signals(mixed)
        assert {s.signal for s in signals} == {"xmp-plus-datamining", "c2pa-training-mining"}
        assert gate.check(signals, "image").reason == "optout"


# --------------------------------------------------------------------------------------------
# item_signals and the gate
# --------------------------------------------------------------------------------------------


class TestItemSignals:
    def test_page_collects_every_source(self) -> None:
        headers = {"X-Robots-Tag": ["noimageai"], "Content-Usage": ["train-ai=y"]}
        sel = html('<meta name="tdm-reservation" content="1">')
        site = TdmRepFile.parse(b'[{"location": "/", "tdm-reservation": 0}]')
        ai = AiTxt.parse(b"User-Agent: *\nAllow: /\n")
        found = item_signals("page", "https://e.example/a/b", headers, token=ME, selector=sel,
                             site_files=[(TDMREP_FILE, site), (AI_TXT_FILE, ai)])
        assert [(s.signal, s.state) for s in found] == [
            ("x-robots-tag", OPTOUT), ("content-usage-header", ALLOWED),
            ("tdm-reservation-meta", OPTOUT), ("ai.txt", ALLOWED)]

    def test_image_reads_its_bytes(self) -> None:
        body = jpeg_with_xmp(data_mining_packet("DMI-PROHIBITED"))
        found = item_signals("image", "/img/a.jpg", {}, token=ME, body=body)
        assert [(s.signal, s.state) for s in found] == [("xmp-plus-datamining", OPTOUT)]
        assert item_signals("page", "/img/a.jpg", {}, token=ME, body=body) == []

    def test_nothing_at_all(self) -> None:
        assert item_signals("page", "/", {}, token=ME, selector=html("<title>x</title>")) == []


def sig(signal: str, state: str, scope: str = "all", **detail: str) -> OptOutSignal:
    return OptOutSignal(signal, state, scope, f"{signal} snippet", f"{signal} location", detail)


class TestGate:
    def test_optout_denies(self) -> None:
        d = gate.check([sig("x-robots-tag", OPTOUT, directive="noai")], "page")
        assert (d.gate, d.allowed, d.reason) == ("optout", False, "optout")
        assert "X-Robots-Tag (x-robots-tag snippet)" in d.sentence
        assert d.evidence["signals"] == ["x-robots-tag"]
        assert d.evidence["statements"][0]["location"] == "x-robots-tag location"

    def test_optout_beats_allowed_and_unknown(self) -> None:
        d = gate.check([sig("content-usage-header", ALLOWED), sig("tdmrep.json", UNKNOWN),
                        sig("ai.txt", OPTOUT)], "image")
        assert d.reason == "optout" and d.evidence["signals"] == ["ai.txt"]
        assert len(d.evidence["statements"]) == 3

    def test_unknown_denies(self) -> None:
        d = gate.check([sig("content-usage-header", ALLOWED),
                        sig("xmp-plus-datamining", UNKNOWN)], "image")
        assert (d.allowed, d.reason) == (False, "optout_unknown")
        assert "XMP plus:DataMining" in d.sentence and "treated as an opt-out" in d.sentence

    def test_allowed(self) -> None:
        d = gate.check([sig("ai.txt", ALLOWED)], "page")
        assert d.allowed and d.reason == "allowed" and "/ai.txt" in d.sentence
        d = gate.check([], "image")
        assert d.allowed and d.sentence == "No opt-out signal was found for the image."

    def test_noimageai_spares_the_page_text(self) -> None:
        signals = robots_directives(xrt("noimageai"), None, ME)
        page = gate.check(signals, "page")
        assert page.allowed and "images only" in page.sentence
        image = gate.check(signals, "image")
        assert (image.allowed, image.reason) == (False, "optout")

    def test_images_scoped_unknown_only_for_images(self) -> None:
        signals = [sig("x", UNKNOWN, "images")]
        assert gate.check(signals, "page").allowed
        assert gate.check(signals, "image").reason == "optout_unknown"

    def test_anchor_vectors_end_to_end(self) -> None:
        def decide(*values: str) -> bool:
            return gate.check(robots_directives(xrt(*values), None, ME), "page").allowed

        assert not decide("NoAI")
        assert decide("otherbot: noai, noimageai")
        assert not decide("noai, otherbot: noindex")

    def test_bad_kind(self) -> None:
        with pytest.raises(ValueError, match="kind"):
            gate.check([], "video")

    @pytest.mark.parametrize(("values", "expected"), [
        (["noai"], True), (["noimageai"], True), (["otherbot: noai"], False),
        (["noindex"], False), ([], False),
    ])
    def test_page_media_optout(self, values: list[str], expected: bool) -> None:
        signals = robots_directives(xrt(*values), None, ME, honour_noindex=True)
        assert gate.page_media_optout(signals) is expected

    def test_page_media_optout_ignores_other_signals(self) -> None:
        assert not gate.page_media_optout([sig("tdm-reservation-meta", OPTOUT),
                                           sig("content-usage-header", OPTOUT)])
        meta = robots_directives(None, html('<meta name="robots" content="noai">'), ME)
        assert gate.page_media_optout(meta)


def test_scrapy_style_headers() -> None:
    """bytes names and values (scrapy.http.Headers) and a bare str value are read too."""
    headers = {b"X-Robots-Tag": [b"noai"], b"Content-Usage": [b"train-ai=n"],
               "tdm-reservation": "1"}
    found = item_signals("page", "/", headers, token=ME)  # type: ignore[arg-type]
    assert [(s.signal, s.state) for s in found] == [
        ("x-robots-tag", OPTOUT), ("content-usage-header", OPTOUT),
        ("tdm-reservation-header", OPTOUT)]
