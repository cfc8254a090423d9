#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check_layers.sh: the #include lines of src/ keep the layering
# (glue -> src/httpd -> src/io -> src/pure; docs/architecture.md). The link
# already catches an ap_* call in a pure file; this catches what the link
# cannot: a header that drags httpd, the clock, sockets or the logger into
# a layer that must not see them.
#
# A file's layer is its directory. The one definition of the layers is
# Makefile.am's PURE_SOURCES, IO_SOURCES and HTTPD_SOURCES: every .c under
# src/pure, src/io and src/httpd must be in its directory's list and every
# listed file must exist, so the build and this check cannot disagree.
#
# Run by `make check` (automake TESTS: exit 0 pass, 1 fail). Reads
# $top_srcdir, default the repository root above this script. Prints each
# violation as file:line: message.

here=$(cd "$(dirname "$0")" && pwd)
top=${top_srcdir:-$here/../..}

for d in pure io httpd; do
    if [ ! -d "$top/src/$d" ]; then
        echo "check_layers: no src/$d directory under '$top'" >&2
        exit 1
    fi
done

# The list VAR of Makefile.am (continuation lines joined), one per line.
listed() {
    sed -n "/^$1 *=/,/[^\\]\$/p" "$top/Makefile.am" \
        | sed -e "s/^$1 *=//" -e 's/\\$//' | tr ' \t' '\n\n' | grep -v '^$'
}

status=0
for pair in pure:PURE_SOURCES io:IO_SOURCES httpd:HTTPD_SOURCES; do
    d=${pair%%:*}
    var=${pair#*:}
    list=$(listed "$var")
    for f in "$top"/src/"$d"/*.c; do
        [ -f "$f" ] || continue
        rel=src/$d/${f##*/}
        if ! printf '%s\n' "$list" | grep -qx "$rel"; then
            echo "$rel:1: not in Makefile.am's $var (the build must link it)"
            status=1
        fi
    done
    for rel in $list; do
        case $rel in
        src/$d/*.c) [ -f "$top/$rel" ] || {
            echo "Makefile.am: $var lists $rel, which does not exist"
            status=1; } ;;
        *) echo "Makefile.am: $var lists $rel, which is not in src/$d"
           status=1 ;;
        esac
    done
    for f in "$top"/src/"$d"/*; do
        case $f in *.c|*.h) ;; *) continue ;; esac
        [ -f "$f" ] || continue
        base=${f##*/}
        base=${base%.*}
        eval "names_$d=\"\${names_$d} $base\""
    done
done
for f in "$top"/src/*.c "$top"/src/*.h; do
    [ -f "$f" ] || continue
    echo "src/${f##*/}:1: file is in no layer: move it into src/pure, src/io or src/httpd"
    status=1
done
PURE=$names_pure
IO=$names_io
HTTPD=$names_httpd
# Deliberate exceptions, as base:header pairs (e.g. "url:arpa/inet.h" if
# inet_pton is ever judged acceptable in P). Each needs a reason here.
EXCEPTIONS=""

