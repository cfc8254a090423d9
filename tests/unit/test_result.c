/* SPDX-License-Identifier: Apache-2.0 */
/* test_result.c: introspection JSON in, validated mai_result_t out. */
#include "unit.h"
#include <apr_strings.h>
#include <apr_tables.h>
#include "result.h"

static mai_status_t parse(apr_pool_t *p, const char *json,
                          const mai_result_t **res)
{
    return mai_result_parse(p, json, strlen(json), res);
}

static const mai_result_t *parse_ok(apr_pool_t *p, const char *json)
{
    const mai_result_t *res = NULL;

    assert_int_equal(parse(p, json, &res), MAI_OK);
    assert_non_null(res);
    return res;
}

static void assert_status(apr_pool_t *p, const char *json, mai_status_t want)
{
    const mai_result_t *res = (const mai_result_t *)p; /* poison */
    mai_status_t st = parse(p, json, &res);

    if (st != want) {
        fail_msg("%s: got %s, want %s", json, mai_status_name(st),
                 mai_status_name(want));
    }
    if (want != MAI_OK) {
        assert_null(res);
    }
}

#define FULL "{\"active\":true,\"scope\":\"read  write admin \"," \
    "\"client_id\":\"app-1\",\"username\":\"jdoe\",\"token_type\":" \
    "\"Bearer\",\"exp\":1700003600,\"iat\":1700000000,\"nbf\":1699999990," \
    "\"sub\":\"Z5O3upPC88QrAjx00dis\",\"aud\":[\"https://rs.example\"," \
    "\"api\"],\"iss\":\"https://as.example/\"}"

static void test_full_response(void **state)
{
    const mai_result_t *r = parse_ok(*state, FULL);

    assert_int_equal(r->active, 1);
    assert_true(r->has_exp);
    assert_true(r->exp == 1700003600);
    assert_true(r->has_nbf);
    assert_true(r->nbf == 1699999990);
    assert_string_equal(r->iss, "https://as.example/");
    assert_string_equal(r->client_id, "app-1");
    assert_string_equal(r->token_type, "Bearer");
    assert_int_equal(r->nscopes, 3);
    assert_string_equal(r->scopes[0], "read");
    assert_string_equal(r->scopes[1], "write");
    assert_string_equal(r->scopes[2], "admin");
    assert_int_equal(r->nauds, 2);
    assert_string_equal(r->auds[0], "https://rs.example");
    assert_string_equal(r->auds[1], "api");
    assert_int_equal(r->nclaims, 11);
    assert_string_equal(r->claims[0].name, "active");
    assert_string_equal(r->claims[3].name, "username");
    assert_string_equal(r->claims[10].name, "iss");
    /* compact, same members in the same order, slashes as sent */
    assert_string_equal(r->json, FULL);
}

static void test_absent_fields(void **state)
{
    const mai_result_t *r = parse_ok(*state, " {\"active\":false}\r\n ");

    assert_int_equal(r->active, 0);
    assert_false(r->has_exp);
    assert_false(r->has_nbf);
    assert_null(r->iss);
    assert_null(r->client_id);
    assert_null(r->token_type);
    assert_int_equal(r->nscopes, 0);
    assert_int_equal(r->nauds, 0);
    assert_int_equal(r->nclaims, 1);
    assert_string_equal(r->json, "{\"active\":false}");

    r = parse_ok(*state, "{}");
    assert_int_equal(r->nclaims, 0);
    assert_int_equal(r->active, 0);
}

/* Only JSON true activates; a lookalike is inactive, not an error. */
static void test_active_only_true(void **state)
{
    assert_int_equal(parse_ok(*state, "{\"active\":true}")->active, 1);
    assert_int_equal(parse_ok(*state, "{\"active\":\"true\"}")->active, 0);
    assert_int_equal(parse_ok(*state, "{\"active\":1}")->active, 0);
    assert_int_equal(parse_ok(*state, "{\"active\":[true]}")->active, 0);
    assert_int_equal(parse_ok(*state, "{\"active\":null}")->active, 0);
    assert_int_equal(parse_ok(*state, "{\"exp\":9}")->active, 0);
}

#define DUP MAI_STATUS_ENDPOINT_DUPLICATE_MEMBER

/* json-c would keep the last of two members with one name: whichever it
 * keeps, another reader of the same answer may keep the other. */
static void test_duplicate_members(void **state)
{
    static const char *const dup[] = {
        "{\"active\":false,\"active\":true}",
        "{\"active\":true,\"active\":false}",
        "{\"active\":true,\"sub\":\"a\",\"sub\":\"a\"}",
        /* escapes decode to the same name */
        "{\"active\":false,\"\\u0061ctive\":true}",
        "{\"a\\/b\":1,\"a/b\":2}",
        "{\"\\u00e9\":1,\"\xc3\xa9\":2}",
        "{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}",
        /* at any depth, in objects inside arrays too */
        "{\"active\":true,\"cnf\":{\"jkt\":\"a\",\"jkt\":\"b\"}}",
        "{\"o\":{\"p\":{\"q\":1,\"q\":1}}}",
        "{\"a\":[1,{\"k\":1,\"k\":2}]}",
        "{\"a\":{\"x\":{}},\"a\":{\"y\":{}}}",
        "{\"a\":[{}],\"a\":[{}]}",
        "{\"\":1,\"\":2}",
    };
    /* a '"' inside a single-quoted name would hide a member from a
     * count of the raw text; such strings are refused before that */
    static const char *const hidden[] = {
        "{\"active\":false,\"active\":true,'a\"':1,'b\"':2}",
        "{\"active\":false,'x\":1,\"active':true}",
    };
    static const char *const fine[] = {
        /* the same name in different objects, names that only look alike,
         * ':' and quotes inside strings */
        "{\"a\":{\"a\":{\"a\":1}},\"b\":[{\"a\":1},{\"a\":2}]}",
        "{\"a\":1,\"A\":2,\"a \":3,\"\\u0062\":4}",
        "{\"k:v\":\"x:y\",\"q\\\"\":\"\\\\\",\"e\":\"\\\\\"}",
        "{\"s\":\"\\\\u0000\"}",
        "{\"\\\\u0000\":1}",
    };
    apr_size_t i;

    for (i = 0; i < sizeof(dup) / sizeof(dup[0]); i++) {
        assert_status(*state, dup[i], DUP);
    }
    for (i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
        assert_status(*state, hidden[i], MAI_STATUS_ENDPOINT_BAD_JSON);
    }
    for (i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
        assert_status(*state, fine[i], MAI_OK);
    }
    assert_int_equal(parse_ok(*state, fine[1])->nclaims, 4);
}

