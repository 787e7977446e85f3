"""PAdES signatures on certificate PDFs (pyHanko).

The institution's key comes from a PKCS#12 file (``LENTERA_SIGNING_P12``,
passphrase in ``LENTERA_SIGNING_PASSPHRASE``). Without one, a development
key and self-signed certificate are created on first use in
``LENTERA_DATA_DIR/signing/development.pem`` (mode 0600) and every PDF says
on its face that it carries a development signature (see
:attr:`SigningKey.development`).

Signatures are PAdES baseline B-B (``ETSI.CAdES.detached``, SHA-256) with an
invisible signature field; the visible statement on the page is printed by
the renderer. Any byte changed after signing breaks the signature; anything
appended (an incremental update) leaves it intact but no longer covering the
whole file, which :func:`check_signature` reports as altered too.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import io
import logging
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

log = logging.getLogger("lentera.certificates")


DEV_KEY_FILE = "development.pem"
DEV_COMMON_NAME = "Lentera - tanda tangan pengembangan (bukan untuk produksi)"
FIELD_NAME = "TandaTanganLentera"

_lock = threading.Lock()
_cache: dict[tuple, "SigningKey"] = {}


class SigningError(RuntimeError):
    """The signing key cannot be loaded or used; ``str(error)`` is Indonesian."""


@dataclass(frozen=True)
class SigningKey:
    """A loaded signer.

    :ivar signer: the pyHanko ``SimpleSigner``.
    :ivar certificate: the signing certificate (``asn1crypto.x509.Certificate``).
    :ivar chain: further certificates from the PKCS#12 file (issuers).
    :ivar subject: human-readable subject of the signing certificate.
    :ivar fingerprint: SHA-256 of the certificate's DER bytes (hex).
    :ivar development: True for the generated development key.
    """

    signer: object
    certificate: object
    chain: tuple
    subject: str
    fingerprint: str
    development: bool


@dataclass(frozen=True)
class SignatureCheck:
    """Result of :func:`check_signature` on one PDF.

    ``genuine`` is True only when there is exactly one signature, it is
    cryptographically intact and valid, it covers the whole file, and it was
    made with ``key``'s certificate. ``reason`` is an Indonesian explanation
    when it is not.
    """

    genuine: bool
    reason: str
    signer_fingerprint: str | None = None
    signed_at: _dt.datetime | None = None


def _fingerprint(cert) -> str:
    return hashlib.sha256(cert.dump()).hexdigest()


def _make_development_pem(institution: str) -> bytes:
    """A new ECDSA P-256 key and a 5-year self-signed certificate, as one PEM
    (P-256: created in milliseconds, verified by pdfsig/NSS and pyHanko)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, DEV_COMMON_NAME),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, institution[:64] or "Lentera"),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
    ])
    now = _dt.datetime.now(_dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _dt.timedelta(minutes=5))
        .not_valid_after(now + _dt.timedelta(days=5 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return (key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption())
            + cert.public_bytes(serialization.Encoding.PEM))


def _development_pem_path() -> Path:
    """Create the development key once (atomically, 0600) and return its path.

    Concurrent first uses (threads or processes) race with ``os.link``, which
    fails if the file exists: the loser discards its key and uses the winner's,
    so every signature is made with the one certificate on disk.
    """
    folder = Path(current_app.config["LENTERA_DATA_DIR"]).resolve() / "signing"
    path = folder / DEV_KEY_FILE
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = folder / f".{DEV_KEY_FILE}.{secrets.token_hex(8)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(_make_development_pem(current_app.config["LENTERA_INSTITUTION"]))
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
            log.warning("created a development signing key at %s; configure LENTERA_SIGNING_P12 "
                        "for production", path)
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _describe(cert) -> str:
    return cert.subject.human_friendly[:300]


def load_signing_key() -> SigningKey:
    """The configured signer, loaded once per process (reloaded when the file changes).

    :raises SigningError: the PKCS#12 file is missing, unreadable, or the
        passphrase is wrong (message in Indonesian, without the passphrase).
    """
    from pyhanko.sign import signers

    config = current_app.config
    p12 = config.get("LENTERA_SIGNING_P12")
    if p12:
        path = Path(p12)
        try:
            stamp = ("p12", str(path.resolve()), path.stat().st_mtime_ns)
        except OSError as error:
            raise SigningError(f"Berkas kunci tanda tangan LENTERA_SIGNING_P12 tidak dapat dibaca: {path}") from error
        development = False
    else:
        path = _development_pem_path()
        stamp = ("dev", str(path), path.stat().st_mtime_ns)
        development = True
    with _lock:
        cached = _cache.get(stamp)
        if cached is not None:
            return cached
        try:
            if development:
                signer = signers.SimpleSigner.load(str(path), str(path))
            else:
                passphrase = config.get("LENTERA_SIGNING_PASSPHRASE")
                signer = signers.SimpleSigner.load_pkcs12(
                    str(path), passphrase=passphrase.encode("utf-8") if passphrase else None)
        except Exception:  # wrong passphrase, damaged file: never echo the passphrase
            log.exception("signing key %s could not be loaded", path)
            signer = None
        if signer is None:
            raise SigningError("Kunci tanda tangan tidak dapat dimuat: periksa berkas LENTERA_SIGNING_P12 "
                               "dan LENTERA_SIGNING_PASSPHRASE.")
        cert = signer.signing_cert
        chain = tuple(c for c in signer.cert_registry if _fingerprint(c) != _fingerprint(cert))
        key = SigningKey(signer=signer, certificate=cert, chain=chain, subject=_describe(cert),
                         fingerprint=_fingerprint(cert), development=development)
        _cache[stamp] = key
        return key


def sign_pdf(data: bytes, key: SigningKey, *, reason: str, location: str) -> bytes:
    """Sign ``data`` (a complete PDF) and return the signed PDF bytes.

    PAdES B-B with SHA-256, invisible field :data:`FIELD_NAME`. ``reason``
    and ``location`` go into the signature dictionary.

    :raises SigningError: pyHanko could not sign (damaged input, unusable key).
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason, location=location, name=key.subject,
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        # A fixed reservation skips pyHanko's trial signature (halves the time):
        # room for the certificates plus the CMS structure and signature value.
        reserved = 4096 + sum(len(c.dump()) for c in (key.certificate, *key.chain))
        out = signers.sign_pdf(writer, meta, signer=key.signer, bytes_reserved=reserved + reserved % 2)
    except Exception as error:  # pyHanko raises many types; the cause is logged by the caller
        raise SigningError(f"PDF tidak dapat ditandatangani: {error}") from error
    return out.getvalue()


def check_signature(data: bytes, key: SigningKey) -> SignatureCheck:
    """Validate the embedded signature of ``data`` against ``key``'s certificate.

    Never raises for bad input: a file that is not a PDF, has no signature,
    several signatures, a broken or partial one, or another signer gives
    ``genuine=False`` with the reason.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception:
        return SignatureCheck(False, N_("Berkas bukan PDF yang dapat dibaca."))
    if not signatures:
        return SignatureCheck(False, N_("Berkas tidak memuat tanda tangan elektronik."))
    if len(signatures) != 1:
        return SignatureCheck(False, N_("Berkas memuat lebih dari satu tanda tangan."))
    embedded = signatures[0]
    try:
        signer_cert = embedded.signer_cert
        fingerprint = _fingerprint(signer_cert)
    except Exception:
        return SignatureCheck(False, N_("Tanda tangan elektronik pada berkas rusak."))
    if fingerprint != key.fingerprint:
        return SignatureCheck(False, N_("Tanda tangan elektronik bukan dari instansi ini."), fingerprint)
    context = ValidationContext(trust_roots=[key.certificate, *key.chain], allow_fetching=False)
    try:
        status = validate_pdf_signature(
            embedded, context,
            key_usage_settings=KeyUsageConstraints(key_usage={"digital_signature"}, match_all_key_usages=False))
    except Exception:
        return SignatureCheck(False, N_("Tanda tangan elektronik pada berkas rusak."), fingerprint)
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    if not (status.intact and status.valid):
        return SignatureCheck(False, N_("Isi berkas telah diubah setelah ditandatangani."), fingerprint)
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return SignatureCheck(False, N_("Berkas telah ditambah atau diubah setelah ditandatangani."), fingerprint)
    if not status.trusted:
        return SignatureCheck(False, N_("Sertifikat penanda tangan tidak dipercaya."), fingerprint)
    return SignatureCheck(True, N_("Tanda tangan elektronik sah dan berkas utuh."), fingerprint,
                          status.signer_reported_dt)
from app.common.i18n import N_
