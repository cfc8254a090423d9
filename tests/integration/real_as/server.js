// SPDX-License-Identifier: Apache-2.0
// A real RFC 7662 authorization server for the integration tests:
// panva's oidc-provider on loopback, issuing opaque access tokens through
// client_credentials, with introspection and revocation enabled.
//
// Usage: node server.js CONFIG_JSON_FILE
// The JSON file names the clients' secrets and the resource servers:
//   {"client_id": "...", "client_secret": "...", "rs_id": "...",
//    "rs_secret": "...", "resources": {"https://api.test": "read write"},
//    "token_ttl": 600}
// Prints "READY <port>" on stdout once it listens on 127.0.0.1.
//
// Optional "plugins": ["name", ...] loads plugins/<name>.js, each a module
// that may export (all optional):
//   configure(options, cfg, Provider)  change the provider's options
//   createServer(cfg, listener)        serve with this server instead of
//                                      plain http (e.g. https with client
//                                      certificates, with "scheme":
//                                      "https"); the first one wins
//   ready(provider, cfg)               after the provider exists
// so a feature's tests bring their own set-up without touching this file.
// A plugin reads its settings from cfg (the same JSON file).
import http from 'node:http';
import fs from 'node:fs';

let Provider;
try {
    ({ default: Provider } = await import('oidc-provider'));
} catch (err) {
    process.stderr.write('real_as: oidc-provider is not installed; run '
        + '"npm ci" in tests/integration/real_as (' + err.message + ')\n');
    process.exit(3);
}

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const plugins = [];
for (const name of cfg.plugins || []) {
    if (!/^[a-z0-9_]+$/.test(name)) {
        process.stderr.write(`real_as: bad plugin name ${name}\n`);
        process.exit(2);
    }
    plugins.push(await import(`./plugins/${name}.js`));
}
const resources = cfg.resources;
const allScopes = [...new Set(Object.values(resources).join(' ').split(' '))];

// The provider needs its issuer (with the port) at construction time, so
// the socket is bound first and requests are handed over once it exists.
let handler = (req, res) => { res.statusCode = 503; res.end(); };
const listener = (req, res) => handler(req, res);
const custom = plugins.find((p) => p.createServer);
const server = custom ? custom.createServer(cfg, listener)
    : http.createServer(listener);
const scheme = cfg.scheme || 'http';  // "https" with a TLS createServer
server.listen(0, '127.0.0.1', async () => {
    const { port } = server.address();
    const options = {
        clients: [
            {
                client_id: cfg.client_id,
                client_secret: cfg.client_secret,
                grant_types: ['client_credentials'],
                response_types: [],
                redirect_uris: [],
                token_endpoint_auth_method: 'client_secret_basic',
                scope: allScopes.join(' '),
            },
            {
                // The resource server (our httpd): it may only introspect.
                client_id: cfg.rs_id,
                client_secret: cfg.rs_secret,
                grant_types: [],
                response_types: [],
                redirect_uris: [],
                token_endpoint_auth_method: 'client_secret_basic',
            },
        ],
        scopes: allScopes,
        features: {
            devInteractions: { enabled: false },
            clientCredentials: { enabled: true },
            introspection: { enabled: true },
            revocation: { enabled: true },
            resourceIndicators: {
                enabled: true,
                defaultResource: () => Object.keys(resources)[0],
                useGrantedResource: () => true,
                getResourceServerInfo: (ctx, indicator) => {
                    if (!(indicator in resources)) {
                        throw new Provider.errors.InvalidTarget();
                    }
                    return {
                        scope: resources[indicator],
                        audience: indicator,
                        accessTokenFormat: 'opaque',
                        accessTokenTTL: cfg.token_ttl || 600,
                    };
                },
            },
        },
        ttl: { ClientCredentials: cfg.token_ttl || 600 },
    };
    for (const p of plugins) {
        if (p.configure) await p.configure(options, cfg, Provider);
    }
    const provider = new Provider(`${scheme}://127.0.0.1:${port}`, options);
    for (const p of plugins) {
        if (p.ready) await p.ready(provider, cfg);
    }
    handler = provider.callback();
    process.stdout.write(`READY ${port}\n`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
