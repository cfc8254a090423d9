# SPDX-License-Identifier: Apache-2.0
"""Configuration checked at startup: httpd refuses to start on a broken
config and names what is wrong; good configs start."""
import os
import secrets
import subprocess

import pytest

from harness import asserts, logtags


def _loc(env, path, *lines, endpoint=True, creds=True):
    body = ["AuthType Bearer", 'AuthName "cfg"']
    if endpoint is True:
        body.append("AuthIntrospectEndpoint " + env.mock_url())
    elif endpoint:
        body.append("AuthIntrospectEndpoint " + endpoint)
    if creds:
        body += ["AuthIntrospectClientID " + env.client_id,
                 env.secret_line(env.client_secret)]
    body += list(lines)
    body.append("Require valid-user")
    return "<Location %s>\n%s\n</Location>\n" % (
        path, "\n".join("    " + l for l in body))


@pytest.fixture(autouse=True)
def _module_present(env):
    if not os.path.exists(env.module_so):
        pytest.fail("module not built: %s is missing" % env.module_source,
                    pytrace=False)


def _refused(res, errlog, env):
    """httpd did not start; its output keeps every secret to itself."""
    assert not res.ok, res
    for s in env.session_secrets:
        assert s not in res.text, "a secret appears in the startup output"
    return res.text


def _started(res):
    assert res.ok, res


class TestRefusedConfigs:
    """No conf(): each test starts httpd itself."""

    def test_missing_endpoint_names_location(self, httpd, env, errlog):
        errlog.expect(logtags.CONFIG_ERROR, r"cfg-missing")
        res = httpd.try_start(_loc(env, "/cfg-missing/", endpoint=None))
        assert "/cfg-missing/" in _refused(res, errlog, env)

    def test_missing_endpoint_in_directory_names_it(self, httpd, env,
                                                    errlog):
        errlog.expect(logtags.CONFIG_ERROR, r"htdocs/dir")
        body = ('<Directory "%s/dir">\n    AuthType Bearer\n'
                '    AuthName "d"\n    Require valid-user\n</Directory>\n'
                % env.htdocs)
        res = httpd.try_start(body)
        assert "%s/dir" % env.htdocs in _refused(res, errlog, env)

    @pytest.mark.parametrize("url", [
        "http://as.example.com/introspect",
        "http://10.0.0.1/introspect",
        "http://192.168.1.1:8080/introspect",
        "http://127.0.0.1.evil.test/introspect",
        "http://localhost.evil.test/introspect",
        "http://[2001:db8::1]/introspect",
        "http://user:pw@127.0.0.1/introspect",
        "https://as.example.com/introspect#frag",
        "ftp://127.0.0.1/introspect",
        "127.0.0.1/introspect",
    ], ids=["remote-name", "private-ip", "private-ip-port", "loopback-prefix",
            "localhost-prefix", "remote-ipv6", "userinfo", "fragment", "ftp",
            "no-scheme"])
    def test_bad_endpoint_refused(self, httpd, env, errlog, url):
        errlog.expect(logtags.CONFIG_ERROR, r"AuthIntrospectEndpoint")
        _refused(httpd.try_start(_loc(env, "/cfg/", endpoint=url)), errlog,
                 env)

    @pytest.mark.parametrize("line", [
        "AuthIntrospectClientAuth client_secret_jwx",
        "AuthIntrospectTLSVerify maybe",
        "AuthIntrospectTimeout 0",
        "AuthIntrospectTimeout -1",
        "AuthIntrospectTimeout 3601",
        "AuthIntrospectTimeout abc",
        "AuthIntrospectTimeout 5 0",
        "AuthIntrospectClockSkew -5",
        "AuthIntrospectClockSkew x",
        "AuthIntrospectCacheTTL -1",
        "AuthIntrospectNegativeCacheTTL ten",
        "AuthIntrospectSetEnv perhaps",
        "AuthIntrospectSetHeaders 2",
        "AuthIntrospectAcceptTokenIn body",
        "AuthIntrospectAcceptTokenIn cookie:",
        "AuthIntrospectClientSecret env:MAI_TEST_NO_SUCH_VARIABLE",
        "AuthIntrospectClientSecret file:/nonexistent/mai/secret",
    ])
    def test_bad_value_refused(self, httpd, env, errlog, line):
        errlog.expect(logtags.CONFIG_ERROR, r"AuthIntrospect\w+")
        _refused(httpd.try_start(_loc(env, "/cfg/", line)), errlog, env)

    def test_cache_directive_only_in_server_config(self, httpd, env, errlog):
        errlog.expect(logtags.CONFIG_ERROR, r"AuthIntrospectCache")
        res = httpd.try_start(_loc(env, "/cfg/", "AuthIntrospectCache shmcb"))
        _refused(res, errlog, env)

    def test_cache_provider_module_not_loaded(self, httpd, env, errlog):
        errlog.expect(logtags.CONFIG_ERROR, r"socache_redis|redis")
        res = httpd.try_start("AuthIntrospectCache redis:127.0.0.1:6379\n"
                              + _loc(env, "/cfg/"))
        assert "socache_redis" in _refused(res, errlog, env)

    def test_cache_provider_unknown(self, httpd, env, errlog):
        errlog.expect(logtags.CONFIG_ERROR, r"AuthIntrospectCache|bogus")
        res = httpd.try_start("AuthIntrospectCache bogus:1\n"
                              + _loc(env, "/cfg/"))
        _refused(res, errlog, env)


