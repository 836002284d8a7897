"""License statements in JSON: JSON-LD ``<script>`` blocks and JSON in ``data-*`` attributes.

JSON-LD: ``license`` (or ``licence``, or any prefixed or IRI spelling whose last part is one:
``schema:license``, ``dct:license``, ``http://schema.org/license``) as a string, as an object
(``@id``, ``url``, ``@value``, ``identifier``, ``name``), as a list, at the top level, inside
``@graph`` or in nested nodes. A block is read despite the wrappers pages put around it (HTML
comment markers, ``CDATA``, a BOM) and several JSON values one after the other; one that
still does not parse is an unknown statement (fail closed). A node's scope
comes from its ``@type`` (a media object → that asset; a dataset or software → other) or where
it hangs (top level, ``@graph``, ``mainEntity`` → the page; elsewhere → another work).

``data-*`` attributes (a front-end component's props, ``data-license="…"``): the same keys,
but the JSON describes whatever the component shows, so its license is the page's only when
its node names the page's own title (``title``/``headline``/``name`` sharing most words with
the page's ``<title>``); otherwise another work's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, Final
from urllib.parse import unquote

from crawler.signals import license_text as lt
from crawler.signals.license_evidence import (
    GRANT,
    SCOPE_ASSET,
    SCOPE_OTHER,
    SCOPE_PAGE,
    SNIPPET_MAX,
    LicenseEvidence,
    last_token,
    norm_url,
    resolve_value,
)
from crawler.signals.license_phrases import tokenize
from crawler.signals.license_scope import MEDIA_TYPES, OTHER_TYPES

__all__ = ["data_attribute", "jsonld_script", "parse_json"]

_PAGE_KEYS: Final = frozenset({"mainentity", "mainentityofpage", "haspart", "ispartof",
                               "@graph"})
_LICENSE_KEYS: Final = frozenset({"license", "licence"})
_VALUE_KEYS: Final = ("@id", "url", "@value", "identifier", "href", "name", "short")
_WRAPPERS: Final = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[|/\*\s*<!\[CDATA\[\s*\*/)"
                              r"|(?:-->|//\s*\]\]>|\]\]>|/\*\s*\]\]>\s*\*/)\s*$")
_MAX_JSON = 2_000_000
#: a license key ("license":, "schema:licence":, "http://purl.org/dc/terms/license":)
_LICENSE_KEY: Final = re.compile(r"licen[cs]e[\"']\s*:", re.IGNORECASE)


def parse_json(raw: str) -> Any:
    """The JSON value(s) of a block, forgiving wrappers and concatenated values (returned as a
    list); raise ValueError when it does not parse (a trailing comma included: what a page
    meant by broken JSON is not guessed)."""
    text = _WRAPPERS.sub("", raw.lstrip("\ufeff").strip())
    if len(text) > _MAX_JSON:
        raise ValueError("JSON block too large")
    try:
        return json.loads(text)
    except ValueError:
        pass
    decoder = json.JSONDecoder()
    values, pos = [], 0
    while pos < len(text):
        while pos < len(text) and text[pos] in " \t\r\n;,":
            pos += 1
        if pos >= len(text):
            break
        value, pos = decoder.raw_decode(text, pos)
        values.append(value)
    if not values:
        raise ValueError("no JSON value")
    return values[0] if len(values) == 1 else values


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _name(value: Any) -> str:
    for item in _as_list(value):
        if isinstance(item, str):
            return item[:200]
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            return item["name"][:200]
    return ""


def _nodes(data: Any, path: str = "$", parent_key: str = "", top: bool = True,
           depth: int = 0) -> Iterator[tuple[str, dict[str, Any], str, bool]]:
    """(JSON path, node, key it hangs from, is a top-level node) of every object, depth ≤ 8."""
    if depth > 8:
        return
    if isinstance(data, list):
        for i, item in enumerate(data):
            yield from _nodes(item, f"{path}[{i}]", parent_key, top, depth + 1)
        return
    if not isinstance(data, dict):
        return
    yield path, data, parent_key, top
    for key, value in data.items():
        if isinstance(value, (dict, list)) and isinstance(key, str):
            graph = key == "@graph"
            yield from _nodes(value, f"{path}.{key}", parent_key if graph else key,
                              top and graph, depth + 1)


def _licenses(data: Any) -> Iterator[tuple[str, dict[str, Any], str, bool, Any]]:
    """(path, node, parent key, top, value) of every license value in ``data``."""
    for path, node, parent_key, top in _nodes(data):
        for key, value in node.items():
            if not isinstance(key, str) or last_token(key) not in _LICENSE_KEYS:
                continue
            for i, item in enumerate(value if isinstance(value, list) else [value]):
                yield (f"{path}.{key}" + (f"[{i}]" if isinstance(value, list) else ""),
                       node, parent_key, top, item)


def _raw_value(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in _VALUE_KEYS:
            found = value.get(key)
            if isinstance(found, str) and found.strip():
                _, lic = resolve_value("", found)
                if lic is not None or key == _VALUE_KEYS[-1]:
                    return found
        return next((value[k] for k in _VALUE_KEYS if isinstance(value.get(k), str)), None)
    return value if isinstance(value, str) else None


def _types(node: dict[str, Any]) -> set[str]:
    return {t.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower()
            for t in _as_list(node.get("@type")) if isinstance(t, str)}


def jsonld_script(scan: Any, el: Any) -> None:
    """The ``license`` statements of one ``<script type="application/ld+json">``."""
    scan.jsonld_count += 1
    raw = el.text or ""
    if "icen" not in raw or _LICENSE_KEY.search(raw) is None:
        return  # no "license" key: "licensing" in a value is no statement
    where = f"script[type=ld+json][{scan.jsonld_count}]"
    try:
        data = parse_json(raw)
    except ValueError:
        scan.out.append(LicenseEvidence(
            "jsonld", where, raw.strip()[:SNIPPET_MAX], "", None, SCOPE_PAGE, GRANT, (),
            scan.base, "JSON-LD that mentions a license is not valid JSON", part="head"))
        return
    for path, node, parent_key, top, value in _licenses(data):
        _jsonld_license(scan, where, path, node, parent_key, top, value)


def _jsonld_license(scan: Any, where: str, path: str, node: dict[str, Any], parent_key: str,
                    top: bool, value: Any) -> None:
    raw = _raw_value(value)
    if raw is None:
        return
    url, lic = resolve_value(scan.base, raw)
    types = _types(node)
    assets: tuple[str, ...] = ()
    if types & MEDIA_TYPES:
        scope, note, part = SCOPE_ASSET, f"license of a JSON-LD {'/'.join(sorted(types))}", \
            "image"
        assets = tuple(dict.fromkeys(
            norm_url(scan.url(v)) for k in ("contentUrl", "url", "@id", "embedUrl")
            for v in _as_list(node.get(k)) if isinstance(v, str)))
    elif types & OTHER_TYPES:
        scope, note, part = SCOPE_OTHER, f"license of a JSON-LD {'/'.join(sorted(types))}", \
            "body"
    elif top or parent_key.lower() in _PAGE_KEYS:
        scope, note, part = SCOPE_PAGE, "", "head"
    else:
        scope, note, part = SCOPE_OTHER, f"license of a work the page refers to ({parent_key})", \
            "body"
    snippet = json.dumps({path.rsplit(".", 1)[-1]: value}, ensure_ascii=False)
    creator = _name(node.get("creator") or node.get("author")) or _name(node.get("creditText"))
    scan.out.append(LicenseEvidence("jsonld", f"{where} {path}", snippet[:SNIPPET_MAX], url, lic,
                                    scope, GRANT, assets, scan.base, note, creator, part=part))
    notice = node.get("copyrightNotice")
    if isinstance(notice, str) and notice.strip():
        scan.notice("jsonld", f"{where} {path.rsplit('.', 1)[0]}.copyrightNotice", notice,
                    lt.notice_kind(notice) or lt.COPYRIGHT, scope=scope, assets=assets)


def _names_page(scan: Any, node: dict[str, Any]) -> bool:
    """Does the node's title name the page (most of its words are in the page's title)?"""
    for key in ("title", "headline", "name"):
        title = node.get(key)
        if isinstance(title, str) and title.strip():
            words = {w for _, _, w in tokenize(title[:300])}
            site = scan.site_words()
            return bool(words) and len(words & site) * 3 >= len(words) * 2
    return False


def data_attribute(scan: Any, el: Any, name: str, value: str) -> None:
    """A ``data-*`` attribute that holds a license: JSON props or a plain value."""
    text = value.strip()
    location = f"{scan.ctx(el).path}/@{name}"
    if text[:1] in "{[":
        try:
            data = parse_json(text)
        except ValueError:
            return
        for path, node, _parent, top, item in _licenses(data):
            raw = _raw_value(item)
            if raw is None:
                continue
            url, lic = resolve_value(scan.base, raw)
            if lic is None:
                continue
            page = top and _names_page(scan, node)
            snippet = json.dumps({path.rsplit(".", 1)[-1]: item}, ensure_ascii=False)
            scan.out.append(LicenseEvidence(
                "html:attr", f"{location} {path}", snippet[:SNIPPET_MAX], url, lic,
                SCOPE_PAGE if page else SCOPE_OTHER, GRANT, (), scan.base,
                "license in a component's data: it names the page's title" if page else
                "license in a component's data, for a work that is not the page",
                part="attribute"))
        return
    if "licen" in name.lower():  # data-license="…": read like the element's own text
        url, lic = resolve_value(scan.base, unquote(text) if "%" in text else text)
        if lic is not None:
            scan.emit("html:attr", el, url, lic, explicit=False, note=f"{name} attribute",
                      part="attribute")
