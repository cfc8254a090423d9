/* SPDX-License-Identifier: Apache-2.0 */
/* client_assertion.c: what an RFC 7523 assertion says. json-c writes the
 * JSON, so a client id or URL with quotes or controls stays one string. */
#include <apr_strings.h>
#include <json.h>
#include "client_assertion.h"

static const char B64URL[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

const char *mai_b64url(apr_pool_t *p, const unsigned char *b, apr_size_t n)
{
    char *out = apr_palloc(p, (n + 2) / 3 * 4 + 1);
    char *o = out;
    apr_size_t i;

    for (i = 0; i + 2 < n; i += 3) {
        *o++ = B64URL[b[i] >> 2];
        *o++ = B64URL[((b[i] & 3) << 4) | (b[i + 1] >> 4)];
        *o++ = B64URL[((b[i + 1] & 15) << 2) | (b[i + 2] >> 6)];
        *o++ = B64URL[b[i + 2] & 63];
    }
    if (n - i == 1) {
        *o++ = B64URL[b[i] >> 2];
        *o++ = B64URL[(b[i] & 3) << 4];
    }
    else if (n - i == 2) {
        *o++ = B64URL[b[i] >> 2];
        *o++ = B64URL[((b[i] & 3) << 4) | (b[i + 1] >> 4)];
        *o++ = B64URL[(b[i + 1] & 15) << 2];
    }
    *o = '\0';
    return out;
}

const char *mai_client_assertion_claims(apr_pool_t *p, const char *client_id,
                                        const char *aud, const char *aud2,
                                        const char *jti, apr_int64_t now,
                                        int life)
{
    json_object *o, *a;
    const char *out;

    if (!client_id || !aud || !jti) {
        return NULL;
    }
    if (life < 1 || life > MAI_ASSERTION_LIFE) {
        life = MAI_ASSERTION_LIFE;
    }
    o = json_object_new_object();
    json_object_object_add(o, "iss", json_object_new_string(client_id));
    json_object_object_add(o, "sub", json_object_new_string(client_id));
    if (aud2) {
        a = json_object_new_array();
        json_object_array_add(a, json_object_new_string(aud));
        json_object_array_add(a, json_object_new_string(aud2));
        json_object_object_add(o, "aud", a);
    }
    else {
        json_object_object_add(o, "aud", json_object_new_string(aud));
    }
    json_object_object_add(o, "jti", json_object_new_string(jti));
    json_object_object_add(o, "iat", json_object_new_int64(now));
    json_object_object_add(o, "exp", json_object_new_int64(now + life));
    out = apr_pstrdup(p, json_object_to_json_string_ext(
                             o, JSON_C_TO_STRING_PLAIN
                                | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return out;
}
