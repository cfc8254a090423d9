# SPDX-License-Identifier: Apache-2.0
"""What an attacker who can write to the shared cache, and knows everything
but AuthIntrospectCacheSecret, can compute: lookup keys and sealed entries
in the module's own layouts (src/pure/digest.c, src/pure/cache_entry.c), with the
secret guessed. Debian's python3-cryptography does the AES-GCM and HKDF.
"""
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


# mod_socache_redis (and _memcache) store a key under this prefix (the
# module's socache namespace) and the key's hex digits.
PREFIX = b"mod_auth_introspect:"


def redis_key(lookup_key):
    """The key under which the socache provider stores LOOKUP_KEY."""
    return PREFIX + lookup_key.hex().encode()


def lookup_key(redis_key):
    """The module's 32-byte lookup key from a key seen in Redis."""
    assert redis_key.startswith(PREFIX), redis_key
    return bytes.fromhex(redis_key[len(PREFIX):].decode())


def _field_v1(s):
    b = (s or "").encode()
    return struct.pack(">Q", len(b)) + b


def _field_v2(s):
    if s is None:
        return b"\0" + struct.pack(">I", 0)
    b = s.encode()
    return b"\1" + struct.pack(">I", len(b)) + b


def key_v1(endpoint, client_id, token):
    """The lookup key before AuthIntrospectCacheSecret: public inputs."""
    return hashlib.sha256(b"mod_auth_introspect cache key v1"
                          + _field_v1(endpoint) + _field_v1(client_id)
                          + _field_v1(token)).digest()


def key_v2(secret, endpoint, client_id, token, tls_verify=True,
           ca_file=None, hint="access_token"):
    """The lookup key under SECRET (bytes)."""
    msg = (b"mai cache key v2" + (b"\1" if tls_verify else b"\0")
           + _field_v2(endpoint) + _field_v2(client_id) + _field_v2(ca_file)
           + _field_v2(hint) + hashlib.sha256(token.encode()).digest())
    return hmac.new(secret, msg, hashlib.sha256).digest()


def _seal(version, aes_key, lookup_key, active, fetched_at, json_text):
    nonce = os.urandom(12)
    plain = bytes([1 if active else 0]) + struct.pack(">q", fetched_at) \
        + json_text.encode()
    ct = AESGCM(aes_key).encrypt(nonce, plain,
                                 bytes([version]) + lookup_key)
    return bytes([version]) + nonce + ct


def seal_v1(token, lookup_key, active, fetched_at, json_text):
    """An entry as the module sealed them before the cache secret: the
    key from the token alone."""
    k = HKDF(algorithm=hashes.SHA256(), length=32,
             salt=b"mod_auth_introspect entry v1",
             info=b"aes-256-gcm key").derive(token.encode())
    return _seal(1, k, lookup_key, active, fetched_at, json_text)


def seal_v2(secret, token, lookup_key, active, fetched_at, json_text):
    """An entry as the module sealed them before version 3 (still read),
    sealed with SECRET (bytes)."""
    k = HKDF(algorithm=hashes.SHA256(), length=32, salt=secret,
             info=b"mod_auth_introspect entry v2 aes-256-gcm key"
             ).derive(token.encode())
    return _seal(2, k, lookup_key, active, fetched_at, json_text)


def seal_v3(secret, token, lookup_key, active, fetched_at, json_text):
    """An entry as the module sealed them before version 4 (still read),
    sealed with SECRET (bytes): the key is HMAC-SHA256(secret, label NUL ||
    SHA-256(token))."""
    k = hmac.new(secret, b"mai entry key v3\0"
                 + hashlib.sha256(token.encode()).digest(),
                 hashlib.sha256).digest()
    return _seal(3, k, lookup_key, active, fetched_at, json_text)


def seal_v4(secret, token, lookup_key, active, fetched_at, json_text):
    """An entry in today's layout, sealed with SECRET (bytes): the key is
    RFC 8452's key derivation under the key-generating key
    HMAC-SHA256(secret, label): block i is i (4 bytes little-endian) and
    the first 12 bytes of SHA-256(token), the key the first 8 bytes of
    each of the four blocks' AES-256 encryptions."""
    kgk = hmac.new(secret, b"mai entry key-generating key v4",
                   hashlib.sha256).digest()
    th = hashlib.sha256(token.encode()).digest()
    enc = Cipher(algorithms.AES(kgk), modes.ECB()).encryptor()
    out = enc.update(b"".join(struct.pack("<I", i) + th[:12]
                              for i in range(4))) + enc.finalize()
    k = b"".join(out[16 * i:16 * i + 8] for i in range(4))
    return _seal(4, k, lookup_key, active, fetched_at, json_text)
