"""An expat parser that refuses DTDs and entity declarations (no entity expansion, no
external fetches), for XML that comes from the web: RSL licenses, XMP packets."""

from __future__ import annotations

from xml.parsers import expat


class ForbiddenXML(Exception):
    """The document declares a DTD or entities: not read."""


def _forbid(*_args: object) -> int:
    raise ForbiddenXML("DTDs and entity declarations are not accepted")


def parser(namespace_separator: str) -> expat.XMLParserType:
    p = expat.ParserCreate(namespace_separator=namespace_separator)
    p.StartDoctypeDeclHandler = _forbid
    p.EntityDeclHandler = _forbid
    p.UnparsedEntityDeclHandler = _forbid
    p.ExternalEntityRefHandler = _forbid
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return p


#: what a parse of hostile XML may raise; all of it means "could not be read"
PARSE_ERRORS = (expat.ExpatError, ForbiddenXML, ValueError, LookupError, RecursionError,
                MemoryError)
