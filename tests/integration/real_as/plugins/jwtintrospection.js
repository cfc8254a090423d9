// SPDX-License-Identifier: Apache-2.0
// Signed introspection responses (RFC 9701) for test_265: oidc-provider's
// jwtIntrospection feature, the resource server's client registered with
// introspection_signed_response_alg (cfg.introspection_alg, default
// RS256), the provider's signing keys from cfg.jwks (private JWKs the
// test made; its published /jwks holds their public halves), and a count
// of introspection requests at GET /_introspections, so a test can tell a
// cache hit from a call.
import http from 'node:http';

let introspections = 0;

export function configure(options, cfg) {
    options.features.jwtIntrospection = { enabled: true };
    const rs = options.clients.find((c) => c.client_id === cfg.rs_id);
    rs.introspection_signed_response_alg = cfg.introspection_alg || 'RS256';
    if (cfg.jwks) {
        options.jwks = { keys: cfg.jwks };
    }
}

export function createServer(cfg, listener) {
    return http.createServer((req, res) => {
        if (req.method === 'GET' && req.url === '/_introspections') {
            res.setHeader('Content-Type', 'application/json');
            res.end(JSON.stringify({ count: introspections }));
            return;
        }
        if (req.method === 'POST' && req.url.startsWith('/token/introspection')) {
            introspections += 1;
        }
        listener(req, res);
    });
}
