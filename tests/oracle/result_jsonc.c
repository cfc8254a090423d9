/* SPDX-License-Identifier: Apache-2.0 */
/* result_jsonc.c: the answer parser as it was before src/pure/json_reader.c,
 * through json-c's tree. Test code only (tests/fuzz/fuzz_result_diff.c and
 * tests/unit/test_result.c build it; the module does not): it is the
 * oracle the byte reader must agree with, status and content alike. Kept
 * as it was, so any difference the differential fuzzer finds is the new
 * reader's to explain. */
#include <limits.h>
#include <math.h>
#include <string.h>
#include <apr_cstr.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <json.h>
#include "result_jsonc.h"
#define MAX_DEPTH 32
#define MAX_MEMBERS 1000
/* Members of nested objects, in all: each costs a mai_claim_t in every
 * copy of the result, so a deep answer cannot grow without bound. */
#define MAX_NESTED 10000
#define MAX_TEXT 65536
/* Compact, and "/" left alone so URLs in claims read as they were sent. */
#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* One JSON object and nothing after it but white space. json-c's strict
 * mode refuses trailing commas, leading zeros and trailing characters; the
 * parse-end check makes the last rule independent of json-c's version. */
static mai_status_t tokenize(const char *json, apr_size_t len,
                             json_object **root)
{
    json_tokener *tok;
    enum json_tokener_error err;
    size_t end;

    *root = NULL;
    if (json == NULL || len == 0) {
        return MAI_STATUS_ENDPOINT_BAD_JSON;
    }
    if (len > INT_MAX) {
        return MAI_STATUS_ENDPOINT_TOO_LARGE;
    }
    tok = json_tokener_new_ex(MAX_DEPTH);
    if (tok == NULL) {
        return MAI_STATUS_INTERNAL;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    *root = json_tokener_parse_ex(tok, json, (int)len);
    err = json_tokener_get_error(tok);
    end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (*root == NULL) {
        return err == json_tokener_error_depth
            ? MAI_STATUS_ENDPOINT_TOO_LARGE : MAI_STATUS_ENDPOINT_BAD_JSON;
    }
    while (end < len && is_ws(json[end])) {
        end++;
    }
    if (end != len || !json_object_is_type(*root, json_type_object)) {
        json_object_put(*root);
        *root = NULL;
        return MAI_STATUS_ENDPOINT_BAD_JSON;
    }
    return MAI_OK;
}

/* json-c accepts NaN and Infinity (and turns 1e400 into inf), and keeps
 * U+0000 inside strings, which a C string would silently cut: neither is
 * something an endpoint should send, so the whole tree is refused. Adds
 * the members of every object to *members (see scan_members). */
static int tree_ok(json_object *o, apr_size_t *members)
{
    size_t i, n;

    switch (json_object_get_type(o)) {
    case json_type_double:
        return isfinite(json_object_get_double(o));
    case json_type_string:
        return strlen(json_object_get_string(o))
            == (size_t)json_object_get_string_len(o);
    case json_type_array:
        n = json_object_array_length(o);
        for (i = 0; i < n; i++) {
            if (!tree_ok(json_object_array_get_idx(o, i), members)) {
                return 0;
            }
        }
        return 1;
    case json_type_object: {
        json_object_object_foreach(o, key, val) {
            (void)key;
            if (!tree_ok(val, members)) {
                return 0;
            }
        }
        *members += (apr_size_t)json_object_object_length(o);
        return 1;
    }
    default:
        return 1;
    }
}

/* json-c keeps only the last of two members with the same name (after
 * decoding: "a" and "\u0061" are one name) and cuts a name at U+0000, so
 * {"active":false,"active":true} would read as active. JSON does not say
 * which duplicate wins, and other readers of the same answer may pick the
 * other one: such an answer is refused. This pass counts the members of
 * the raw text, at any depth, and build() compares the count with the
 * members json-c kept: fewer kept means a name came twice. tokenize() has
 * proved the text strict JSON as json-c sees it, so a ':' outside strings
 * ends a member name, provided json-c's strict mode let nothing else
 * through: it does accept 'single-quoted' strings, inside which a '"'
 * would throw the count off (and could hide a duplicate), so outside
 * strings only the characters of JSON's other tokens may appear. A name
 * holding U+0000 (escaped or raw) is refused here, as tree_ok refuses one
 * in a value. Linear, no allocation.
 *
 * The same pass writes the answer's compact text into compact (len + 1
 * bytes): the text without the whitespace between tokens, strings as
 * sent. That is what res->json carries (INTROSPECT_CLAIMS, the shared
 * cache), so the parsed tree is never serialised again. A raw control
 * character inside a string (which JSON forbids) clears *compact_ok: the
 * caller then lets json-c write the text. */
static mai_status_t scan_members(const char *json, apr_size_t len,
                                 apr_size_t *members, char *compact,
                                 int *compact_ok)
{
    apr_size_t i, n = 0, o = 0;
    int in_string = 0, nul = 0;     /* nul: the last string had U+0000 */

    *compact_ok = 1;
    for (i = 0; i < len; i++) {
        char c = json[i];

        if (!in_string) {
            if (is_ws(c)) {
                continue;
            }
            compact[o++] = c;
            if (c == '"') {
                in_string = 1;
                nul = 0;
            }
            else if (c == ':') {
                if (nul) {
                    return MAI_STATUS_ENDPOINT_BAD_JSON;
                }
                n++;
            }
            else if (!apr_isalnum(c) && !strchr("{}[],+-. \t\r\n", c)) {
                return MAI_STATUS_ENDPOINT_BAD_JSON;
            }
        }
        else if (c == '"') {
            compact[o++] = c;
            in_string = 0;
        }
        else if (c == '\\' && i + 1 < len) {
            /* skip the escaped character; \u0000 is the one that matters */
            compact[o++] = c;
            compact[o++] = json[++i];
            if (json[i] == 'u' && len - i > 4
                && !memcmp(json + i + 1, "0000", 4)) {
                nul = 1;
            }
        }
        else {
            if (c == '\0') {
                nul = 1;
            }
            if ((unsigned char)c < 0x20) {
                *compact_ok = 0;
            }
            compact[o++] = c;
        }
    }
    compact[o] = '\0';
    *members = n;
    return MAI_OK;
}

static const char *json_text(apr_pool_t *p, json_object *o)
{
    size_t len;
    const char *s = json_object_to_json_string_length(o, JSON_FLAGS, &len);

    return s ? apr_pstrmemdup(p, s, len) : NULL;
}

/* The text of a scalar; numbers keep the text json-c parsed them from. */
static const char *scalar_text(apr_pool_t *p, json_object *o)
{
    switch (json_object_get_type(o)) {
    case json_type_string:
        return apr_pstrmemdup(p, json_object_get_string(o),
                              json_object_get_string_len(o));
    case json_type_boolean:
        return json_object_get_boolean(o) ? "true" : "false";
    case json_type_null:
        return "";
    default:
        return json_text(p, o);
    }
}

static int is_scalar(json_object *o)
{
    return !json_object_is_type(o, json_type_object)
        && !json_object_is_type(o, json_type_array);
}

/* An array of scalars: items, and their texts joined by one space. The
 * length is checked before joining so a huge array costs no huge copy.
 * An array holding arrays or objects has no items; only a top-level one
 * gets a text (its JSON), see make_claim. */
static mai_status_t array_claim(apr_pool_t *p, json_object *arr,
                                mai_claim_t *c, int top)
{
    size_t i, n = json_object_array_length(arr), total = 0;
    const char **items;
    char *text, *at;

    for (i = 0; i < n; i++) {
        if (!is_scalar(json_object_array_get_idx(arr, i))) {
            c->text = top ? json_text(p, arr) : NULL;
            return c->text || !top ? MAI_OK : MAI_STATUS_INTERNAL;
        }
    }
    items = apr_pcalloc(p, (n + 1) * sizeof(*items));
    for (i = 0; i < n; i++) {
        items[i] = scalar_text(p, json_object_array_get_idx(arr, i));
        if (items[i] == NULL) {
            return MAI_STATUS_INTERNAL;
        }
        total += strlen(items[i]) + 1;
        if (total > MAX_TEXT + 1) {
            return MAI_STATUS_ENDPOINT_TOO_LARGE;
        }
    }
    at = text = apr_palloc(p, total + 1);
    for (i = 0; i < n; i++) {
        size_t l = strlen(items[i]);
        if (i > 0) {
            *at++ = ' ';
        }
        memcpy(at, items[i], l);
        at += l;
    }
    *at = '\0';
    c->text = text;
    c->items = items;
    c->nitems = (int)n;
    return MAI_OK;
}

static mai_status_t make_claim(apr_pool_t *p, const char *key,
                               json_object *val, mai_claim_t *c,
                               int *nested_left, int top);

/* An object's members, for dotted paths: built once here so a request
 * walks them without JSON. Texts of objects and of arrays holding
 * containers are left out below the top level (top-level claims carry
 * them): serialising every level again would cost depth times the
 * answer. Depth is bounded by the tokenizer (MAX_DEPTH). */
static mai_status_t object_members(apr_pool_t *p, json_object *obj,
                                   mai_claim_t *c, int *nested_left)
{
    int n = json_object_object_length(obj), i = 0;
    mai_claim_t *members;
    mai_status_t st;

    if (n > *nested_left) {
        return MAI_STATUS_ENDPOINT_TOO_LARGE;
    }
    *nested_left -= n;
    members = apr_pcalloc(p, (n + 1) * sizeof(*members));
    {
        json_object_object_foreach(obj, key, val) {
            st = make_claim(p, key, val, &members[i], nested_left, 0);
            if (st != MAI_OK) {
                return st;
            }
            i++;
        }
    }
    c->members = members;
    c->nmembers = i;
    return MAI_OK;
}

static mai_status_t make_claim(apr_pool_t *p, const char *key,
                               json_object *val, mai_claim_t *c,
                               int *nested_left, int top)
{
    mai_status_t st = MAI_OK;
    json_type t = json_object_get_type(val);

    c->name = apr_pstrdup(p, key);
    if (t == json_type_object) {
        c->kind = MAI_CLAIM_OBJECT;
        c->text = top ? json_text(p, val) : NULL;
        st = object_members(p, val, c, nested_left);
        if (st == MAI_OK && !top) {
            return MAI_OK;
        }
    }
    else if (t == json_type_array) {
        c->kind = MAI_CLAIM_ARRAY;
        st = array_claim(p, val, c, top);
        if (st == MAI_OK && c->text == NULL && !top) {
            return MAI_OK;
        }
    }
    else if (t == json_type_null) {
        c->kind = MAI_CLAIM_NULL;
        c->text = "";
    }
    else {
        const char **one = apr_pcalloc(p, 2 * sizeof(*one));
        c->kind = t == json_type_string ? MAI_CLAIM_STRING
            : t == json_type_boolean ? MAI_CLAIM_BOOL : MAI_CLAIM_NUMBER;
        c->text = one[0] = scalar_text(p, val);
        c->items = one;
        c->nitems = 1;
    }
    if (st != MAI_OK) {
        return st;
    }
    if (c->text == NULL) {
        return MAI_STATUS_INTERNAL;
    }
    return strlen(c->text) > MAX_TEXT ? MAI_STATUS_ENDPOINT_TOO_LARGE
        : MAI_OK;
}

/* json-c saturates integers beyond int64 instead of failing: a value that
 * reads as INT64_MAX but is larger as uint64 did not fit. */
static mai_status_t time_member(json_object *v, int *has, apr_int64_t *out)
{
    apr_int64_t i;

    if (!json_object_is_type(v, json_type_int)) {
        return MAI_STATUS_ENDPOINT_BAD_JSON;
    }
    i = json_object_get_int64(v);
    if (i == INT64_MAX && json_object_get_uint64(v) != (uint64_t)INT64_MAX) {
        return MAI_STATUS_ENDPOINT_BAD_JSON;
    }
    if (has) {
        *has = 1;
        *out = i;
    }
    return MAI_OK;
}

/* RFC 7662: scope is a space-separated list; runs of spaces are tolerated. */
static void split_scope(apr_pool_t *p, mai_result_t *res, const char *s)
{
    apr_array_header_t *a = apr_array_make(p, 4, sizeof(const char *));
    char *copy = apr_pstrdup(p, s), *last = NULL, *w;

    for (w = apr_strtok(copy, " ", &last); w != NULL;
         w = apr_strtok(NULL, " ", &last)) {
        APR_ARRAY_PUSH(a, const char *) = w;
    }
    APR_ARRAY_PUSH(a, const char *) = NULL;
    res->scopes = (const char *const *)a->elts;
    res->nscopes = a->nelts - 1;
}

static mai_status_t aud_member(mai_result_t *res, json_object *v,
                               const mai_claim_t *c)
{
    size_t i, n;

    if (json_object_is_type(v, json_type_array)) {
        n = json_object_array_length(v);
        for (i = 0; i < n; i++) {
            if (!json_object_is_type(json_object_array_get_idx(v, i),
                                     json_type_string)) {
                return MAI_STATUS_ENDPOINT_BAD_JSON;
            }
        }
    }
    else if (!json_object_is_type(v, json_type_string)) {
        return MAI_STATUS_ENDPOINT_BAD_JSON;
    }
    res->auds = c->items;
    res->nauds = c->nitems;
    return MAI_OK;
}

/* The members RFC 7662 gives a type to; the claim c already holds the
 * member's text, which the string fields share. */
static mai_status_t known_member(apr_pool_t *p, mai_result_t *res,
                                 json_object *v, const mai_claim_t *c)
{
    const char *k = c->name;
    int is_str = json_object_is_type(v, json_type_string);

    if (!strcmp(k, "active")) {
        res->active = json_object_is_type(v, json_type_boolean)
            && json_object_get_boolean(v);
    }
    else if (!strcmp(k, "exp")) {
        return time_member(v, &res->has_exp, &res->exp);
    }
    else if (!strcmp(k, "nbf")) {
        return time_member(v, &res->has_nbf, &res->nbf);
    }
    else if (!strcmp(k, "iat")) {
        return time_member(v, NULL, NULL);
    }
    else if (!strcmp(k, "aud")) {
        return aud_member(res, v, c);
    }
    else if (!strcmp(k, "iss") || !strcmp(k, "client_id")
             || !strcmp(k, "token_type") || !strcmp(k, "scope")) {
        if (!is_str) {
            return MAI_STATUS_ENDPOINT_BAD_JSON;
        }
        if (k[0] == 'i') {
            res->iss = c->text;
        }
        else if (k[0] == 'c') {
            res->client_id = c->text;
        }
        else if (k[0] == 't') {
            res->token_type = c->text;
        }
        else {
            split_scope(p, res, c->text);
        }
    }
    return MAI_OK;
}

/* raw_members: the count scan_members made of the raw text; compact:
 * its compact text, or NULL to have json-c write one. */
static mai_status_t build(apr_pool_t *p, json_object *root,
                          apr_size_t raw_members, const char *compact,
                          mai_result_t *res)
{
    mai_claim_t *claims;
    mai_status_t st;
    int n = json_object_object_length(root), i = 0;
    int nested_left = MAX_NESTED;
    apr_size_t kept = 0;

    if (n > MAX_MEMBERS) {
        return MAI_STATUS_ENDPOINT_TOO_LARGE;
    }
    if (!tree_ok(root, &kept)) {
        return MAI_STATUS_ENDPOINT_BAD_JSON;
    }
    if (kept != raw_members) {
        return MAI_STATUS_ENDPOINT_DUPLICATE_MEMBER;
    }
    claims = apr_pcalloc(p, (n + 1) * sizeof(*claims));
    {
        json_object_object_foreach(root, key, val) {
            st = make_claim(p, key, val, &claims[i], &nested_left, 1);
            if (st == MAI_OK) {
                st = known_member(p, res, val, &claims[i]);
            }
            if (st != MAI_OK) {
                return st;
            }
            i++;
        }
    }
    res->claims = claims;
    res->nclaims = i;
    res->json = compact ? compact : json_text(p, root);
    return res->json ? MAI_OK : MAI_STATUS_INTERNAL;
}

mai_status_t mai_result_parse_jsonc(apr_pool_t *p, const char *json,
                                    apr_size_t len,
                                    const mai_result_t **out)
{
    json_object *root;
    mai_result_t *res;
    mai_status_t st;
    apr_size_t members = 0;
    char *compact = NULL;
    int compact_ok = 0;

    *out = NULL;
    st = tokenize(json, len, &root);
    if (st == MAI_OK) {
        compact = apr_palloc(p, len + 1);
        st = scan_members(json, len, &members, compact, &compact_ok);
        if (st != MAI_OK) {
            json_object_put(root);
        }
    }
    if (st != MAI_OK) {
        return st;
    }
    res = apr_pcalloc(p, sizeof(*res));
    st = build(p, root, members, compact_ok ? compact : NULL, res);
    json_object_put(root);
    if (st == MAI_OK) {
        *out = res;
    }
    return st;
}
