"""Configuration checked at startup: httpd refuses to start on a broken
config and names what is wrong; good configs start."""
import os

import pytest

from harness import logtags


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
        "AuthIntrospectClientAuth client_secret_jwt",
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
