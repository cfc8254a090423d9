# SPDX-License-Identifier: Apache-2.0
"""Mutual TLS (RFC 8705) test world: client certificates issued by the
session's test CA (harness/ca.py) with the clientAuth purpose, self-signed
ones, their thumbprints, and an https oidc-provider with the mtls plugin
(real_as/plugins/mtls.js)."""
import base64
import hashlib
import os
import secrets
import ssl
import subprocess

from . import services

_EXT = """\
[ client ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


def _openssl(cwd, *args):
    res = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True,
                         text=True)
    if res.returncode != 0:
        raise RuntimeError("openssl %s: %s" % (args[0], res.stderr))


def client_cert(env, name, cn):
    """(cert, key) PEM paths: CN=cn signed by the test CA, for clientAuth.
    Made once per session."""
    d = env.cert_dir
    pem, key = os.path.join(d, name + ".pem"), os.path.join(d, name + ".key")
    if os.path.exists(pem):
        return pem, key
    cnf = os.path.join(d, "ca.d", "ca.cnf")
    ext = os.path.join(d, "client-ext.cnf")
    with open(ext, "w") as f:
        f.write(_EXT)
    _openssl(d, "req", "-new", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=" + cn,
             "-config", cnf, "-keyout", key, "-out", name + ".csr")
    _openssl(d, "ca", "-batch", "-notext", "-config", cnf, "-cert",
             "ca.pem", "-keyfile", "ca.key", "-extfile", ext, "-extensions",
             "client", "-days", "30", "-in", name + ".csr", "-out", pem)
    os.chmod(pem, 0o644)
    return pem, key


def self_signed(env, name, cn):
    """(cert, key) PEM paths of a self-signed certificate CN=cn."""
    d = env.cert_dir
    pem, key = os.path.join(d, name + ".pem"), os.path.join(d, name + ".key")
    if not os.path.exists(pem):
        _openssl(d, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                 "ec_paramgen_curve:prime256v1", "-nodes", "-days", "30",
                 "-subj", "/CN=" + cn, "-keyout", key, "-out", pem)
        os.chmod(pem, 0o644)
    return pem, key


def thumbprint(pem_path):
    """RFC 8705 x5t#S256 of a PEM certificate."""
    with open(pem_path) as f:
        der = ssl.PEM_cert_to_DER_cert(f.read())
    return base64.urlsafe_b64encode(
        hashlib.sha256(der).digest()).rstrip(b"=").decode()


def key_body(key_path):
    """The base64 lines of a PEM key: what must never reach a log."""
    with open(key_path) as f:
        return [l.strip() for l in f if l.strip() and "-----" not in l]


class Provider:
    """oidc-provider over https with the mtls plugin. clients: the
    introspecting clients (see mtls.js); app_cert: (cert, key) makes the
    token client (real.client_id) a tls_client_auth client whose tokens are
    bound to that certificate, requested over mutual TLS."""

    def __init__(self, env, name, clients=(), app_cn=None, app_cert=None):
        extra = {"scheme": "https", "tls_ca": env.ca_file,
                 "tls_cert": env.ca.good[0], "tls_key": env.ca.good[1],
                 "mtls_clients": list(clients)}
        if app_cn:
            extra["app_subject_dn"] = "CN=" + app_cn
        self.errfile = os.path.join(env.root, name + ".stderr")
        self.real = services.RealAS(
            env.root, "app-" + secrets.token_urlsafe(12),
            "rs-" + secrets.token_urlsafe(12), plugins=("mtls",),
            extra=extra, name=name, client_cert=app_cert)
        env.add_session_secret(self.real.client_secret, self.real.client_id)
        env.add_session_secret(self.real.rs_secret, self.real.rs_id)

    @property
    def introspection_url(self):
        return self.real.introspection_url

    def introspections(self):
        """(client id, HTTP status) of each introspection call so far."""
        with open(self.errfile, errors="replace") as f:
            out = []
            for line in f:
                if line.startswith("MTLS introspection "):
                    parts = dict(p.split("=", 1)
                                 for p in line.split()[2:4])
                    out.append((parts["client"], int(parts["status"])))
            return out

    def stop(self):
        self.real.stop()