class TestAcceptedConfigs:
    @pytest.mark.parametrize("url", [
        "http://127.0.0.1:9/introspect",
        "http://127.8.9.10/introspect",
        "http://localhost:9/introspect",
        "http://LOCALHOST:9/introspect",
        "http://[::1]:9/introspect",
        "https://as.example.com/introspect",
        "https://as.example.com:8443/oauth2/introspect?tenant=a",
    ])
    def test_endpoint_accepted(self, httpd, env, url):
        _started(httpd.try_start(_loc(env, "/cfg/", endpoint=url)))

    @pytest.mark.parametrize("lines", [
        ["AuthIntrospectTimeout 0.5 0.25"],
        ["AuthIntrospectTimeout 3600"],
        ["AuthIntrospectClientAuth none"],
        ["AuthIntrospectClientAuth client_secret_post"],
        ["AuthIntrospectTokenTypeHint none"],
        ["AuthIntrospectAcceptTokenIn header query form cookie:at"],
        ["AuthIntrospectRemoteUserClaim email preferred_username sub"],
        ["AuthIntrospectClockSkew 0", "AuthIntrospectCacheTTL 0",
         "AuthIntrospectNegativeCacheTTL 0"],
        ["AuthIntrospectSetEnv off", "AuthIntrospectSetHeaders ON"],
        ["AuthIntrospectClientSecret env:MAI_TEST_SECRET_ENV"],
    ])
    def test_values_accepted(self, httpd, env, lines):
        _started(httpd.try_start(_loc(env, "/cfg/", *lines)))

    def test_secret_from_file_relative_to_server_root(self, httpd, env):
        rel = os.path.relpath(env.secret_file, env.server_root)
        _started(httpd.try_start(_loc(
            env, "/cfg/", "AuthIntrospectClientSecret file:" + rel)))

    @pytest.mark.parametrize("cache", [
        "none", "shmcb", "shmcb:%(run)s/mai-cache(512000)"])
    def test_cache_accepted(self, httpd, env, cache):
        cache = cache % {"run": env.run_dir}
        _started(httpd.try_start("AuthIntrospectCache %s\n" % cache
                                 + _loc(env, "/cfg/")))

    def test_endpoint_at_server_level_is_inherited(self, httpd, env):
        body = ("AuthIntrospectEndpoint %s\n"
                '<Location /cfg/>\n    AuthType Bearer\n'
                '    AuthName "cfg"\n    Require valid-user\n</Location>\n'
                % env.mock_url())
        _started(httpd.try_start(body))

    def test_no_bearer_location_needs_no_endpoint(self, httpd, env):
        _started(httpd.try_start("# module loaded, nothing protected\n"))


def _line_of(path, text):
    """The line number of the first line of PATH containing TEXT."""
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if text in line:
                return n
    raise AssertionError("%r not in %s" % (text, path))


def _redis(env, *extra):
    return ("AuthIntrospectCache redis:127.0.0.1:6379\n"
            + "".join(l + "\n" for l in extra) + _loc(env, "/cfg/"))