/* json-c cuts a member name at U+0000 ("a\u0000b" would become "a"): a
 * name holding it is refused like a value holding it. */
static void test_nul_in_member_name(void **state)
{
    apr_pool_t *p = *state;
    const mai_result_t *res;
    static const char raw_nul[] = "{\"a\0b\":1}";

    assert_status(p, "{\"a\\u0000b\":1}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"\\u0000\":1}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"active\":true,\"active\\u0000x\":false}",
                  MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"o\":[{\"x\\u0000\":1}]}",
                  MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_int_equal(mai_result_parse(p, raw_nul, sizeof(raw_nul) - 1, &res),
                     MAI_STATUS_ENDPOINT_BAD_JSON);
}

static void test_time_members(void **state)
{
    apr_pool_t *p = *state;
    const mai_result_t *r;

    r = parse_ok(p, "{\"exp\":9223372036854775807,\"nbf\":-5}");
    assert_true(r->exp == APR_INT64_MAX);
    assert_true(r->nbf == -5);
    assert_status(p, "{\"exp\":9223372036854775808}",
                  MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"exp\":99999999999999999999}",
                  MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"exp\":1.5}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"exp\":1e3}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"exp\":1700000000.0}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"exp\":\"1700000000\"}",
                  MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"nbf\":null}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"nbf\":true}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"iat\":\"x\"}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"iat\":[1]}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"iat\":1}", MAI_OK);
}

static void test_string_members(void **state)
{
    apr_pool_t *p = *state;
    const mai_result_t *r;

    assert_status(p, "{\"iss\":1}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"iss\":null}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"client_id\":[\"a\"]}",
                  MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"token_type\":{}}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"scope\":[\"read\"]}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"scope\":true}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"aud\":1}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"aud\":null}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"aud\":[\"a\",1]}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"aud\":[[\"a\"]]}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"aud\":{\"a\":\"b\"}}", MAI_STATUS_ENDPOINT_BAD_JSON);

    r = parse_ok(p, "{\"aud\":\"only\",\"scope\":\"   \"}");
    assert_int_equal(r->nauds, 1);
    assert_string_equal(r->auds[0], "only");
    assert_int_equal(r->nscopes, 0);
    r = parse_ok(p, "{\"aud\":[],\"scope\":\"\"}");
    assert_int_equal(r->nauds, 0);
    assert_int_equal(r->nscopes, 0);
    /* a tab is not a scope separator (RFC 6749 uses %x20 only) */
    r = parse_ok(p, "{\"scope\":\"a\\tb c\"}");
    assert_int_equal(r->nscopes, 2);
    assert_string_equal(r->scopes[0], "a\tb");
}

static void assert_claim(const mai_result_t *r, const char *name,
                         mai_claim_kind_t kind, const char *text, int nitems)
{
    const mai_claim_t *c = mai_result_claim(r, name);

    if (c == NULL) {
        fail_msg("claim %s missing", name);
    }
    assert_int_equal(c->kind, kind);
    assert_string_equal(c->text, text);
    assert_int_equal(c->nitems, nitems);
    if (nitems == 1 && kind != MAI_CLAIM_ARRAY) {
        assert_string_equal(c->items[0], text);
    }
}

static void test_claim_texts(void **state)
{
    const mai_result_t *r = parse_ok(*state,
        "{\"s\":\"h\\u00e9 \\\"q\\\" a/b\",\"i\":42,\"neg\":-7,\"d\":1.5,"
        "\"e\":1e3,\"t\":true,\"f\":false,\"n\":null,"
        "\"arr\":[1,\"two\",false,2.50],\"empty\":[],"
        "\"mixed\":[{\"a\":1},2],\"nest\":[[1]],"
        "\"obj\":{\"url\":\"https://x/y\",\"l\":[1, 2]}}");
    const mai_claim_t *c;

    assert_claim(r, "s", MAI_CLAIM_STRING, "h\xc3\xa9 \"q\" a/b", 1);
    assert_claim(r, "i", MAI_CLAIM_NUMBER, "42", 1);
    assert_claim(r, "neg", MAI_CLAIM_NUMBER, "-7", 1);
    assert_claim(r, "d", MAI_CLAIM_NUMBER, "1.5", 1);
    assert_claim(r, "e", MAI_CLAIM_NUMBER, "1e3", 1);
    assert_claim(r, "t", MAI_CLAIM_BOOL, "true", 1);
    assert_claim(r, "f", MAI_CLAIM_BOOL, "false", 1);
    assert_claim(r, "n", MAI_CLAIM_NULL, "", 0);
    assert_claim(r, "arr", MAI_CLAIM_ARRAY, "1 two false 2.50", 4);
    c = mai_result_claim(r, "arr");
    assert_string_equal(c->items[0], "1");
    assert_string_equal(c->items[1], "two");
    assert_string_equal(c->items[2], "false");
    assert_string_equal(c->items[3], "2.50");
    assert_claim(r, "empty", MAI_CLAIM_ARRAY, "", 0);
    assert_claim(r, "mixed", MAI_CLAIM_ARRAY, "[{\"a\":1},2]", 0);
    assert_null(mai_result_claim(r, "mixed")->items);
    assert_claim(r, "nest", MAI_CLAIM_ARRAY, "[[1]]", 0);
    assert_claim(r, "obj", MAI_CLAIM_OBJECT,
                 "{\"url\":\"https://x/y\",\"l\":[1,2]}", 0);
    assert_null(mai_result_claim(r, "obj")->items);
    assert_null(mai_result_claim(r, "missing"));
    assert_null(mai_result_claim(r, "S"));
}

static void test_not_an_object(void **state)
{
    static const char *const bad[] = {
        "", " ", "[]", "[{\"active\":true}]", "\"s\"", "true", "null", "42",
        "{", "{\"active\":true", "{\"active\":true} x",
        "{\"active\":true}{}", "{\"a\":1,}", "{\"a\":01}", "{a:1}",
        "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":-Infinity}",
        "{\"a\":1e400}", "{\"o\":{\"deep\":[NaN]}}",
        "{\"s\":\"x\\u0000y\"}", "{\"o\":{\"s\":[\"\\u0000\"]}}",
        /* json-c's strict mode takes these; JSON does not */
        "{'a':1}", "{\"a\":'x'}", "{\"a\":['x']}",
    };
    apr_size_t i;
    const mai_result_t *res;
    /* a NUL byte inside or after the object, with the length covering it */
    static const char nul_after[] = "{\"a\":1}\0 ";
    static const char nul_inside[] = "{\"a\":\"x\0y\"}";

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_status(*state, bad[i], MAI_STATUS_ENDPOINT_BAD_JSON);
    }
    assert_int_equal(mai_result_parse(*state, nul_after,
                                      sizeof(nul_after) - 1, &res),
                     MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_int_equal(mai_result_parse(*state, nul_inside,
                                      sizeof(nul_inside) - 1, &res),
                     MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_int_equal(mai_result_parse(*state, NULL, 0, &res),
                     MAI_STATUS_ENDPOINT_BAD_JSON);
    /* the length is honoured: the bytes after it are not read */
    assert_int_equal(mai_result_parse(*state, "{\"a\":1}garbage", 7, &res),
                     MAI_OK);
}

/* {"a": [[...]]} with `levels` nesting levels in all. */
static const char *nested(apr_pool_t *p, int levels)
{
    char *s = apr_palloc(p, 2 * levels + 8), *at = s;
    int i;

    at += strlen(strcpy(at, "{\"a\":"));
    for (i = 1; i < levels; i++) {
        *at++ = '[';
    }
    for (i = 1; i < levels; i++) {
        *at++ = ']';
    }
    strcpy(at, "}");
    return s;
}

static const char *members(apr_pool_t *p, int n)
{
    apr_array_header_t *a = apr_array_make(p, n, sizeof(char *));
    int i;

    for (i = 0; i < n; i++) {
        APR_ARRAY_PUSH(a, char *) = apr_psprintf(p, "\"m%d\":%d", i, i);
    }
    return apr_pstrcat(p, "{", apr_array_pstrcat(p, a, ','), "}", NULL);
}

static const char *long_string(apr_pool_t *p, apr_size_t n)
{
    char *s = apr_palloc(p, n + 1);

    memset(s, 'x', n);
    s[n] = '\0';
    return s;
}

static void test_limits(void **state)
{
    apr_pool_t *p = *state;
    const char *s64k = long_string(p, 65536);
    const char *words;
    apr_array_header_t *a;
    int i;

    assert_status(p, nested(p, 32), MAI_OK);
    assert_status(p, nested(p, 33), MAI_STATUS_ENDPOINT_TOO_LARGE);
    assert_status(p, nested(p, 2000), MAI_STATUS_ENDPOINT_TOO_LARGE);
    assert_int_equal(parse_ok(p, members(p, 1000))->nclaims, 1000);
    assert_status(p, members(p, 1001), MAI_STATUS_ENDPOINT_TOO_LARGE);
    /* members of nested objects: 10000 in all, however spread */
    assert_status(p, apr_psprintf(p, "{\"o\":%s}", members(p, 1000)),
                  MAI_OK);
    a = apr_array_make(p, 11, sizeof(char *));
    for (i = 0; i < 10; i++) {
        APR_ARRAY_PUSH(a, const char *) = apr_psprintf(p, "\"o%d\":%s", i,
                                                       members(p, 999));
    }
    words = apr_array_pstrcat(p, a, ',');
    assert_status(p, apr_psprintf(p, "{%s,\"y\":%s}", words,
                                  members(p, 10)), MAI_OK);
    assert_status(p, apr_psprintf(p, "{%s,\"y\":%s}", words,
                                  members(p, 11)),
                  MAI_STATUS_ENDPOINT_TOO_LARGE);
    assert_status(p, apr_psprintf(p, "{\"s\":\"%s\"}", s64k), MAI_OK);
    assert_status(p, apr_psprintf(p, "{\"s\":\"%sy\"}", s64k),
                  MAI_STATUS_ENDPOINT_TOO_LARGE);
    assert_status(p, apr_psprintf(p, "{\"o\":{\"s\":\"%s\"}}", s64k),
                  MAI_STATUS_ENDPOINT_TOO_LARGE);
    /* 32768 one-byte items joined: 65535 bytes, fine; one more is not */
    a = apr_array_make(p, 32769, sizeof(char *));
    for (i = 0; i < 32768; i++) {
        APR_ARRAY_PUSH(a, const char *) = "1";
    }
    words = apr_array_pstrcat(p, a, ',');
    assert_status(p, apr_psprintf(p, "{\"a\":[%s]}", words), MAI_OK);
    assert_string_equal(mai_result_claim(parse_ok(p,
                            apr_psprintf(p, "{\"a\":[%s]}", words)),
                            "a")->text + 65530, "1 1 1");
    APR_ARRAY_PUSH(a, const char *) = "1";
    words = apr_array_pstrcat(p, a, ',');
    assert_status(p, apr_psprintf(p, "{\"a\":[%s]}", words),
                  MAI_STATUS_ENDPOINT_TOO_LARGE);
}

/* The reader keeps json-c 0.16's readings (tests/oracle/result_jsonc.c,
 * fuzz_result_diff): broken surrogates become U+FFFD, a high one still
 * takes the escape after it. */
static void test_jsonc_strings(void **state)
{
    const mai_result_t *r = parse_ok(*state,
        "{\"a\":\"\\ud800x\",\"b\":\"\\udc00\",\"c\":\"\\ud800\\u0041\","
        "\"d\":\"\\ud800\\ud800\\udc00\",\"e\":\"\\ud800\\n\","
        "\"f\":\"\\uDBFF\\uDFFF\",\"g\":\"\\u00e9\\/\"}");

    assert_string_equal(mai_result_claim(r, "a")->text, "\xef\xbf\xbdx");
    assert_string_equal(mai_result_claim(r, "b")->text, "\xef\xbf\xbd");
    assert_string_equal(mai_result_claim(r, "c")->text, "\xef\xbf\xbd" "A");
    assert_string_equal(mai_result_claim(r, "d")->text,
                        "\xef\xbf\xbd\xf0\x90\x80\x80");
    assert_string_equal(mai_result_claim(r, "e")->text, "\xef\xbf\xbd\n");
    assert_string_equal(mai_result_claim(r, "f")->text, "\xf4\x8f\xbf\xbf");
    assert_string_equal(mai_result_claim(r, "g")->text, "\xc3\xa9/");
    assert_status(*state, "{\"a\":\"\\ud800\\u12\"}",
                  MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(*state, "{\"a\":\"\\x\"}", MAI_STATUS_ENDPOINT_BAD_JSON);
    /* \v, \f and a byte order mark are no whitespace to json-c */
    assert_status(*state, "{\v\"a\":1}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(*state, "{\"a\":1}\f", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(*state, "\xef\xbb\xbf{\"a\":1}",
                  MAI_STATUS_ENDPOINT_BAD_JSON);
}

/* Numbers as json-c read and wrote them: integers in decimal, clamped to
 * 64 bits; doubles as sent. */
static void test_jsonc_numbers(void **state)
{
    apr_pool_t *p = *state;
    const mai_result_t *r = parse_ok(p,
        "{\"a\":-0,\"b\":00,\"c\":-01,\"d\":-.5,\"e\":1.,\"f\":1E+2,"
        "\"g\":18446744073709551616,\"h\":-9223372036854775809,"
        "\"i\":[007.5,-0]}");

    assert_claim(r, "a", MAI_CLAIM_NUMBER, "0", 1);
    assert_claim(r, "b", MAI_CLAIM_NUMBER, "0", 1);
    assert_claim(r, "c", MAI_CLAIM_NUMBER, "-1", 1);
    assert_claim(r, "d", MAI_CLAIM_NUMBER, "-.5", 1);
    assert_claim(r, "e", MAI_CLAIM_NUMBER, "1.", 1);
    assert_claim(r, "f", MAI_CLAIM_NUMBER, "1E+2", 1);
    assert_claim(r, "g", MAI_CLAIM_NUMBER, "18446744073709551615", 1);
    assert_claim(r, "h", MAI_CLAIM_NUMBER, "-9223372036854775808", 1);
    assert_claim(r, "i", MAI_CLAIM_ARRAY, "007.5 0", 2);
    assert_status(p, "{\"a\":007}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"a\":-}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"a\":1e}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"a\":0.-5}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"a\":1.5.1}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"a\":+1}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"a\":-infinity}", MAI_STATUS_ENDPOINT_BAD_JSON);
    /* an integer past int64 saturated in json-c: below is INT64_MIN */
    r = parse_ok(p, "{\"exp\":-9223372036854775809}");
    assert_true(r->exp == APR_INT64_MIN);
}

/* Texts of objects and of arrays holding containers are json-c's: escapes
 * rewritten, integers in decimal, '/' left alone; so is the whole
 * answer's when a string held a raw control character. */
static void test_jsonc_texts(void **state)
{
    const mai_result_t *r = parse_ok(*state,
        "{\"o\":{\"s\":\"\\u00e9\\/\\u0001\\u007f\\\"\",\"n\":-0,"
        "\"d\":1.50},\"a\":[ {\"k\":\"\\t\"} , 00 ]}");

    assert_claim(r, "o", MAI_CLAIM_OBJECT,
                 "{\"s\":\"\xc3\xa9/\\u0001\x7f\\\"\",\"n\":0,\"d\":1.50}", 0);
    assert_claim(r, "a", MAI_CLAIM_ARRAY, "[{\"k\":\"\\t\"},0]", 0);
    assert_string_equal(r->json, "{\"o\":{\"s\":\"\\u00e9\\/\\u0001\\u007f"
                        "\\\"\",\"n\":-0,\"d\":1.50},\"a\":[{\"k\":\"\\t\"},"
                        "00]}");
    r = parse_ok(*state, "{\"s\":\"a\tb\x01\",\"n\":-0, \"u\":\"\\u00e9\"}");
    assert_string_equal(r->json,
                        "{\"s\":\"a\\tb\\u0001\",\"n\":0,\"u\":\"\xc3\xa9\"}");
    assert_string_equal(mai_result_claim(r, "s")->text, "a\tb\x01");
}

/* A text with several faults gets the status of the earliest of the old
 * parser's stages, not of the first fault in the text. */
static void test_fault_order(void **state)
{
    apr_pool_t *p = *state;
    const char *words;

    /* nesting is found while reading, before a single-quoted name */
    assert_status(p, "{'a':[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]"
                  "]]]]]]]]]]]]]]]]]}", MAI_STATUS_ENDPOINT_TOO_LARGE);
    assert_status(p, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]"
                  "]]]]]]]]]]]]]]", MAI_STATUS_ENDPOINT_TOO_LARGE);
    /* json-c took a NUL byte where the depth ran out for the end */
    {
        char deep[64];
        const mai_result_t *res;
        apr_size_t n = strlen(strcpy(deep, "{\"a\":")), i;

        for (i = 0; i < 31; i++) {
            deep[n++] = '[';
        }
        deep[n] = 'x';
        assert_int_equal(mai_result_parse(p, deep, n + 1, &res),
                         MAI_STATUS_ENDPOINT_TOO_LARGE);
        deep[n] = '\0';
        assert_int_equal(mai_result_parse(p, deep, n + 1, &res),
                         MAI_STATUS_ENDPOINT_BAD_JSON);
    }
    /* NaN counts only where no later duplicate replaced it */
    assert_status(p, "{\"a\":NaN,\"a\":1}", DUP);
    assert_status(p, "{\"a\":1,\"a\":NaN}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, "{\"o\":{\"x\":NaN,\"x\":1},\"p\":1}", DUP);
    /* a duplicate before a wrong type; size before type in one member */
    assert_status(p, "{\"exp\":\"x\",\"s\":1,\"s\":2}", DUP);
    assert_status(p, "{\"iss\":1,\"s\":\"x\"}", MAI_STATUS_ENDPOINT_BAD_JSON);
    assert_status(p, apr_psprintf(p, "{\"iss\":[\"%s\"]}",
                                  long_string(p, 65537)),
                  MAI_STATUS_ENDPOINT_TOO_LARGE);
    /* 1001 members of which two share a name: 1000 distinct, a duplicate */
    words = members(p, 1000);
    assert_status(p, apr_psprintf(p, "{%.*s,\"m0\":1}",
                                  (int)strlen(words) - 2, words + 1),
                  MAI_STATUS_ENDPOINT_DUPLICATE_MEMBER);
    words = members(p, 1001);
    assert_status(p, apr_psprintf(p, "{%.*s,\"m0\":1}",
                                  (int)strlen(words) - 2, words + 1),
                  MAI_STATUS_ENDPOINT_TOO_LARGE);
}

static const mai_result_t *active_at(apr_pool_t *p, const char *extra)
{
    return parse_ok(p, apr_psprintf(p, "{\"active\":true%s}", extra));
}

/* The checks of a location without AuthIntrospectTokenTypes. */
static mai_status_t check(const mai_result_t *r, apr_int64_t now,
                          apr_int64_t skew, const char *issuer)
{
    return mai_result_check(r, now, skew, issuer, NULL);
}

static void test_check(void **state)
{
    apr_pool_t *p = *state;
    const mai_result_t *r;

    r = parse_ok(p, "{\"active\":false,\"token_type\":\"refresh_token\","
                 "\"exp\":1,\"iss\":\"x\"}");
    assert_int_equal(check(r, 1000, 0, "y"), MAI_STATUS_INACTIVE);
    r = active_at(p, ",\"token_type\":\"Refresh_Token\",\"exp\":1");
    assert_int_equal(check(r, 1000, 0, NULL),
                     MAI_STATUS_REFRESH_TOKEN);
    r = active_at(p, ",\"exp\":1000,\"nbf\":5000,\"iss\":\"a\"");
    assert_int_equal(check(r, 1000, 0, "b"), MAI_STATUS_EXPIRED);

    /* exp + skew <= now is expired: the boundary second counts */
    r = active_at(p, ",\"exp\":1000");
    assert_int_equal(check(r, 999, 0, NULL), MAI_OK);
    assert_int_equal(check(r, 1000, 0, NULL), MAI_STATUS_EXPIRED);
    assert_int_equal(check(r, 1029, 30, NULL), MAI_OK);
    assert_int_equal(check(r, 1030, 30, NULL), MAI_STATUS_EXPIRED);

    /* nbf - skew > now is not yet valid */
    r = active_at(p, ",\"nbf\":1000,\"iss\":\"a\"");
    assert_int_equal(check(r, 1000, 0, "a"), MAI_OK);
    assert_int_equal(check(r, 999, 0, "a"),
                     MAI_STATUS_NOT_YET_VALID);
    assert_int_equal(check(r, 970, 30, "a"), MAI_OK);
    assert_int_equal(check(r, 969, 30, "a"),
                     MAI_STATUS_NOT_YET_VALID);
    assert_int_equal(check(r, 999, 0, "b"),
                     MAI_STATUS_NOT_YET_VALID);

    /* the issuer is compared exactly, and a missing iss fails */
    assert_int_equal(check(r, 2000, 0, "A"),
                     MAI_STATUS_WRONG_ISSUER);
    assert_int_equal(check(r, 2000, 0, "a/"),
                     MAI_STATUS_WRONG_ISSUER);
    r = active_at(p, "");
    assert_int_equal(check(r, 2000, 0, "a"),
                     MAI_STATUS_WRONG_ISSUER);
    assert_int_equal(check(r, 2000, 0, NULL), MAI_OK);

    /* exp near INT64_MAX must not overflow into "expired" */
    r = active_at(p, ",\"exp\":9223372036854775807,"
                  "\"nbf\":-9223372036854775807");
    assert_int_equal(check(r, 2000, 300, NULL), MAI_OK);
    r = active_at(p, ",\"token_type\":\"access_token\"");
    assert_int_equal(check(r, 2000, 0, NULL), MAI_OK);
}

/* The check on an active answer with `extra` members. */
static mai_status_t check_with(apr_pool_t *p, const char *extra)
{
    return check(active_at(p, extra), 2000, 0, NULL);
}

static void test_refresh_tokens(void **state)
{
    apr_pool_t *p = *state;
    static const char *const refresh[] = {
        ",\"token_type\":\"refresh_token\"",
        ",\"token_type\":\"REFRESH_TOKEN\"",
        ",\"token_type\":\"urn:ietf:params:oauth:token-type:refresh_token\"",
        ",\"token_type\":\"URN:IETF:params:oauth:token-type:Refresh_Token\"",
        /* Keycloak: the token's own typ */
        ",\"typ\":\"Refresh\"", ",\"typ\":\"refresh\"",
        ",\"typ\":\"Offline\"", ",\"typ\":\"OFFLINE\"",
        ",\"token_type\":\"Bearer\",\"typ\":\"Refresh\"",
        /* it wins over the time and issuer checks */
        ",\"typ\":\"Offline\",\"exp\":1",
    };
    static const char *const access[] = {
        "", ",\"token_type\":\"Bearer\",\"typ\":\"Bearer\"",
        ",\"token_type\":\"refresh\"", ",\"token_type\":\"refresh_token \"",
        ",\"token_type\":\"urn:ietf:params:oauth:token-type:access_token\"",
        ",\"typ\":\"ID\"", ",\"typ\":\"Refresh \"",
        /* only a string typ speaks */
        ",\"typ\":[\"Refresh\"]", ",\"typ\":{\"Refresh\":1}",
        ",\"typ\":null", ",\"ty\":\"Refresh\"",
        ",\"o\":{\"typ\":\"Refresh\",\"token_type\":\"refresh_token\"}",
    };
    apr_size_t i;

    for (i = 0; i < sizeof(refresh) / sizeof(refresh[0]); i++) {
        if (check_with(p, refresh[i]) != MAI_STATUS_REFRESH_TOKEN) {
            fail_msg("not refused as a refresh token: %s", refresh[i]);
        }
    }
    for (i = 0; i < sizeof(access) / sizeof(access[0]); i++) {
        if (check_with(p, access[i]) != MAI_OK) {
            fail_msg("refused: %s", access[i]);
        }
    }
    /* an inactive answer stays INACTIVE whatever it says */
    assert_int_equal(check(parse_ok(p, "{\"typ\":\"Refresh\"}"), 2000, 0,
                           NULL), MAI_STATUS_INACTIVE);
}

/* AuthIntrospectTokenTypes: token_type must be present and listed. */
static void test_token_types(void **state)
{
    apr_pool_t *p = *state;
    apr_array_header_t *types = apr_array_make(p, 2, sizeof(char *));
    apr_array_header_t *none = apr_array_make(p, 1, sizeof(char *));
    const mai_result_t *r;

    APR_ARRAY_PUSH(types, const char *) = "Bearer";
    APR_ARRAY_PUSH(types, const char *) = "N_A";
#define TYPED(extra, list) \
    mai_result_check(active_at(p, extra), 2000, 0, NULL, list)
    assert_int_equal(TYPED(",\"token_type\":\"Bearer\"", types), MAI_OK);
    assert_int_equal(TYPED(",\"token_type\":\"bEARER\"", types), MAI_OK);
    assert_int_equal(TYPED(",\"token_type\":\"n_a\"", types), MAI_OK);
    /* missing (oidc-provider's refresh tokens), other, near misses */
    assert_int_equal(TYPED("", types), MAI_STATUS_WRONG_TOKEN_TYPE);
    assert_int_equal(TYPED(",\"token_type\":\"access_token\"", types),
                     MAI_STATUS_WRONG_TOKEN_TYPE);
    assert_int_equal(TYPED(",\"token_type\":\"\"", types),
                     MAI_STATUS_WRONG_TOKEN_TYPE);
    assert_int_equal(TYPED(",\"token_type\":\"Bearer \"", types),
                     MAI_STATUS_WRONG_TOKEN_TYPE);
    assert_int_equal(TYPED(",\"o\":{\"token_type\":\"Bearer\"}", types),
                     MAI_STATUS_WRONG_TOKEN_TYPE);
    /* an empty list (an .htaccess that kept nothing) refuses all */
    assert_int_equal(TYPED(",\"token_type\":\"Bearer\"", none),
                     MAI_STATUS_WRONG_TOKEN_TYPE);
    /* no list: anything, or nothing */
    assert_int_equal(TYPED("", NULL), MAI_OK);
    assert_int_equal(TYPED(",\"token_type\":\"mac\"", NULL), MAI_OK);

    /* the fixed refusals say what they are, even when listed */
    APR_ARRAY_PUSH(types, const char *) = "DPoP";
    APR_ARRAY_PUSH(types, const char *) = "refresh_token";
    assert_int_equal(TYPED(",\"token_type\":\"DPoP\"", types),
                     MAI_STATUS_DPOP_TOKEN);
    assert_int_equal(TYPED(",\"token_type\":\"refresh_token\"", types),
                     MAI_STATUS_REFRESH_TOKEN);
    assert_int_equal(TYPED(",\"token_type\":\"Bearer\",\"typ\":\"Offline\"",
                           types), MAI_STATUS_REFRESH_TOKEN);
    assert_int_equal(TYPED(",\"token_type\":\"Bearer\",\"cnf\":{\"jkt\":\"a\"}",
                           types), MAI_STATUS_BOUND_TOKEN);
#undef TYPED
    r = parse_ok(p, "{\"active\":false,\"token_type\":\"x\"}");
    assert_int_equal(mai_result_check(r, 2000, 0, NULL, types),
                     MAI_STATUS_INACTIVE);

    /* the types no list may hold */
    assert_int_equal(mai_result_type_refusal("Refresh_Token"),
                     MAI_STATUS_REFRESH_TOKEN);
    assert_int_equal(mai_result_type_refusal(
                         "urn:ietf:params:oauth:token-type:refresh_token"),
                     MAI_STATUS_REFRESH_TOKEN);
    assert_int_equal(mai_result_type_refusal("dpop"), MAI_STATUS_DPOP_TOKEN);
    assert_int_equal(mai_result_type_refusal("Bearer"), MAI_OK);
    assert_int_equal(mai_result_type_refusal(NULL), MAI_OK);
}

/* Sender-constrained tokens: refused unless the location checks the
 * binding (a certificate thumbprint: authn.c). */
static void test_bound_tokens(void **state)
{
    apr_pool_t *p = *state;
    static const char *const bound[] = {
        ",\"cnf\":{\"jkt\":\"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I\"}",
        ",\"token_type\":\"Bearer\",\"cnf\":{\"jkt\":\"a\"}",
        /* a thumbprint that is no string, or beside an unchecked member */
        ",\"cnf\":{\"x5t#S256\":1}",
        ",\"cnf\":{\"x5t#S256\":\"a\",\"jkt\":\"a\"}",
        /* a method this module does not know, and odd shapes: closed */
        ",\"cnf\":{\"jwk\":{\"kty\":\"EC\"}}", ",\"cnf\":{\"kid\":\"k1\"}",
        ",\"cnf\":{\"x\":null}", ",\"cnf\":\"jkt\"", ",\"cnf\":[]",
        ",\"cnf\":false", ",\"cnf\":0",
    };
    static const char *const dpop[] = {
        ",\"token_type\":\"DPoP\"", ",\"token_type\":\"dpop\"",
        ",\"token_type\":\"DPOP\",\"cnf\":{\"jkt\":\"a\"}",
    };
    static const char *const plain[] = {
        ",\"cnf\":{}", ",\"cnf\":null", ",\"o\":{\"cnf\":{\"jkt\":\"a\"}}",
        ",\"CNF\":{\"jkt\":\"a\"}", ",\"token_type\":\"DPoP-ish\"",
        /* RFC 8705: authn.c checks the certificate (cert_bound.c) */
        ",\"cnf\":{\"x5t#S256\":"
        "\"bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2\"}",
    };
    apr_size_t i;

    for (i = 0; i < sizeof(bound) / sizeof(bound[0]); i++) {
        if (check_with(p, bound[i]) != MAI_STATUS_BOUND_TOKEN) {
            fail_msg("not refused as bound: %s", bound[i]);
        }
    }
    for (i = 0; i < sizeof(dpop) / sizeof(dpop[0]); i++) {
        if (check_with(p, dpop[i]) != MAI_STATUS_DPOP_TOKEN) {
            fail_msg("not refused as DPoP: %s", dpop[i]);
        }
    }
    for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
        if (check_with(p, plain[i]) != MAI_OK) {
            fail_msg("refused: %s", plain[i]);
        }
    }
    /* 401 invalid_token, logged at info like every token failure */
    assert_int_equal(mai_status_http(MAI_STATUS_BOUND_TOKEN), 401);
    assert_string_equal(mai_status_bearer_error(MAI_STATUS_DPOP_TOKEN),
                        "invalid_token");
    assert_int_equal(mai_status_log_level(MAI_STATUS_BOUND_TOKEN),
                     MAI_LOG_INFO);
}

static apr_array_header_t *names(apr_pool_t *p, const char *a,
                                 const char *b, const char *c)
{
    apr_array_header_t *n = apr_array_make(p, 3, sizeof(const char *));

    APR_ARRAY_PUSH(n, const char *) = a;
    APR_ARRAY_PUSH(n, const char *) = b;
    APR_ARRAY_PUSH(n, const char *) = c;
    return n;
}

static void test_user(void **state)
{
    apr_pool_t *p = *state;
    const mai_result_t *r = parse_ok(p,
        "{\"empty\":\"\",\"flag\":true,\"list\":[\"x\"],\"n\":null,"
        "\"uid\":1001,\"sub\":\"s-1\",\"username\":\"jdoe\"}");

    assert_string_equal(mai_result_user(r, names(p, "username", "sub", "x")),
                        "jdoe");
    assert_string_equal(mai_result_user(r, names(p, "empty", "sub", "x")),
                        "s-1");
    assert_string_equal(mai_result_user(r, names(p, "flag", "list", "uid")),
                        "1001");
    assert_string_equal(mai_result_user(r, names(p, "n", "missing", "sub")),
                        "s-1");
    assert_null(mai_result_user(r, names(p, "empty", "flag", "list")));
    assert_null(mai_result_user(r, apr_array_make(p, 1, sizeof(char *))));
}

static void test_copy_is_deep(void **state)
{
    apr_pool_t *sub, *p = *state;
    const mai_result_t *orig;
    mai_result_t *c;
    int i;

    assert_int_equal(apr_pool_create(&sub, p), APR_SUCCESS);
    orig = parse_ok(sub, FULL);
    c = mai_result_copy(p, orig);
    /* scribble over everything the original owned, then free it */
    apr_pool_clear(sub);
    for (i = 0; i < 256; i++) {
        memset(apr_palloc(sub, 4000), 0x55, 4000);
    }
    apr_pool_destroy(sub);

    assert_int_equal(c->active, 1);
    assert_true(c->exp == 1700003600);
    assert_true(c->nbf == 1699999990);
    assert_string_equal(c->iss, "https://as.example/");
    assert_string_equal(c->client_id, "app-1");
    assert_string_equal(c->token_type, "Bearer");
    assert_int_equal(c->nscopes, 3);
    assert_string_equal(c->scopes[2], "admin");
    assert_int_equal(c->nauds, 2);
    assert_string_equal(c->auds[1], "api");
    assert_int_equal(c->nclaims, 11);
    assert_string_equal(c->claims[9].name, "aud");
    assert_string_equal(c->claims[9].text, "https://rs.example api");
    assert_string_equal(c->claims[9].items[1], "api");
    assert_string_equal(mai_result_claim(c, "sub")->items[0],
                        "Z5O3upPC88QrAjx00dis");
    assert_string_equal(c->json, FULL);
}

static void test_json_reparses(void **state)
{
    const mai_result_t *r = parse_ok(*state,
        "{ \"active\" : true , \"o\" : { \"k\" : [ 1 , \"a/b\" ] } }");
    const mai_result_t *again = parse_ok(*state, r->json);

    assert_string_equal(r->json, "{\"active\":true,\"o\":{\"k\":[1,\"a/b\"]}}");
    assert_string_equal(again->json, r->json);
    assert_int_equal(again->active, 1);
}

/* The compact text is the answer as sent, less the whitespace between
 * tokens: escapes are not rewritten (the parsed tree is never serialised
 * again), and it parses to the same values. */
static void test_json_as_sent(void **state)
{
    const mai_result_t *r = parse_ok(*state,
        "\r\n{ \"active\":\ttrue, \"u\" : \"a\\/b \\u00e9\\\" x\",\n"
        "  \"n\": [ 1.50 , -2e3 ] }  ");
    const mai_result_t *again = parse_ok(*state, r->json);

    assert_string_equal(r->json, "{\"active\":true,\"u\":\"a\\/b \\u00e9"
                        "\\\" x\",\"n\":[1.50,-2e3]}");
    assert_string_equal(mai_result_claim(r, "u")->text, "a/b \xc3\xa9\" x");
    assert_string_equal(again->json, r->json);
}

/* A look-up by name reads the claims' one-byte tags first: each claim
 * is found, whatever its place, and a name whose tag is a present
 * claim's (tags are one byte: 1 in 256 names) is still told apart. */
static void test_claim_by_tag(void **state)
{
    apr_pool_t *p = *state;
    const mai_result_t *r = parse_ok(p, FULL);
    unsigned char sub_tag = mai_claim_name_tag("sub");
    const char *twin = NULL;
    int i;

    assert_non_null(r->name_tags);
    for (i = 0; i < r->nclaims; i++) {
        assert_int_equal(r->name_tags[i],
                         mai_claim_name_tag(r->claims[i].name));
        assert_ptr_equal(mai_result_claim(r, r->claims[i].name),
                         &r->claims[i]);
    }
    for (i = 0; !twin && i < 26 * 26 * 26; i++) {
        const char *n = apr_psprintf(p, "%c%c%c", 'a' + i / 676,
                                     'a' + i / 26 % 26, 'a' + i % 26);
        if (mai_claim_name_tag(n) == sub_tag && strcmp(n, "sub")) {
            twin = n;
        }
    }
    assert_non_null(twin);
    assert_non_null(mai_result_claim(r, "sub"));
    assert_null(mai_result_claim(r, twin));
    assert_null(mai_result_claim(r, "typ"));
    assert_null(mai_result_claim(r, ""));
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST(test_claim_by_tag),
    UNIT_TEST(test_full_response),
    UNIT_TEST(test_absent_fields),
    UNIT_TEST(test_active_only_true),
    UNIT_TEST(test_duplicate_members),
    UNIT_TEST(test_nul_in_member_name),
    UNIT_TEST(test_time_members),
    UNIT_TEST(test_string_members),
    UNIT_TEST(test_claim_texts),
    UNIT_TEST(test_not_an_object),
    UNIT_TEST(test_limits),
    UNIT_TEST(test_jsonc_strings),
    UNIT_TEST(test_jsonc_numbers),
    UNIT_TEST(test_jsonc_texts),
    UNIT_TEST(test_fault_order),
    UNIT_TEST(test_check),
    UNIT_TEST(test_refresh_tokens),
    UNIT_TEST(test_bound_tokens),
    UNIT_TEST(test_token_types),
    UNIT_TEST(test_user),
    UNIT_TEST(test_copy_is_deep),
    UNIT_TEST(test_json_reparses),
    UNIT_TEST(test_json_as_sent),
};
UNIT_MAIN(tests)
