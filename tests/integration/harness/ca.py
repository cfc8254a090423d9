# SPDX-License-Identifier: Apache-2.0
"""A throw-away test CA made with the openssl CLI at session start.

Certificates (all PEM, keys unencrypted):
  ca.pem                     the test CA (httpd's AuthIntrospectTLSCAFile)
  good.pem / good.key        SAN IP:127.0.0.1, DNS:localhost, valid now
  wronghost.pem / .key       SAN DNS:wrong.example only
  expired.pem / .key         SAN as good, but expired in 2020
  other-ca.pem               a second CA that signed nothing we serve
  untrusted.pem / .key       good names, signed by other-ca (unknown to ca.pem)
"""
import os
import subprocess

OPENSSL = "openssl"

_CA_CNF = """\
[ ca ]
default_ca = testca
[ testca ]
dir = {dir}
database = {dir}/index.txt
new_certs_dir = {dir}/newcerts
serial = {dir}/serial
default_md = sha256
policy = policy_any
copy_extensions = copy
unique_subject = no
[ policy_any ]
commonName = supplied
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = placeholder
[ v3_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_leaf ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


def _run(*args, cwd):
    res = subprocess.run([OPENSSL, *args], cwd=cwd, capture_output=True,
                         text=True)
    if res.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (args[0], res.stderr))


class TestCA:
    """Make the CA and certificates in DIRECTORY (which must exist)."""

    def __init__(self, directory):
        self.dir = directory
        self._setup("ca")
        self._setup("other-ca")
        self.ca = self._make_ca("ca", "mai test CA")
        self.other_ca = self._make_ca("other-ca", "mai other CA")
        good_san = "IP:127.0.0.1,DNS:localhost"
        self.good = self._leaf("ca", "good", "localhost", good_san)
        self.wronghost = self._leaf("ca", "wronghost", "wrong.example",
                                    "DNS:wrong.example")
        self.expired = self._leaf("ca", "expired", "localhost", good_san,
                                  start="20200101000000Z",
                                  end="20200201000000Z")
        self.untrusted = self._leaf("other-ca", "untrusted", "localhost",
                                    good_san)

    def path(self, name):
        return os.path.join(self.dir, name)

    def _setup(self, name):
        d = self.path(name + ".d")
        os.makedirs(os.path.join(d, "newcerts"), exist_ok=True)
        open(os.path.join(d, "index.txt"), "w").close()
        with open(os.path.join(d, "serial"), "w") as f:
            f.write("1000\n")
        with open(os.path.join(d, "ca.cnf"), "w") as f:
            f.write(_CA_CNF.format(dir=d))

    def _make_ca(self, name, cn):
        cnf = self.path(name + ".d/ca.cnf")
        _run("req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-days", "3650",
             "-subj", "/CN=" + cn, "-config", cnf, "-extensions", "v3_ca",
             "-keyout", name + ".key", "-out", name + ".pem", cwd=self.dir)
        return self.path(name + ".pem")

    def _leaf(self, ca, name, cn, san, start=None, end=None):
        """Issue a leaf with `openssl ca`, which (unlike `x509 -req` in
        OpenSSL 3.0) can set any validity window, including a past one."""
        cnf = self.path(ca + ".d/ca.cnf")
        _run("req", "-new", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=" + cn,
             "-addext", "subjectAltName=" + san, "-config", cnf,
             "-keyout", name + ".key", "-out", name + ".csr", cwd=self.dir)
        args = ["ca", "-batch", "-notext", "-config", cnf,
                "-cert", ca + ".pem", "-keyfile", ca + ".key",
                "-extensions", "v3_leaf", "-in", name + ".csr",
                "-out", name + ".pem"]
        if start:
            args += ["-startdate", start, "-enddate", end]
        else:
            args += ["-days", "30"]
        _run(*args, cwd=self.dir)
        return (self.path(name + ".pem"), self.path(name + ".key"))