class TestConfigtest:
    """`apache2 -t` runs every startup check: non-zero exit, the file and
    line (or the directive) named, no secret shown."""
    REDIS = ("socache_redis",)

    def _refused(self, httpd, env, body, *expect, modules=REDIS):
        rc, out, path = httpd.configtest(body, extra_modules=modules)
        assert rc != 0, out
        assert "Syntax OK" not in out
        for s in env.session_secrets:
            assert s not in out, "a secret appears in the configtest output"
        for e in expect:
            assert e % {"conf": path} in out, out
        return out, path

    def test_redis_without_secret(self, httpd, env):
        out, path = self._refused(httpd, env, _redis(env),
                                  "AuthIntrospectCacheSecret",
                                  "openssl rand -hex 32 > ")
        assert "%s:%d" % (path, _line_of(path, "AuthIntrospectCache ")) \
            in out

    def test_memcache_without_secret(self, httpd, env):
        body = ("AuthIntrospectCache memcache:127.0.0.1:11211\n"
                + _loc(env, "/cfg/"))
        out, path = self._refused(httpd, env, body, "MAI00104",
                                  "AuthIntrospectCacheSecret",
                                  modules=("socache_memcache",))
        assert "%s:%d" % (path, _line_of(path, "AuthIntrospectCache ")) \
            in out

    def test_redis_without_secret_refused_at_start(self, httpd, env,
                                                   errlog):
        errlog.expect(logtags.CONFIG_ERROR)
        res = httpd.try_start(_redis(env), extra_modules=self.REDIS)
        assert "AuthIntrospectCacheSecret" in _refused(res, errlog, env)

    def test_short_secret(self, httpd, env):
        short = "s" + secrets.token_hex(15)          # 31 bytes
        env.add_session_secret(short)
        out, path = self._refused(
            httpd, env, _redis(env, "AuthIntrospectCacheSecret file:"
                               + env.secret_path(short)),
            "at least 32", "openssl rand -hex 32")
        assert "line %d of %s" % (
            _line_of(path, "AuthIntrospectCacheSecret"), path) in out
        assert short not in out

    def test_unreadable_secret_file(self, httpd, env):
        out, path = self._refused(
            httpd, env, _redis(env, "AuthIntrospectCacheSecret "
                               "file:/nonexistent/mai/cache.secret"),
            "/nonexistent/mai/cache.secret")
        assert "line %d of %s" % (
            _line_of(path, "AuthIntrospectCacheSecret"), path) in out

    def test_unset_secret_variable(self, httpd, env):
        self._refused(httpd, env, _redis(
            env, "AuthIntrospectCacheSecret env:MAI_TEST_NO_SUCH_VARIABLE"),
            "MAI_TEST_NO_SUCH_VARIABLE")

    def test_inline_cache_secret(self, httpd, env):
        value = secrets.token_hex(32)
        env.add_session_secret(value)
        self._refused(httpd, env, _redis(
            env, "AuthIntrospectCacheSecret " + value), "file:PATH")

    def test_cache_secret_in_virtual_host(self, httpd, env):
        body = ("<VirtualHost 127.0.0.1:%d>\n    AuthIntrospectCacheSecret "
                "file:%s\n</VirtualHost>\n" % (env.port,
                                               env.cache_secret_file)
                + _loc(env, "/cfg/"))
        self._refused(httpd, env, body, "AuthIntrospectCacheSecret cannot "
                      "occur within <VirtualHost> section")

    def test_bearer_without_endpoint(self, httpd, env):
        out, path = self._refused(httpd, env,
                                  _loc(env, "/cfg-t/", endpoint=None),
                                  "/cfg-t/", modules=())
        assert "%s:%d" % (path, _line_of(path, "AuthType Bearer")) in out

    def test_provider_not_loaded(self, httpd, env):
        body = _redis(env, "AuthIntrospectCacheSecret file:"
                      + env.cache_secret_file)
        out, path = self._refused(httpd, env, body, "socache_redis",
                                  modules=())
        assert "%s:%d" % (path, _line_of(path, "AuthIntrospectCache ")) \
            in out

    def test_default_shmcb_not_loaded(self, httpd, env):
        """The default provider, not written anywhere: the directive is
        named instead of a line."""
        body = _loc(env, "/cfg/")
        rc, out, _ = httpd.configtest(body)
        assert rc == 0, out
        text = httpd.render(body).replace(
            "LoadModule socache_shmcb_module", "#LoadModule socache_shmcb")
        path = os.path.join(env.server_root, "noshmcb.conf")
        with open(path, "w") as f:
            f.write(text)
        proc = subprocess.run(["/usr/sbin/apache2", "-f", path, "-t"],
                              capture_output=True, text=True, timeout=60,
                              env=dict(os.environ, **env.httpd_env))
        assert proc.returncode != 0
        out = proc.stdout + proc.stderr
        assert "AuthIntrospectCache (default shmcb)" in out, out
        assert "socache_shmcb" in out

    @pytest.mark.parametrize("lines", [
        ["AuthIntrospectCacheSecret file:%(file)s"],
        ["AuthIntrospectCacheSecret env:MAI_TEST_SECRET_CACHE_ENV"],
    ])
    def test_redis_with_secret_ok(self, httpd, env, lines):
        body = _redis(env, *[l % {"file": env.cache_secret_file}
                             for l in lines])
        rc, out, _ = httpd.configtest(body, extra_modules=self.REDIS)
        assert rc == 0 and "Syntax OK" in out, out

    def test_shmcb_and_none_need_no_secret(self, httpd, env):
        for cache in ("shmcb", "none"):
            rc, out, _ = httpd.configtest("AuthIntrospectCache %s\n" % cache
                                          + _loc(env, "/cfg/"))
            assert rc == 0 and "Syntax OK" in out, out


