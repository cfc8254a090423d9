// SPDX-License-Identifier: Apache-2.0
// Client authentication with RFC 7523 assertions (test_270): extra
// resource-server clients that may only introspect, each authenticating
// with client_secret_jwt (a secret) or private_key_jwt (a JWK Set of our
// public keys). Settings in the provider's JSON file:
//   "clientauth": {
//     "clients": [{"client_id": "...", "method": "private_key_jwt",
//                  "jwks": {"keys": [...]}},
//                 {"client_id": "...", "method": "client_secret_jwt",
//                  "secret": "..."}],
//     "clock_offset": 0        // seconds this provider's clock runs ahead
//   }
// clock_offset moves the whole provider's clock (Date.now), so an
// assertion our module makes "now" with exp 60 s later is already expired
// for this provider: a real expiry refusal, not a simulated one.

export function configure(options, cfg) {
    const ca = cfg.clientauth || {};
    for (const c of ca.clients || []) {
        const client = {
            client_id: c.client_id,
            grant_types: [],
            response_types: [],
            redirect_uris: [],
            token_endpoint_auth_method: c.method,
        };
        if (c.secret) client.client_secret = c.secret;
        if (c.jwks) client.jwks = c.jwks;
        options.clients.push(client);
    }
    // the default list lacks ES384 and ES512, which our keys may use
    options.enabledJWA = {
        ...(options.enabledJWA || {}),
        clientAuthSigningAlgValues: ['HS256', 'RS256', 'PS256', 'ES256',
            'ES384', 'ES512'],
    };
    if (ca.clock_offset) {
        const realNow = Date.now;
        Date.now = () => realNow() + ca.clock_offset * 1000;
    }
}
