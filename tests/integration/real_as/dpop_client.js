// SPDX-License-Identifier: Apache-2.0
// DPoP proofs for the integration tests, made by panva's `dpop` package
// (a client library nobody here wrote), plus hand-made bad proofs the
// library will not make (alg none, HS256, a private key in jwk).
//
// Usage: node dpop_client.js < JSON list of operations; prints a JSON
// list of results, one per operation:
//   {"op": "keygen", "alg": "ES256"|"PS256"}
//       -> {"alg", "private": JWK, "public": JWK, "jkt": thumbprint}
//   {"op": "proof", "key": <keygen result>, "htu", "htm",
//    "token": access token (optional), "claims": {more claims},
//    "at": the epoch seconds the client's clock reads (optional)}
//       -> the proof (compact JWS)
//   {"op": "forge", "header": {...}, "payload": {...},
//    "sign": "none" (empty), "junk", "HS256" (with "secret") or "key"
//    (with "key": <keygen result>)}
//       -> a compact JWS signed as asked (for the refusals)
import crypto from 'node:crypto';
import fs from 'node:fs';
import * as DPoP from 'dpop';

const ALGS = {
    ES256: { name: 'ECDSA', namedCurve: 'P-256' },
    PS256: { name: 'RSA-PSS', hash: 'SHA-256' },
};

async function keypair(k) {
    const a = ALGS[k.alg];
    return {
        privateKey: await crypto.subtle.importKey('jwk', k.private, a, true,
            ['sign']),
        publicKey: await crypto.subtle.importKey('jwk', k.public, a, true,
            ['verify']),
    };
}

function b64u(buf) {
    return Buffer.from(buf).toString('base64url');
}

function forge(op) {
    const input = b64u(JSON.stringify(op.header)) + '.'
        + b64u(JSON.stringify(op.payload));
    let sig = Buffer.alloc(0);
    if (op.sign === 'junk') {
        sig = Buffer.from('not a signature');
    } else if (op.sign === 'HS256') {
        sig = crypto.createHmac('sha256', op.secret || 'secret')
            .update(input).digest();
    } else if (op.sign === 'key') {
        const key = crypto.createPrivateKey({ key: op.key.private,
            format: 'jwk' });
        sig = op.key.alg === 'ES256'
            ? crypto.sign('sha256', Buffer.from(input),
                { key, dsaEncoding: 'ieee-p1363' })
            : crypto.sign('sha256', Buffer.from(input),
                { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
                  saltLength: 32 });
    }
    return input + '.' + b64u(sig);
}

async function run(op) {
    switch (op.op) {
    case 'keygen': {
        const kp = await DPoP.generateKeyPair(op.alg, { extractable: true });
        return {
            alg: op.alg,
            private: await crypto.subtle.exportKey('jwk', kp.privateKey),
            public: await crypto.subtle.exportKey('jwk', kp.publicKey),
            jkt: await DPoP.calculateThumbprint(kp.publicKey),
        };
    }
    case 'proof': {
        // "at": the client's clock reads this (epoch seconds): a proof
        // from a client whose clock is off, as the library makes it
        const kp = await keypair(op.key);
        const real = Date.now;
        if (op.at) Date.now = () => op.at * 1000;
        try {
            return await DPoP.generateProof(kp, op.htu, op.htm,
                op.nonce ?? undefined, op.token ?? undefined,
                op.claims ?? undefined);
        } finally {
            Date.now = real;
        }
    }
    case 'forge':
        return forge(op);
    default:
        throw new Error('unknown op ' + op.op);
    }
}

const ops = JSON.parse(fs.readFileSync(0, 'utf8'));
const out = [];
for (const op of ops) out.push(await run(op));
process.stdout.write(JSON.stringify(out) + '\n');
