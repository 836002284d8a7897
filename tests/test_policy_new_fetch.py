"""The guarded HTTP client of ``crawler policy new``: checked addresses, limits, pacing."""

from __future__ import annotations

import gzip
import itertools
import re
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from conftest import Route, page

from crawler.policy.fetch import AddressRefused, GuardedFetcher

SITE = "127.0.0.105"
AGENT = "compliance-crawler/0 (+mailto:t@example.org)"


def fetcher(**kwargs) -> GuardedFetcher:  # type: ignore[no-untyped-def]
    kwargs.setdefault("allow_private", True)
    return GuardedFetcher(AGENT, **kwargs)


def test_answers_are_cut_at_the_size_limit(serve) -> None:
    big = b"x" * (3 * 1024 * 1024)
    bomb = gzip.compress(b"\0" * (20 * 1024 * 1024))
    server = serve({SITE: {
        "/big": Route(big),
        "/bomb": Route(bomb, headers={"Content-Encoding": "gzip"}),
        "/ok": page("fine"),
    }})
    f = fetcher(max_bytes=1024 * 1024)
    declared = f.get(server.url(SITE, "/big"))  # Content-Length says too much: not read
    assert declared.status == 200 and declared.truncated and declared.body == b""
    assert declared.error == f"declared {len(big)} bytes, more than the limit of 1048576"
    inflated = f.get(server.url(SITE, "/bomb"))  # small on the wire, cut once decoded
    assert inflated.truncated and len(inflated.body) == 1024 * 1024
    ok = f.get(server.url(SITE, "/ok"))
    assert ok.ok and b"fine" in ok.body and not ok.truncated
    assert [h.headers["User-Agent"] for h in server.hits_for(SITE)] == [AGENT] * 3


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts connections, reads the request, never answers."""
    listener = socket.create_server((SITE, 0))
    accepted: list[socket.socket] = []

    def loop() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            accepted.append(conn)

    threading.Thread(target=loop, daemon=True).start()
    yield listener.getsockname()[1]
    listener.close()
    for conn in accepted:
        conn.close()


def test_a_server_that_never_answers_is_cut_off(silent_server: int) -> None:
    f = fetcher(total_timeout=1.0)
    start = time.monotonic()
    found = f.get(f"http://{SITE}:{silent_server}/")
    assert time.monotonic() - start < 5
    assert found.status is None and found.error == "timeout"


def test_names_and_addresses_are_checked_before_anything_is_sent(serve) -> None:
    server = serve({SITE: {"/": page("home")}})
    with pytest.raises(AddressRefused, match=re.escape("127.0.0.105 is a loopback address")):
        fetcher(allow_private=False).get(server.url(SITE, "/"))
    with pytest.raises(AddressRefused, match="'localhost' is a private name"):
        fetcher(allow_private=False).get("http://localhost/")
    # a public name that resolves to private addresses only
    pinned = fetcher(allow_private=False, resolve=lambda host, port: ["10.1.2.3", "::1"])
    with pytest.raises(AddressRefused, match=re.escape(
            "10.1.2.3 is a private address; ::1 is a loopback address")):
        pinned.get("http://docs.example.org/")
    # metadata endpoints never, whatever the operator allows
    metadata = re.escape("169.254.169.254 is a cloud metadata address")
    with pytest.raises(AddressRefused, match=metadata):
        fetcher(resolve=lambda host, port: ["169.254.169.254"]).get("http://meta.example/")
    assert server.hits_for(SITE) == []


def test_the_checked_address_is_the_one_connected_to(serve) -> None:
    """A name is resolved once; the request goes to the checked address with the name in
    the Host header (no second lookup)."""
    server = serve({SITE: {"/": page("home")}})
    lookups: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["169.254.169.254", SITE]  # the bad one is dropped, not tried

    found = fetcher(resolve=resolve).get(f"http://docs.example.org:{server.port}/")
    assert found.ok and found.address == SITE and lookups == ["docs.example.org"]
    [hit] = server.hits_for(SITE)
    assert hit.headers["Host"] == f"docs.example.org:{server.port}"


def test_the_connected_peer_is_checked_again(serve) -> None:
    """Whatever led to a connection, its peer address is checked before the request."""
    server = serve({SITE: {"/": page("home")}})
    guarded = fetcher(allow_private=False)
    found = guarded._get_from(server.url(SITE, "/"), "http", SITE, server.port, SITE, "/",
                              {"Host": SITE, "User-Agent": AGENT})
    assert found.status is None
    assert found.error == "address refused: 127.0.0.105 is a loopback address"
    assert server.hits_for(SITE) == []


def test_requests_are_spaced_by_the_gap(serve) -> None:
    server = serve({SITE: {"/": page("home")}})
    f = fetcher()
    f.set_gap(0.2)  # never below one second
    assert f.gap == 1.0
    f.set_gap(1.3)
    for _ in range(3):
        f.get(server.url(SITE, "/"))
    times = [h.time for h in server.hits_for(SITE)]
    assert all(b - a >= 1.25 for a, b in itertools.pairwise(times)), times
    assert f.get("ftp://x/").error == "not an http(s) URL"


def _self_signed(tmp_path, name: str):  # type: ignore[no-untyped-def]
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_https_verifies_the_name_while_connecting_to_the_checked_address(
        tmp_path, monkeypatch, serve) -> None:  # type: ignore[no-untyped-def]
    import ssl

    cert_file, key_file = _self_signed(tmp_path, "docs.example.org")
    server = serve({SITE: {"/": page("secure home")}})
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    for listener in server._servers:
        listener.socket = context.wrap_socket(listener.socket, server_side=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))  # trust this test's certificate
    pinned = fetcher(resolve=lambda host, port: [SITE])
    found = pinned.get(f"https://docs.example.org:{server.port}/")
    assert found.ok and b"secure home" in found.body, found.error
    # the same server by address: the certificate does not name it
    mismatch = fetcher().get(f"https://{SITE}:{server.port}/")
    assert mismatch.status is None and mismatch.error.startswith("TLS: "), mismatch.error
    [hit] = server.hits_for(SITE)
    assert hit.headers["Host"] == f"docs.example.org:{server.port}"
