// SPDX-License-Identifier: Apache-2.0
// DPoP (RFC 9449) for test_280_dpop.py: the token endpoint binds an
// access token to the key of the DPoP proof sent with the token request
// (cnf.jkt, token_type DPoP in the introspection answer). RSA-PSS and
// ES256 proofs, so the resource is tried with both key types.
export function configure(options) {
    options.features.dPoP = { enabled: true };
    options.enabledJWA = {
        ...(options.enabledJWA || {}),
        dPoPSigningAlgValues: ['ES256', 'PS256'],
    };
}
