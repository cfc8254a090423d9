// SPDX-License-Identifier: Apache-2.0
// Mutual TLS (RFC 8705) for the mod_auth_introspect tests: the provider
// serves https and asks every client for a certificate (accepting any: the
// provider decides per client), with oidc-provider's mTLS feature:
// tls_client_auth (subject DN, the certificate signed by the test CA),
// self_signed_tls_client_auth (the client's registered certificate) and
// certificate-bound access tokens.
//
// Settings (the provider's JSON file):
//   "tls_cert", "tls_key", "tls_ca"   server certificate, key, and the CA
//                                     that makes a client certificate
//                                     "verified" for tls_client_auth
//   "mtls_clients": [{"client_id", "method": "tls_client_auth",
//                     "subject_dn"} | {"client_id", "method":
//                     "self_signed_tls_client_auth", "cert": PEM path}]
//                                     introspecting clients (our httpd)
//   "app_subject_dn"                  makes the token client (client_id)
//                                     a tls_client_auth client whose
//                                     tokens are bound to its certificate
// Each introspection call is written to stderr as
//   MTLS introspection client=<id or -> status=<n>
// so a test can tell which client the provider authenticated.
import https from 'node:https';
import fs from 'node:fs';
import crypto from 'node:crypto';

export function createServer(cfg, listener) {
    return https.createServer({
        key: fs.readFileSync(cfg.tls_key),
        cert: fs.readFileSync(cfg.tls_cert),
        ca: fs.readFileSync(cfg.tls_ca),
        requestCert: true,
        rejectUnauthorized: false,
    }, listener);
}

function peer(ctx) {
    const cert = ctx.req.socket.getPeerX509Certificate();
    return cert || undefined;
}

// A client's jwks for self_signed_tls_client_auth: its certificate's
// public key with the certificate in x5c (oidc-provider matches x5t#S256).
function jwksOf(pemPath) {
    const cert = new crypto.X509Certificate(fs.readFileSync(pemPath));
    const jwk = cert.publicKey.export({ format: 'jwk' });
    jwk.x5c = [cert.raw.toString('base64')];
    return { keys: [jwk] };
}

export function configure(options, cfg) {
    options.features.mTLS = {
        enabled: true,
        certificateBoundAccessTokens: true,
        tlsClientAuth: true,
        selfSignedTlsClientAuth: true,
        getCertificate: peer,
        certificateAuthorized: (ctx) => ctx.req.socket.authorized === true,
        certificateSubjectMatches: (ctx, property, expected) => {
            const cert = peer(ctx);
            return property === 'tls_client_auth_subject_dn' && !!cert
                && cert.subject.trim() === expected;
        },
    };
    // the provider's default list, plus the two mutual TLS methods
    options.clientAuthMethods = [...new Set([
        ...(options.clientAuthMethods || ['client_secret_basic',
            'client_secret_jwt', 'client_secret_post', 'private_key_jwt',
            'none']),
        'tls_client_auth', 'self_signed_tls_client_auth'])];
    if (cfg.app_subject_dn) {
        const app = options.clients[0];
        delete app.client_secret;
        app.token_endpoint_auth_method = 'tls_client_auth';
        app.tls_client_auth_subject_dn = cfg.app_subject_dn;
        app.tls_client_certificate_bound_access_tokens = true;
    }
    for (const c of cfg.mtls_clients || []) {
        const client = {
            client_id: c.client_id,
            grant_types: [],
            response_types: [],
            redirect_uris: [],
            token_endpoint_auth_method: c.method,
        };
        if (c.method === 'tls_client_auth') {
            client.tls_client_auth_subject_dn = c.subject_dn;
        } else {
            client.jwks = jwksOf(c.cert);
        }
        options.clients.push(client);
    }
}

export function ready(provider) {
    provider.use(async (ctx, next) => {
        await next();
        if (ctx.path === '/token/introspection') {
            const id = (ctx.oidc && ctx.oidc.client
                        && ctx.oidc.client.clientId) || '-';
            process.stderr.write(`MTLS introspection client=${id} `
                                 + `status=${ctx.status}\n`);
        }
    });
}