class TestSecretsAtStartup:
    def test_inline_client_secret_warns(self, httpd, env, errlog):
        """Works, but says (file and line, never the value) that mod_info
        and copies of the config show it."""
        errlog.expect(logtags.INLINE_SECRET)
        body = _loc(env, "/cfg/", "AuthIntrospectClientSecret "
                    + env.client_secret)
        _started(httpd.try_start(body))
        log = errlog.error_text()
        path = httpd.conf_path
        assert "MAI00105" in log
        assert "%s:%d" % (path, _line_of(
            path, "AuthIntrospectClientSecret " + env.client_secret)) in log
        rc, out, _ = httpd.configtest(body)
        assert rc == 0 and "MAI00105" in out, out
        assert env.client_secret not in out

    def test_file_and_env_client_secrets_do_not_warn(self, httpd, env,
                                                     errlog):
        _started(httpd.try_start(
            _loc(env, "/cfg/") + _loc(env, "/cfg-env/", "AuthIntrospect"
                                      "ClientSecret env:MAI_TEST_SECRET_ENV")))
        assert "MAI00105" not in errlog.error_text()

    def _httpd_pids(self, httpd):
        pids = []
        for d in os.listdir("/proc"):
            try:
                with open("/proc/%s/cmdline" % d, "rb") as f:
                    cmd = f.read().split(b"\0")
            except OSError:
                continue
            if httpd.conf_path.encode() in cmd:
                pids.append(d)
        return pids

    def test_env_secrets_leave_the_environment(self, httpd, env, client,
                                               tokens, mock):
        """env: values are read once and taken out of the environment of
        httpd and of every process it starts (/proc/PID/environ shows the
        initial block, so the bytes are wiped, not only unlinked); the
        graceful restart, which reads the config again, still has them."""
        body = ("AuthIntrospectCacheSecret env:MAI_TEST_SECRET_CACHE_ENV\n"
                + env.protect("/cfg-env",
                              "AuthIntrospectClientID " + env.client_id,
                              "AuthIntrospectClientSecret "
                              "env:MAI_TEST_SECRET_ENV", creds=False))
        _started(httpd.try_start(body))
        pids = self._httpd_pids(httpd)
        assert len(pids) >= 2, pids
        for pid in pids:
            with open("/proc/%s/environ" % pid, "rb") as f:
                environ = f.read()
            assert env.env_secret.encode() not in environ, pid
            assert env.cache_env_secret.encode() not in environ, pid
        tok = tokens.active(sub="erwin")
        for _ in range(2):
            asserts.granted(client.get("/cfg-env/static.txt", token=tok))
            httpd.graceful()
            tok = tokens.active(sub="erwin")
        asserts.granted(client.get("/cfg-env/static.txt", token=tok))
        calls = mock.calls()
        assert calls and all(c["basic"]["secret"] == env.env_secret
                             for c in calls)
