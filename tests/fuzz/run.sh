#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# run.sh TIME [TARGET...] | run.sh --build-only
#
# Build the libFuzzer targets with clang (-fsanitize=fuzzer,address,
# undefined, every UBSan finding fatal) and run each for TIME seconds on a
# fresh copy of its seed corpus in tests/fuzz/corpus/<target>. Exits 1 when
# any target crashes, leaks, times out on one input or runs out of memory,
# after printing the log tail and the path of the crashing input (copy it
# into the corpus once fixed, so `make check` replays it from then on).
#
# Needs no configure: flags come from apr-1-config, apu-1-config and
# pkg-config, and the pure sources from PURE_SOURCES in Makefile.am (plus
# the IO files the JOSE target needs, src/io/jose.c with the proof-key
# cache it keeps, src/io/key_cache.c, and cjose; and
# for fuzz_result_diff the json-c oracle, tests/oracle/result_jsonc.c).
# Environment: FUZZ_CC (clang), FUZZ_OUT (tests/fuzz/out under the source
# tree), FUZZ_ARGS (more libFuzzer flags, e.g. -jobs=2 -workers=2).
set -eu

usage() {
    echo "usage: $0 TIME [TARGET...] | $0 --build-only" >&2
    exit 2
}

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cc=${FUZZ_CC:-clang}
out=${FUZZ_OUT:-$here/out}
all="fuzz_token fuzz_http_wire fuzz_result fuzz_url fuzz_cache_entry"
all="$all fuzz_purge_form"
all="$all fuzz_proxy"
all="$all fuzz_as_metadata"
all="$all fuzz_cert_bind"
all="$all fuzz_dpop"
all="$all fuzz_jose"
all="$all fuzz_jwt_access_token"
all="$all fuzz_result_diff"

[ $# -ge 1 ] || usage
build_only=0
if [ "$1" = --build-only ]; then
    build_only=1
    time=0
else
    time=$1
    # libFuzzer reads -max_total_time=0 as "forever": refuse it
    case $time in
    '' | *[!0-9]* | 0) usage ;;
    esac
fi
shift
targets=${*:-$all}

apr_config=$(command -v apr-1-config || true)
apu_config=$(command -v apu-1-config || true)
if [ -z "$apr_config" ] || [ -z "$apu_config" ]; then
    echo "run.sh: apr-1-config/apu-1-config not found" >&2
    exit 2
fi
cflags="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
 -fno-sanitize-recover=all -Wall -Wextra -Wno-unused-parameter"
cppflags="-I$top/src/pure -I$top/src/io -I$here -I$top/tests/oracle \
 $($apr_config --cflags --cppflags --includes) \
 $($apu_config --includes) $(pkg-config --cflags json-c libssl libcrypto cjose)"
libs="$($apu_config --link-ld --libs) $($apr_config --link-ld --libs) \
 $(pkg-config --libs json-c libssl libcrypto cjose)"
pure=$(sed -n '/^PURE_SOURCES *=/,/[^\\]$/p' "$top/Makefile.am" |
    sed 's/^PURE_SOURCES *=//; s/\\//g')
[ -n "$pure" ] || {
    echo "run.sh: no PURE_SOURCES in $top/Makefile.am" >&2
    exit 2
}

# Rebuild everything when a source, a header, this script or the flags
# changed since the last build: a few seconds, and never a stale binary.
build() {
    mkdir -p "$out/obj" "$out/bin"
    sig="$cc $cflags $cppflags $libs $pure"
    if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$sig" ] &&
        [ -z "$(find "$top/src" "$here" "$top/tests/oracle" \
            "$top/Makefile.am" -newer "$out/stamp" \( -name '*.[ch]' \
            -o -name run.sh -o -name Makefile.am \) -print 2>/dev/null |
            head -1)" ]; then
        return 0
    fi
    echo "run.sh: building with $cc into $out"
    rm -f "$out/stamp" "$out"/obj/*.o
    objs=
    for s in $pure src/io/jose.c src/io/key_cache.c tests/fuzz/fuzz_pool.c; do
        o="$out/obj/$(basename "$s" .c).o"
        # shellcheck disable=SC2086
        $cc $cflags $cppflags -c "$top/$s" -o "$o"
        objs="$objs $o"
    done
    for t in $all; do
        # fuzz_result_diff also links the json-c oracle it compares with
        extra=
        [ "$t" != fuzz_result_diff ] ||
            extra="$top/tests/oracle/result_jsonc.c"
        # shellcheck disable=SC2086
        $cc $cflags $cppflags "$here/$t.c" $extra $objs $libs \
            -o "$out/bin/$t"
    done
    echo "$sig" >"$out/stamp"
}

# The longest input worth trying: past each parser's limits where the
# limits are small enough to reach (a 4 KiB token, 64 KiB claim text).
max_len() {
    case $1 in
    fuzz_http_wire) echo 20000 ;;
    fuzz_result | fuzz_result_diff) echo 70000 ;;
    fuzz_token) echo 9000 ;;
    fuzz_purge_form) echo 13000 ;;
    fuzz_jose) echo 8192 ;;
    *) echo 4096 ;;
    esac
}

build
[ "$build_only" = 0 ] || exit 0

failed=
for t in $targets; do
    case " $all " in
    *" $t "*) ;;
    *) echo "run.sh: unknown target $t" >&2; exit 2 ;;
    esac
    work="$out/work/$t"
    rm -rf "$work"
    mkdir -p "$work/corpus" "$work/artifacts"
    cp "$here/corpus/$t"/* "$work/corpus/"
    dict=
    [ ! -f "$here/${t#fuzz_}.dict" ] || dict="-dict=$here/${t#fuzz_}.dict"
    set +e
    # shellcheck disable=SC2086
    "$out/bin/$t" -max_total_time="$time" -timeout=10 -rss_limit_mb=2048 \
        -max_len="$(max_len "$t")" -print_final_stats=1 \
        -artifact_prefix="$work/artifacts/" $dict ${FUZZ_ARGS:-} \
        "$work/corpus" >"$work/log" 2>&1
    rc=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log")
    cov=$(grep -E '^#[0-9]+' "$work/log" | tail -1 | grep -oE \
        '(cov|ft|corp): [^ ]+' | tr '\n' ' ')
    if [ "$rc" -eq 0 ]; then
        echo "PASS $t: ${time}s, ${runs:-?} runs, ${rate:-?} exec/s, $cov"
    else
        echo "FAIL $t: exit $rc after ${runs:-?} runs; log $work/log"
        tail -40 "$work/log" | sed 's/^/    /'
        find "$work/artifacts" -type f | sed 's/^/    input: /'
        failed="$failed $t"
    fi
done
if [ -n "$failed" ]; then
    echo "run.sh: crashes in:$failed"
    exit 1
fi
