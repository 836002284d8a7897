"""Regenerate the C2PA test vectors in this directory (not run by the tests).

Signs the ``base.*`` images (8x8, made once with Pillow) with manifests carrying C2PA / CAWG
training-mining assertions, using a throw-away ES256 certificate chain made here, so the
signatures are valid but untrusted, which is how most real-world manifests look to a crawler.
Needs ``c2pa-python`` and ``cryptography``::

    .venv/bin/python tests/vectors/optout/generate_c2pa.py
"""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

HERE = Path(__file__).resolve().parent
MIME = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}
CREATED = {"label": "c2pa.actions", "data": {"actions": [{
    "action": "c2pa.created",
    "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"}]}}


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Vector Test")])


def _usage(sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, content_commitment=False,
                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                         key_cert_sign=sign, crl_sign=sign, encipher_only=False,
                         decipher_only=False)


def signer() -> c2pa.Signer:
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    end = start + datetime.timedelta(days=36500)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("Vector CA")).issuer_name(_name("Vector CA"))
          .public_key(ca_key.public_key()).serial_number(1)
          .not_valid_before(start).not_valid_after(end)
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(_usage(True), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder().subject_name(_name("Vector Signer")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(2)
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    certs = (leaf.public_bytes(serialization.Encoding.PEM)
             + ca.public_bytes(serialization.Encoding.PEM))
    pkey = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    return c2pa.Signer.from_info(
        c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, certs, pkey, None))


def training(label: str, **uses: str) -> dict[str, Any]:
    prefix = label.split(".")[0]
    return {"label": label, "data": {"entries": {
        f"{prefix}.{entry}": {"use": use} for entry, use in uses.items()}}}


VECTORS: dict[str, list[dict[str, Any]]] = {
    "c2pa_cawg_notallowed.jpg": [training("cawg.training-mining", ai_training="notAllowed",
                                          ai_inference="allowed")],
    "c2pa_c2pa_constrained.png": [training("c2pa.training-mining",
                                           ai_generative_training="constrained",
                                           ai_training="allowed")],
    "c2pa_cawg_allowed.webp": [training("cawg.training-mining", ai_training="allowed",
                                        ai_generative_training="allowed",
                                        data_mining="allowed")],
    "c2pa_cawg_datamining.gif": [training("cawg.training-mining", data_mining="notAllowed")],
    "c2pa_inference_only.jpg": [training("cawg.training-mining", ai_inference="notAllowed")],
    "c2pa_no_training.png": [],
}


def main() -> None:
    context = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}},
                                      "verify": {"remote_manifest_fetch": False,
                                                 "ocsp_fetch": False}})
    sign = signer()
    for name, assertions in VECTORS.items():
        ext = name.rsplit(".", 1)[1]
        manifest = {"claim_generator_info": [{"name": "vector-generator", "version": "1"}],
                    "title": name, "assertions": [CREATED, *assertions]}
        out = io.BytesIO()
        base = (HERE / f"base.{ext}").read_bytes()
        c2pa.Builder(manifest, context=context).sign(sign, MIME[ext], io.BytesIO(base), out)
        (HERE / name).write_bytes(out.getvalue())
        print(name, len(out.getvalue()))


if __name__ == "__main__":
    main()
