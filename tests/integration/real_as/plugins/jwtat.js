// SPDX-License-Identifier: Apache-2.0
// jwtat: oidc-provider issuing JWT access tokens (RFC 9068) for the local
// verification tests (test_285_local_jwt.py).
//
// Reads from the JSON file:
//   "jwks": [private JWK, ...]   the provider's signing keys, the first
//                                one signs (the test knows them, so it can
//                                also sign tokens of its own)
//   "jwt_resources": [URL, ...]  resources whose access tokens are JWTs
//                                (the others stay opaque)
//   "jwt_alg": "RS256"           their signing algorithm
//   "port": N                    listen on this port instead of any: a
//                                restarted provider keeps its issuer
// and serves GET /test/counts: how many requests each path got (the JWK
// Set's, the introspection endpoint's), so a test can tell whether the
// module asked.
import http from 'node:http';

export function configure(options, cfg) {
    if (cfg.jwks) {
        options.jwks = { keys: cfg.jwks };
    }
    const jwt = new Set(cfg.jwt_resources || []);
    const ri = options.features.resourceIndicators;
    const base = ri.getResourceServerInfo;
    ri.getResourceServerInfo = async (ctx, indicator, client) => {
        const info = await base(ctx, indicator, client);
        if (jwt.has(indicator)) {
            info.accessTokenFormat = 'jwt';
            info.jwt = { sign: { alg: cfg.jwt_alg || 'RS256' } };
        }
        return info;
    };
}

export function createServer(cfg, listener) {
    const server = http.createServer(listener);
    if (cfg.port) {
        const listen = server.listen.bind(server);
        server.listen = (port, host, cb) => listen(cfg.port, host, cb);
    }
    return server;
}

export function ready(provider) {
    const counts = {};
    provider.use(async (ctx, next) => {
        if (ctx.path === '/test/counts') {
            ctx.body = counts;
            return;
        }
        counts[ctx.path] = (counts[ctx.path] || 0) + 1;
        await next();
    });
}
