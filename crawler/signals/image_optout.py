"""Opt-out statements embedded in an image file (signals.md §B): XMP ``plus:DataMining`` and
C2PA / CAWG ``training-mining``.

XMP ``plus:DataMining`` ``DMI-PROHIBITED*`` → opt-out, ``DMI-ALLOWED`` → allowed,
``DMI-UNSPECIFIED`` or any other value → unknown (signals.md); an image without the property
says nothing. A present XMP packet that cannot be parsed → unknown. C2PA / CAWG
``training-mining`` assertions are read with ``c2pa-python`` (only when the container holds a
manifest store; no network: remote manifests and OCSP are off) from every manifest in the store
(ingredients included: their content is in the image); ``ai_training``,
``ai_generative_training`` and ``data_mining`` entries with ``notAllowed`` or ``constrained`` →
opt-out, ``allowed`` → allowed, any other ``use`` → unknown. The signature's trust is not
required for an opt-out to count. A manifest that cannot be read, a training-mining assertion
the validator reports unreadable (its CBOR would otherwise simply be missing), or
``c2pa-python`` missing → unknown.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from typing import Any

from crawler.signals.optout_types import (
    ALLOWED,
    OPTOUT,
    SCOPE_ALL,
    SNIPPET_MAX,
    UNKNOWN,
    OptOutSignal,
    snip,
)
from crawler.signals.xmp import parse_xmp, scan_container

__all__ = ["image_signals"]


def _data_mining_state(value: str) -> str:
    code = value.strip().rstrip("/").rsplit("/", 1)[-1].upper()
    if code.startswith("DMI-PROHIBITED"):
        return OPTOUT
    if code == "DMI-ALLOWED":
        return ALLOWED
    return UNKNOWN  # DMI-UNSPECIFIED (signals.md) and anything unrecognised


def _xmp_signals(packets: Sequence[bytes], fmt: str | None) -> list[OptOutSignal]:
    found: list[OptOutSignal] = []
    where = f"XMP in {fmt or 'file'}"
    for n, packet in enumerate(packets, start=1):
        fields = parse_xmp(packet)
        location = f"{where} (packet {n})" if len(packets) > 1 else where
        for value in fields.data_mining:
            found.append(OptOutSignal("xmp-plus-datamining", _data_mining_state(value),
                                      SCOPE_ALL, snip(value), location + " plus:DataMining",
                                      {"value": value[:SNIPPET_MAX]}))
        if fields.malformed:
            found.append(OptOutSignal(
                "xmp-plus-datamining", UNKNOWN, SCOPE_ALL,
                snip(packet[:SNIPPET_MAX].decode("utf-8", "replace")), location,
                {"error": "the XMP packet cannot be parsed"}))
    return found


_TRAINING_MINING_RE = re.compile(r"(?:c2pa|cawg)\.training-mining(?:\.v\d+)?")
_TRAINING_ENTRIES = ("ai_training", "ai_generative_training", "data_mining")
# Validation stays on (it is what reports an assertion whose CBOR cannot be read, which would
# otherwise just be missing from the store); trust lists are not consulted and nothing is
# fetched.
_C2PA_SETTINGS = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False,
                             "verify_trust": False, "verify_timestamp_trust": False}}
_c2pa_context: Any = None


def _c2pa_read(body: bytes, mime: str | None) -> dict[str, Any] | None:
    """The manifest store of an image as JSON (None: no manifest). Raises on failure."""
    global _c2pa_context
    import c2pa  # c2pa-python; imported lazily: a 20 MB native library

    if _c2pa_context is None:
        _c2pa_context = c2pa.Context.from_dict(_C2PA_SETTINGS)
    reader = c2pa.Reader.try_create(mime or "", io.BytesIO(body), context=_c2pa_context)
    if reader is None:
        return None
    try:
        store = json.loads(reader.json())
    finally:
        reader.close()
    return store if isinstance(store, dict) else {}


def _c2pa_entry_state(use: object) -> str:
    if use in ("notAllowed", "constrained"):
        return OPTOUT
    if use == "allowed":
        return ALLOWED
    return UNKNOWN


def _c2pa_unreadable(store: dict[str, Any], mime: str | None) -> list[OptOutSignal]:
    """Unknown signals for training-mining assertions the validator could not read (a hash
    mismatch alone still leaves a readable statement, which is read below)."""
    found: list[OptOutSignal] = []
    statuses = store.get("validation_status")
    for status in statuses if isinstance(statuses, list) else ():
        if not isinstance(status, dict):
            continue
        code, url = str(status.get("code", "")), str(status.get("url", ""))
        if "training-mining" in url and not code.endswith(".mismatch"):
            found.append(OptOutSignal("c2pa-training-mining", UNKNOWN, SCOPE_ALL,
                                      snip(f"{code}: {url}"), f"C2PA in {mime or 'file'}",
                                      {"error": code}))
    return found


def _c2pa_signals(body: bytes, mime: str | None) -> list[OptOutSignal]:
    try:
        store = _c2pa_read(body, mime)
    except ImportError:
        return [OptOutSignal("c2pa-training-mining", UNKNOWN, SCOPE_ALL, "C2PA manifest store",
                             f"C2PA in {mime or 'file'}",
                             {"error": "c2pa-python is not installed"})]
    except Exception as exc:  # the native reader's errors (C2paError and kin)
        return [OptOutSignal("c2pa-training-mining", UNKNOWN, SCOPE_ALL, "C2PA manifest store",
                             f"C2PA in {mime or 'file'}",
                             {"error": f"{type(exc).__name__}: {exc}"[:300]})]
    if not store:
        return []
    found = _c2pa_unreadable(store, mime)
    manifests = store.get("manifests")
    if not isinstance(manifests, dict):
        return found
    active = store.get("active_manifest")
    for label, manifest in manifests.items():
        assertions = manifest.get("assertions") if isinstance(manifest, dict) else None
        for assertion in assertions if isinstance(assertions, list) else ():
            if not isinstance(assertion, dict):
                continue
            alabel = assertion.get("label")
            if not isinstance(alabel, str) or not _TRAINING_MINING_RE.fullmatch(alabel):
                continue
            data = assertion.get("data")
            entries = data.get("entries") if isinstance(data, dict) else None
            location = (f"C2PA manifest {label}{' (active)' if label == active else ''} "
                        f"{alabel}")
            if not isinstance(entries, dict):
                found.append(OptOutSignal("c2pa-training-mining", UNKNOWN, SCOPE_ALL,
                                          snip(json.dumps(data)), location,
                                          {"error": "no entries"}))
                continue
            for key, entry in entries.items():
                if not isinstance(key, str) or key.rpartition(".")[2] not in _TRAINING_ENTRIES:
                    continue
                use = entry.get("use") if isinstance(entry, dict) else None
                found.append(OptOutSignal(
                    "c2pa-training-mining", _c2pa_entry_state(use), SCOPE_ALL,
                    snip(f"{key}: {json.dumps(entry, ensure_ascii=False)}"), location,
                    {"entry": key, "use": str(use), "manifest": str(label)}))
    return found


def image_signals(body: bytes) -> list[OptOutSignal]:
    """Opt-out statements embedded in an image file (XMP plus:DataMining, C2PA/CAWG
    training-mining). An image that states nothing yields no signal."""
    scan = scan_container(body)
    found = _xmp_signals(scan.xmp, scan.format)
    if scan.c2pa:
        found += _c2pa_signals(body if isinstance(body, bytes) else bytes(body), scan.format)
    return found
