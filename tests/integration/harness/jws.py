# SPDX-License-Identifier: Apache-2.0
"""JWS, JWE and JWK made in the tests with python3-cryptography, so the
module is checked against signatures it did not make itself, including
the hostile ones no library would produce (alg none, HMAC keyed with a
public key, a tampered signature)."""
import base64
import hashlib
import hmac
import json
import os

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def b64u(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int(n, size=None):
    size = size or (n.bit_length() + 7) // 8
    return b64u(n.to_bytes(size, "big"))


class Key:
    """A signing key with its kid: RSA (RS256/PS256) or EC (ES256...)."""

    CURVES = {"ES256": (ec.SECP256R1, 32, hashes.SHA256),
              "ES384": (ec.SECP384R1, 48, hashes.SHA384),
              "ES512": (ec.SECP521R1, 66, hashes.SHA512)}

    def __init__(self, kid, kind="RSA", bits=2048):
        self.kid = kid
        self.kind = kind
        if kind == "RSA":
            self.priv = rsa.generate_private_key(65537, bits)
        else:
            self.priv = ec.generate_private_key(self.CURVES[kind][0]())

    def public_jwk(self):
        pub = self.priv.public_key().public_numbers()
        if self.kind == "RSA":
            return {"kty": "RSA", "kid": self.kid, "use": "sig",
                    "n": _int(pub.n), "e": _int(pub.e)}
        size = self.CURVES[self.kind][1]
        crv = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}
        return {"kty": "EC", "kid": self.kid, "use": "sig",
                "crv": crv[self.kind], "x": _int(pub.x, size),
                "y": _int(pub.y, size)}

    def private_jwk(self):
        """The key with its private members (for oidc-provider's
        keystore)."""
        jwk = self.public_jwk()
        del jwk["use"]
        num = self.priv.private_numbers()
        if self.kind == "RSA":
            jwk.update(d=_int(num.d), p=_int(num.p), q=_int(num.q),
                       dp=_int(num.dmp1), dq=_int(num.dmq1),
                       qi=_int(num.iqmp))
        else:
            jwk["d"] = _int(num.private_value, self.CURVES[self.kind][1])
        return jwk

    def public_pem(self):
        return self.priv.public_key().public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo)

    def sign(self, alg, data):
        if alg.startswith("RS"):
            h = getattr(hashes, "SHA" + alg[2:])()
            return self.priv.sign(data, padding.PKCS1v15(), h)
        if alg.startswith("PS"):
            h = getattr(hashes, "SHA" + alg[2:])()
            return self.priv.sign(data, padding.PSS(
                padding.MGF1(h), h.digest_size), h)
        _, size, h = self.CURVES[alg]
        der = self.priv.sign(data, ec.ECDSA(h()))
        r, s = utils.decode_dss_signature(der)
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def jwks(*keys):
    return {"keys": [k.public_jwk() for k in keys]}


def compact(header, claims, key=None, alg=None, hmac_secret=None):
    """header.payload.signature: signed by KEY with ALG (header's alg by
    default), by HMAC-SHA256 under HMAC_SECRET, or unsigned (empty
    signature) when neither is given."""
    head = b64u(json.dumps(header))
    body = claims if isinstance(claims, str) else json.dumps(claims)
    data = (head + "." + b64u(body)).encode()
    if hmac_secret is not None:
        sig = hmac.new(hmac_secret, data, hashlib.sha256).digest()
    elif key is not None:
        sig = key.sign(alg or header["alg"], data)
    else:
        sig = b""
    return data.decode() + "." + b64u(sig)


def jwe(key, plaintext):
    """A compact JWE (RSA-OAEP, A256GCM) to KEY's public half."""
    header = b64u(json.dumps({"alg": "RSA-OAEP", "enc": "A256GCM",
                              "kid": key.kid}))
    cek = os.urandom(32)
    iv = os.urandom(12)
    wrapped = key.priv.public_key().encrypt(cek, padding.OAEP(
        padding.MGF1(hashes.SHA1()), hashes.SHA1(), None))
    sealed = AESGCM(cek).encrypt(iv, plaintext.encode(), header.encode())
    return ".".join([header, b64u(wrapped), b64u(iv), b64u(sealed[:-16]),
                     b64u(sealed[-16:])])