for f in "$top"/src/pure/* "$top"/src/io/* "$top"/src/httpd/*; do
    case $f in *.c|*.h) ;; *) continue ;; esac
    [ -f "$f" ] || continue
    rel=${f#"$top"/}
    awk -v rel="$rel" -v pure="$PURE" -v io="$IO" -v hl="$HTTPD" \
        -v exceptions="$EXCEPTIONS" '
function own_layer(h,    b)
{
    b = h
    sub(/^.*\//, "", b)
    if (b !~ /\.h$/)
        return ""
    sub(/\.h$/, "", b)
    if (b in P) return "P"
    if (b in I) return "IO"
    if (b in H) return "H"
    return ""
}
function is_httpd(h)
{
    return h ~ /^(httpd|scoreboard|mpm_common|unixd|ap_mpm)\.h$/ ||
           h ~ /^(http|ap|util|mod)_[A-Za-z0-9_]*\.h$/
}
function is_socket(h)
{
    return h ~ /^(sys\/socket|sys\/un|netdb|arpa\/inet)\.h$/ ||
           h ~ /^netinet\//
}
function is_clock(h)
{
    return h == "time.h" || h == "sys/time.h" || h == "sys/times.h"
}
function is_lib(h)
{
    return h ~ /^ap[ru][A-Za-z0-9_]*\.h$/ || h ~ /^openssl\// ||
           h ~ /^json-c\// || h == "json.h"
}
function bad(msg)
{
    printf "%s:%d: %s\n", rel, FNR, msg
    nbad++
}
function check_pure(h, own)
{
    if (own == "P" || is_lib(h) || (h in STD))
        return
    if (own == "IO" && h ~ /(^|\/)log\.h$/)
        bad("pure file includes " h ": no logging in the pure layer")
    else if (own == "IO")
        bad("pure file includes IO header " h)
    else if (own == "H")
        bad("pure file includes httpd-facing header " h)
    else if (is_clock(h))
        bad("pure file includes " h ": no clock in the pure layer " \
            "(time is passed in)")
    else if (is_socket(h))
        bad("pure file includes " h ": no sockets in the pure layer")
    else if (is_httpd(h))
        bad("pure file includes httpd header " h)
    else
        bad("pure file includes " h ": only libc, APR/APR-util, OpenSSL " \
            "and json-c headers are allowed")
}
function check_io(h, own, b)
{
    b = h
    sub(/^.*\//, "", b)
    if (own == "P" || own == "IO")
        return
    if (own == "H")
        bad("IO file includes httpd-facing header " h)
    else if (is_httpd(h))
        bad("IO file includes httpd header " h)
}
BEGIN {
    n = split(pure, a, /[ \t\n]+/)
    for (i = 1; i <= n; i++) if (a[i] != "") P[a[i]] = 1
    n = split(io, a, /[ \t\n]+/)
    for (i = 1; i <= n; i++) if (a[i] != "") I[a[i]] = 1
    n = split(hl, a, /[ \t\n]+/)
    for (i = 1; i <= n; i++) if (a[i] != "") H[a[i]] = 1
    # C11 headers plus POSIX strings.h (strcasecmp); time.h is left out
    # on purpose (no clock in P).
    n = split("assert.h complex.h ctype.h errno.h fenv.h float.h " \
              "inttypes.h iso646.h limits.h locale.h math.h setjmp.h " \
              "signal.h stdalign.h stdarg.h stdatomic.h stdbool.h stddef.h " \
              "stdint.h stdio.h stdlib.h stdnoreturn.h string.h tgmath.h " \
              "threads.h uchar.h wchar.h wctype.h strings.h", a, " ")
    for (i = 1; i <= n; i++) STD[a[i]] = 1
    n = split(exceptions, a, /[ \t\n]+/)
    for (i = 1; i <= n; i++) if (a[i] != "") EXC[a[i]] = 1

    base = rel
    sub(/^.*\//, "", base)
    sub(/\.[ch]$/, "", base)
    layer = (base in P) ? "P" : (base in I) ? "IO" : (base in H) ? "H" : ""
    if (layer == "") {
        printf "%s:1: file is in no layer\n", rel
        nbad++
        exit
    }
    # No clock or socket call in P either: apr_time.h and
    # apr_network_io.h are allowed for their types, not for these.
    q = sprintf("%c", 39)
    lexeme = "/\\*|//|\"([^\"\\\\]|\\\\.)*\"|" q "([^" q "\\\\]|\\\\.)*" q
    banned_call = "(^|[^A-Za-z0-9_.>])(apr_time_now|time|gettimeofday|" \
                  "clock_gettime|apr_socket_[a-z_]+|ap_[a-z_]+|mai_log)" \
                  "[ \t]*\\("
}
{
    line = $0
    was_comment = incomment
    # Strip comments (possibly spanning lines) and string literals, so a
    # word in either is not mistaken for code.
    code = ""
    while (line != "") {
        if (incomment) {
            p = index(line, "*/")
            if (p == 0) { line = ""; break }
            line = substr(line, p + 2)
            incomment = 0
            code = code " "
            continue
        }
        if (match(line, lexeme)) {
            tok = substr(line, RSTART, 2)
            code = code substr(line, 1, RSTART - 1)
            if (tok == "/*") {
                incomment = 1
                line = substr(line, RSTART + 2)
            } else if (tok == "//") {
                line = ""
            } else {
                code = code "\"\""  # a string or character literal
                line = substr(line, RSTART + RLENGTH)
            }
        } else {
            code = code line
            line = ""
        }
    }

    if ($0 ~ /^[ \t]*#[ \t]*include[ \t]*[<"]/ && !was_comment) {
        h = $0
        sub(/^[ \t]*#[ \t]*include[ \t]*[<"]/, "", h)
        sub(/[>"].*$/, "", h)
        own = own_layer(h)
        if ((base ":" h) in EXC)
            next
        if (h ~ /(^|\/)mod_auth_introspect\.[ch]$/)
            bad("includes the glue " h ": nothing depends on the glue")
        else if (layer == "P")
            check_pure(h, own)
        else if (layer == "IO")
            check_io(h, own)
        next
    }
    if (layer != "P" || rel !~ /\.c$/)
        next
    while (match(code, banned_call)) {
        call = substr(code, RSTART, RLENGTH)
        code = substr(code, RSTART + RLENGTH)
        sub(/^[^A-Za-z_]/, "", call)
        sub(/[ \t]*\($/, "", call)
        bad("pure file calls " call "(): no clock, socket, httpd or " \
            "logging calls in the pure layer")
    }
}
END { exit nbad ? 1 : 0 }
' "$f" || status=1
done

if [ "$status" -ne 0 ]; then
    echo "check_layers: layering violations (see docs/architecture.md)" >&2
fi
exit $status
