"""RSL (Really Simple Licensing) license documents: does one prohibit AI training?

robots.txt ``License:`` lines point at these XML documents; they are read with the hardened
expat parser of :mod:`crawler.signals.safexml`.
"""

from __future__ import annotations

import re

from crawler.signals import safexml

__all__ = ["parse_rsl_prohibits_ai_training"]

_RSL_AI_TRAINING_USAGES = frozenset({"ai-train", "train-ai", "ai-all", "all"})
_RSL_USAGE_SPLIT_RE = re.compile(r"[\s,]+")


def parse_rsl_prohibits_ai_training(xml: bytes) -> bool | None:
    """Does an RSL license document prohibit AI training?

    True if any ``<prohibits type="usage">`` lists ``ai-train``, ``train-ai``, ``ai-all`` or
    ``all``; False if it is a readable RSL document without such a prohibition; None if it is
    not well-formed XML, not RSL (no ``<rsl>`` element), or declares a DTD/entities (refused so
    no entity can ever be expanded). Namespaces and prefixes are ignored.
    """
    if isinstance(xml, str):
        xml = xml.encode("utf-8", "surrogatepass")
    elif isinstance(xml, (bytearray, memoryview)):
        xml = bytes(xml)
    elif not isinstance(xml, bytes):
        return None
    state = {"rsl": False, "prohibits": False}
    depth_in_prohibits = 0
    text: list[str] = []

    def local(name: str) -> str:
        return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth_in_prohibits
        tag = local(name)
        if tag == "rsl":
            state["rsl"] = True
        if depth_in_prohibits:
            depth_in_prohibits += 1
            return
        if tag == "prohibits":
            kind = next((v for k, v in attrs.items() if local(k) == "type"), "")
            if kind.strip().lower() == "usage":
                depth_in_prohibits = 1
                text.clear()

    def end(_name: str) -> None:
        nonlocal depth_in_prohibits
        if not depth_in_prohibits:
            return
        depth_in_prohibits -= 1
        if depth_in_prohibits == 0:
            usages = {u.lower() for u in _RSL_USAGE_SPLIT_RE.split("".join(text)) if u}
            if usages & _RSL_AI_TRAINING_USAGES:
                state["prohibits"] = True

    def chars(data: str) -> None:
        if depth_in_prohibits:
            text.append(data)

    parser = safexml.parser("}")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(xml, True)
    except safexml.PARSE_ERRORS:
        return None
    if not state["rsl"]:
        return None
    return state["prohibits"]
