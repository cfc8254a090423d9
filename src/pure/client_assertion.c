/* SPDX-License-Identifier: Apache-2.0 */
/* client_assertion.c: what an RFC 7523 assertion says. Every string is
 * JSON-escaped, so a client id or URL with quotes or controls stays one
 * string. */
#include <string.h>
#include <apr_strings.h>
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

/* JSON string escaping as json-c writes it with JSON_C_TO_STRING_PLAIN |
 * NOSLASHESCAPE (the text the assertion had when json-c built it): '"',
 * '\\' and the controls escaped, the short forms where JSON has them,
 * every other byte as it is. Per call, a json-c object tree cost more
 * than the ES256 signature's surroundings together. */
static apr_size_t quoted_len(const char *s)
{
    apr_size_t n = 2;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        n += c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n'
             || c == '\r' || c == '\t' ? 2 : c < 0x20 ? 6 : 1;
    }
    return n;
}

static char *put_quoted(char *o, const char *s)
{
    static const char hex[] = "0123456789abcdef";

    *o++ = '"';
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char e = c == '"' ? '"' : c == '\\' ? '\\' : c == '\b' ? 'b'
                 : c == '\f' ? 'f' : c == '\n' ? 'n' : c == '\r' ? 'r'
                 : c == '\t' ? 't' : 0;

        if (e) {
            *o++ = '\\';
            *o++ = e;
        }
        else if (c < 0x20) {
            memcpy(o, "\\u00", 4);
            o[4] = hex[c >> 4];
            o[5] = hex[c & 15];
            o += 6;
        }
        else {
            *o++ = (char)c;
        }
    }
    *o++ = '"';
    return o;
}

static char *put(char *o, const char *s)
{
    apr_size_t n = strlen(s);

    memcpy(o, s, n);
    return o + n;
}

const char *mai_client_assertion_claims(apr_pool_t *p, const char *client_id,
                                        const char *aud, const char *aud2,
                                        const char *jti, apr_int64_t now,
                                        int life)
{
    char times[64], *out, *o;
    apr_size_t id_len;

    if (!client_id || !aud || !jti) {
        return NULL;
    }
    if (life < 1 || life > MAI_ASSERTION_LIFE) {
        life = MAI_ASSERTION_LIFE;
    }
    /* the members in the order json-c wrote them */
    apr_snprintf(times, sizeof(times), ",\"iat\":%" APR_INT64_T_FMT
                 ",\"exp\":%" APR_INT64_T_FMT "}", now, now + life);
    id_len = quoted_len(client_id);
    out = apr_palloc(p, sizeof("{\"iss\":,\"sub\":,\"aud\":[,],\"jti\":")
                        + 2 * id_len + quoted_len(aud)
                        + (aud2 ? quoted_len(aud2) : 0) + quoted_len(jti)
                        + strlen(times));
    o = put(out, "{\"iss\":");
    o = put_quoted(o, client_id);
    o = put(o, ",\"sub\":");
    o = put_quoted(o, client_id);
    o = put(o, aud2 ? ",\"aud\":[" : ",\"aud\":");
    o = put_quoted(o, aud);
    if (aud2) {
        *o++ = ',';
        o = put_quoted(o, aud2);
        *o++ = ']';
    }
    o = put(o, ",\"jti\":");
    o = put_quoted(o, jti);
    o = put(o, times);
    *o = '\0';
    return out;
}
