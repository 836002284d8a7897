"""RFC 9651 Structured Field Dictionary parser (strict, standard library only).

Used for the AIPREF ``Content-Usage`` vocabulary, which appears both as a robots.txt line and
as an HTTP header. Only Dictionaries are parsed (RFC 9651 §4.2.2 and the item algorithms it
calls); any syntax error raises :class:`SFParseError` rather than yielding a partial result,
because a half-read preference must be treated as unknown, never as a permission.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

__all__ = [
    "SFBareItem",
    "SFDate",
    "SFDisplayString",
    "SFItem",
    "SFMember",
    "SFParams",
    "SFParseError",
    "SFToken",
    "parse_sf_dictionary",
]


class SFParseError(ValueError):
    """The input is not a valid RFC 9651 Dictionary."""


class SFToken(str):
    """An sf-token bare item (distinct from an sf-string with the same characters)."""

    __slots__ = ()


@dataclass(frozen=True)
class SFDate:
    """An sf-date bare item: seconds since the Unix epoch."""

    seconds: int


@dataclass(frozen=True)
class SFDisplayString:
    """An sf-displaystring bare item, already decoded (distinct from an sf-string)."""

    value: str


_LCALPHA = frozenset("abcdefghijklmnopqrstuvwxyz")
_DIGITS = frozenset("0123456789")
_ALPHA = _LCALPHA | frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_KEY_FIRST = _LCALPHA | {"*"}
_KEY_CHARS = _LCALPHA | _DIGITS | frozenset("_-.*")
_TCHAR = _ALPHA | _DIGITS | frozenset("!#$%&'*+-.^_`|~")
_TOKEN_CHARS = _TCHAR | frozenset(":/")
_BASE64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
_LCHEX = frozenset("0123456789abcdef")

SFBareItem = int | float | str | bytes | bool | SFDate | SFDisplayString
SFParams = dict[str, SFBareItem]
SFItem = tuple[SFBareItem, SFParams]
SFMember = tuple[SFBareItem | list[SFItem], SFParams]


class _SFParser:
    """RFC 9651 §4.2 parsing algorithms, for Dictionaries only."""

    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0

    def _peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def _fail(self, why: str) -> SFParseError:
        return SFParseError(f"{why} at offset {self.i}")

    def _skip(self, chars: str) -> None:
        while self.i < len(self.s) and self.s[self.i] in chars:
            self.i += 1

    def parse(self) -> dict[str, SFMember]:
        self._skip(" ")
        result = self._dictionary()
        self._skip(" ")
        if self.i != len(self.s):
            raise self._fail("trailing characters")
        return result

    def _dictionary(self) -> dict[str, SFMember]:
        members: dict[str, SFMember] = {}
        while self.i < len(self.s):
            key = self._key()
            member: SFMember
            if self._peek() == "=":
                self.i += 1
                member = self._item_or_inner_list()
            else:
                member = (True, self._parameters())
            members.pop(key, None)  # last duplicate wins (and moves to the end)
            members[key] = member
            self._skip(" \t")
            if self.i == len(self.s):
                return members
            if self.s[self.i] != ",":
                raise self._fail("expected ','")
            self.i += 1
            self._skip(" \t")
            if self.i == len(self.s):
                raise self._fail("trailing comma")
        return members

    def _key(self) -> str:
        if not self._peek() or self._peek() not in _KEY_FIRST:
            raise self._fail("invalid key")
        start = self.i
        self.i += 1
        while self.i < len(self.s) and self.s[self.i] in _KEY_CHARS:
            self.i += 1
        return self.s[start:self.i]

    def _parameters(self) -> SFParams:
        params: SFParams = {}
        while self._peek() == ";":
            self.i += 1
            self._skip(" ")
            key = self._key()
            value: SFBareItem = True
            if self._peek() == "=":
                self.i += 1
                value = self._bare_item()
            params.pop(key, None)
            params[key] = value
        return params

    def _item_or_inner_list(self) -> SFMember:
        if self._peek() == "(":
            return self._inner_list()
        return self._item()

    def _inner_list(self) -> SFMember:
        self.i += 1
        items: list[SFItem] = []
        while self.i < len(self.s):
            self._skip(" ")
            if self._peek() == ")":
                self.i += 1
                return items, self._parameters()
            items.append(self._item())
            if self._peek() not in (" ", ")"):
                raise self._fail("bad inner list")
        raise self._fail("unterminated inner list")

    def _item(self) -> SFItem:
        value = self._bare_item()
        return value, self._parameters()

    def _bare_item(self) -> SFBareItem:
        c = self._peek()
        if c == "-" or (c and c in _DIGITS):
            return self._number()
        if c == '"':
            return self._string()
        if c == "*" or (c and c in _ALPHA):
            return self._token()
        if c == ":":
            return self._binary()
        if c == "?":
            return self._boolean()
        if c == "@":
            self.i += 1
            number = self._number()
            if isinstance(number, float):
                raise self._fail("date must be an integer")
            return SFDate(number)
        if c == "%":
            return self._display_string()
        raise self._fail("invalid bare item")

    def _number(self) -> int | float:
        sign = 1
        if self._peek() == "-":
            sign = -1
            self.i += 1
        if not self._peek() or self._peek() not in _DIGITS:
            raise self._fail("expected digit")
        start = self.i
        is_decimal = False
        while self.i < len(self.s):
            c = self.s[self.i]
            if c in _DIGITS:
                self.i += 1
            elif c == "." and not is_decimal:
                if self.i - start > 12:
                    raise self._fail("decimal too long")
                is_decimal = True
                self.i += 1
            else:
                break
            if (is_decimal and self.i - start > 16) or (not is_decimal and self.i - start > 15):
                raise self._fail("number too long")
        text = self.s[start:self.i]
        if not is_decimal:
            return sign * int(text)
        if text.endswith("."):
            raise self._fail("decimal ends with '.'")
        if len(text.split(".", 1)[1]) > 3:
            raise self._fail("too many fractional digits")
        return sign * float(text)

    def _string(self) -> str:
        self.i += 1
        out: list[str] = []
        while self.i < len(self.s):
            c = self.s[self.i]
            self.i += 1
            if c == "\\":
                if self.i >= len(self.s) or self.s[self.i] not in '"\\':
                    raise self._fail("bad escape")
                out.append(self.s[self.i])
                self.i += 1
            elif c == '"':
                return "".join(out)
            elif not " " <= c <= "~":
                raise self._fail("invalid string character")
            else:
                out.append(c)
        raise self._fail("unterminated string")

    def _token(self) -> SFToken:
        start = self.i
        self.i += 1
        while self.i < len(self.s) and self.s[self.i] in _TOKEN_CHARS:
            self.i += 1
        return SFToken(self.s[start:self.i])

    def _binary(self) -> bytes:
        self.i += 1
        start = self.i
        while self.i < len(self.s) and self.s[self.i] != ":":
            if self.s[self.i] not in _BASE64_CHARS:
                raise self._fail("invalid base64 character")
            self.i += 1
        if self.i >= len(self.s):
            raise self._fail("unterminated byte sequence")
        data = self.s[start:self.i]
        self.i += 1
        try:
            return base64.b64decode(data + "=" * (-len(data) % 4), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise self._fail("invalid base64") from exc

    def _boolean(self) -> bool:
        self.i += 1
        c = self._peek()
        if c not in ("0", "1") or not c:
            raise self._fail("invalid boolean")
        self.i += 1
        return c == "1"

    def _display_string(self) -> SFDisplayString:
        if self.s[self.i:self.i + 2] != '%"':
            raise self._fail("invalid display string")
        self.i += 2
        buf = bytearray()
        while self.i < len(self.s):
            c = self.s[self.i]
            self.i += 1
            if not " " <= c <= "~":
                raise self._fail("invalid display string character")
            if c == "%":
                pair = self.s[self.i:self.i + 2]
                if len(pair) != 2 or not set(pair) <= _LCHEX:
                    raise self._fail("invalid percent escape")
                buf.append(int(pair, 16))
                self.i += 2
            elif c == '"':
                try:
                    return SFDisplayString(buf.decode("utf-8"))
                except UnicodeDecodeError as exc:
                    raise self._fail("invalid UTF-8") from exc
            else:
                buf.append(ord(c))
        raise self._fail("unterminated display string")


def parse_sf_dictionary(text: str) -> dict[str, SFMember]:
    """Parse an RFC 9651 Dictionary; raises :class:`SFParseError` on any syntax error."""
    return _SFParser(text).parse()
