"""Content-Usage's AIPREF vocabulary, read with http-sf: what counts, what fails closed, and the
one place where http-sf and the hand-written RFC 9651 parser it replaced disagree."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.signals.aipref_vocab import UnreadablePreference, train_ai_optout
from crawler.signals.content_usage import content_usage_header
from crawler.signals.optout_types import UNKNOWN
from crawler.signals.robots import MAX_ROBOTS_BYTES, RobotsTxt

EVERY_ITEM_TYPE = ('search=y;q=1, a=?1, b, c=(x "y" 1), d=:aGk=:, e=1.5, f=-3, '
                   'g=@1700000000, h=%"caf%c3%a9"')


@pytest.mark.parametrize(("value", "optout"), [
    ("train-ai=n", True),
    ("train-ai=y", False),
    ("search=y, train-ai=n", True),
    ("train-ai=n;q=1", True),  # parameters say nothing about the preference
    ("train-ai=n, train-ai=y", False),  # the last duplicate wins
    ("train-ai=y, train-ai=n", True),
    ("  train-ai=n,\tsearch=y  ", True),  # leading/trailing SP, OWS around commas
    (f"train-ai=n, {EVERY_ITEM_TYPE}", True),
    (f"{EVERY_ITEM_TYPE}, train-ai=y", False),
])
def test_train_ai_token(value: str, optout: bool) -> None:
    assert train_ai_optout(value) is optout


@pytest.mark.parametrize("value", ["", "   ", "search=y", "ai-use=n, search=n", "train-ai2=n"])
def test_no_train_ai_is_no_statement(value: str) -> None:
    # RFC 9651 §4.2.2: an empty value is an empty Dictionary, not an error (a robots.txt
    # "Content-Usage: /path" line with no vocabulary says nothing).
    assert train_ai_optout(value) is None


@pytest.mark.parametrize("value", ['train-ai="n"', "train-ai", "train-ai=?0", "train-ai=N",
                                   "train-ai=no", "train-ai=(n)", "train-ai=1",
                                   'train-ai=%"n"', "train-ai=:bg==:"])
def test_train_ai_other_than_the_token_y_or_n_is_unreadable(value: str) -> None:
    with pytest.raises(UnreadablePreference, match="neither the token y nor n"):
        train_ai_optout(value)


MALFORMED = [
    "A=1", "Train-ai=n", "a=1,", "a= 1", "a=1 b=2", "a=1.1234", "a=1234567890123.1",
    'a="\x01"', "a=:!!:", "a=?2", "1a=1", "a=(1", 'a="\\x"', 'a=%"%ZZ"', "a=@1.5", ",a=1",
    "a=é", "a=\udc80",
    # RFC 9651 MUSTs that http-sfv 0.9.9 (the deprecated predecessor of http-sf) lets through:
    "a=1.",  # §4.2.4 step 9.1: a Decimal ending in "."
    "a=0000000000000001",  # §4.2.4 step 7.5: an Integer of 16 characters, at the end
    "a=:=aGVsbG8=:", "a=:a=GVsbG8=:",  # §4.2.7: "=" padding only at the end
    'a=%"% a"', 'a=%"%+a"',  # §4.2.10: a percent escape is two lowercase hex digits
]


@pytest.mark.parametrize("bad", MALFORMED)
def test_a_malformed_member_makes_the_whole_value_unreadable(bad: str) -> None:
    # Never half-read: a permission beside a malformed member is not a permission.
    for value in (bad, f"train-ai=y, {bad}", f"{bad}, train-ai=y"):
        with pytest.raises(UnreadablePreference):
            train_ai_optout(value)


def test_unpadded_byte_sequence_is_read() -> None:
    # RFC 9651 §4.2.7: parsers SHOULD NOT fail when "=" padding is missing (the old parser did
    # not; http-sfv 0.9.9 did).
    assert train_ai_optout("train-ai=y, d=:aGk:") is False


def test_dates_outside_years_1_to_9999_are_unreadable() -> None:
    """The one difference from the hand-written parser, which took any 15-digit Date.

    RFC 9651 §3.3.7 requires parsers to support all days in years 1 to 9999; the HTTP WG's
    structured-field-tests mark the 15-digit "syntactic max/min date" cases ``can_fail``.
    http-sf refuses Dates outside that range; refusing is the stricter reading, and an
    unreadable value is unknown, never a permission, so we keep it.
    """
    assert train_ai_optout("train-ai=y, d=@253402214400") is False  # 9999-12-31
    assert train_ai_optout("train-ai=y, d=@-62135596800") is False  # 0001-01-01
    for date in ("@253402300800", "@-62135596801", "@999999999999999"):
        with pytest.raises(UnreadablePreference, match="out of range"):
            train_ai_optout(f"train-ai=y, d={date}")


def test_both_readers_take_an_out_of_range_date_as_unknown() -> None:
    value = "train-ai=y, d=@253402300800"
    robots = RobotsTxt.parse(f"User-agent: *\nContent-Usage: {value}\n".encode())
    assert [p.optout for p in robots.ai_preferences("/", "any")] == [None]
    (signal,) = content_usage_header({"Content-Usage": [value]})
    assert signal.state == UNKNOWN and "out of range" in signal.detail["error"]


@settings(max_examples=500, deadline=1000)
@given(text=st.text(max_size=80) | st.text(alphabet='a-=,;"() ?*:%@.019ny\t', max_size=60))
def test_only_unreadable_preference_escapes(text: str) -> None:
    try:
        result = train_ai_optout(text)
    except UnreadablePreference:
        return
    assert result in (True, False, None)


def test_a_value_as_long_as_robots_txt_allows_is_read_in_linear_time() -> None:
    # http-sfv 0.9.9 copies the rest of the input at every member: 14 s for this line.
    members = "a=1, " * ((MAX_ROBOTS_BYTES - 100) // 5)
    body = f"User-agent: *\nContent-Usage: {members}train-ai=n\n".encode()
    start = time.perf_counter()
    robots = RobotsTxt.parse(body)
    assert [p.optout for p in robots.ai_preferences("/", "any")] == [True]
    assert time.perf_counter() - start < 5
