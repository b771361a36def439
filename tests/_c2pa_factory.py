"""C2PA-signed media made at test time: a two-level ES256 certificate chain, a signer, files.

The certificates are generated with ``cryptography`` for each session (nothing downloaded,
no time-stamp authority): a root CA and a signing certificate with the properties C2PA asks
of one (not a CA; digitalSignature key usage; the emailProtection extended key usage).
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import wave
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SIGNER_ORG = "resemble_nb test camera"
SIGNER_CN = "Test Signer"
GENERATOR = "resemble_nb tests"


def _name(common: str, org: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def _usage(*, sign: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


@dataclass
class ManifestSigner:
    key: ec.EllipticCurvePrivateKey
    chain_pem: str

    def sign(self, source: Path, target: Path, mime: str, title: str) -> Path:
        """Embed a signed manifest in a copy of ``source`` at ``target``."""
        import c2pa

        manifest: dict[str, Any] = {
            "claim_generator_info": [{"name": GENERATOR, "version": "1.0"}],
            "title": title,
            "format": mime,
            "assertions": [
                {
                    "label": "c2pa.actions",
                    "data": {
                        "actions": [
                            {
                                "action": "c2pa.created",
                                "digitalSourceType": "http://cv.iptc.org/newscodes/"
                                "digitalsourcetype/digitalCreation",
                            }
                        ]
                    },
                }
            ],
        }

        def es256(data: bytes) -> bytes:
            return self.key.sign(data, ec.ECDSA(hashes.SHA256()))

        with (
            c2pa.Signer.from_callback(es256, c2pa.C2paSigningAlg.ES256, self.chain_pem, None) as s,
            c2pa.Builder(manifest) as builder,
        ):
            builder.sign_file(str(source), str(target), s)
        return target


def make_signer() -> ManifestSigner:
    now = dt.datetime.now(dt.timezone.utc)
    start, end = now - dt.timedelta(days=1), now + dt.timedelta(days=365)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name("resemble_nb Test Root CA", "resemble_nb tests")
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_usage(sign=False, ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), False)
        .sign(root_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name(SIGNER_CN, SIGNER_ORG))
        .issuer_name(root_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(sign=True, ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False
        )
        .sign(root_key, hashes.SHA256())
    )
    pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (leaf, root))
    return ManifestSigner(key, pem.decode("ascii"))


def png_bytes(size: int = 16, tint: int = 128) -> bytes:
    """A small RGB PNG written with the standard library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    raw = b"".join(
        b"\x00" + b"".join(bytes([x * 16 % 256, y * 16 % 256, tint]) for x in range(size))
        for y in range(size)
    )
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def wav_bytes(seconds: float = 0.5, rate: int = 8000, tone: int = 1) -> bytes:
    """A small mono 16-bit WAV (a square wave, so each ``tone`` gives other content)."""
    frames = int(seconds * rate)
    period = 8 * tone
    samples = b"".join(
        struct.pack("<h", 8000 if (i // period) % 2 else -8000) for i in range(frames)
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples)
    return buffer.getvalue()


def riff_data_offset(data: bytes) -> int:
    """Where a WAV's sample data starts (walking the RIFF chunks, past any C2PA chunk)."""
    at = 12
    while at + 8 <= len(data):
        kind, size = data[at : at + 4], struct.unpack("<I", data[at + 4 : at + 8])[0]
        if kind == b"data":
            return at + 8
        at += 8 + size + (size & 1)
    raise ValueError("no data chunk")


def png_idat_offset(data: bytes) -> int:
    """Where a PNG's first image-data chunk's payload starts."""
    return data.index(b"IDAT") + 4
