/* SPDX-License-Identifier: Apache-2.0 */
/* replay.c: run one fuzz target over its corpus without libFuzzer, so
 * `make check` replays every seed (and every crash kept as a regression
 * input) with the ordinary compiler and no clang.
 *
 * Usage: replay_<target> [FILE|DIR]...; with no argument it reads
 * $top_srcdir/tests/fuzz/corpus/<target> (top_srcdir defaults to "."),
 * which is how the test harness runs it. An empty or missing corpus is a
 * failure: a replay of nothing proves nothing. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fuzz.h"

#ifndef MAI_FUZZ_TARGET
#error "build with -DMAI_FUZZ_TARGET='\"fuzz_<parser>\"'"
#endif

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    long n;
    uint8_t *buf;

    if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        if (f) {
            fclose(f);
        }
        return 0;
    }
    /* exactly n bytes, as libFuzzer passes them: an over-read shows */
    buf = malloc(n ? (size_t)n : 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        fclose(f);
        free(buf);
        return 0;
    }
    fclose(f);
    printf("replay: %s (%ld bytes)\n", path, n);
    fflush(stdout);
    LLVMFuzzerTestOneInput(buf, (size_t)n);
    free(buf);
    return 1;
}

static int skip_entry(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

/* Files of dir in name order, so a failing run is reproducible. */
static int replay_dir(const char *dir, int *count)
{
    struct dirent **list;
    int i, n = scandir(dir, &list, skip_entry, alphasort), ok = 1;

    if (n < 0) {
        fprintf(stderr, "replay: cannot open %s\n", dir);
        return 0;
    }
    for (i = 0; i < n; i++) {
        size_t len = strlen(dir) + strlen(list[i]->d_name) + 2;
        char *path = malloc(len);
        if (!path) {
            abort();
        }
        snprintf(path, len, "%s/%s", dir, list[i]->d_name);
        if (replay_file(path)) {
            (*count)++;
        } else {
            ok = 0;
        }
        free(path);
        free(list[i]);
    }
    free(list);
    return ok;
}

int main(int argc, char **argv)
{
    const char *top = getenv("top_srcdir");
    char dflt[4096];
    int i, count = 0, ok = 1;
    struct stat st;

    if (argc < 2) {
        snprintf(dflt, sizeof(dflt), "%s/tests/fuzz/corpus/%s",
                 top && *top ? top : ".", MAI_FUZZ_TARGET);
        ok = replay_dir(dflt, &count);
    }
    for (i = 1; i < argc; i++) {
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            ok &= replay_dir(argv[i], &count);
        } else if (replay_file(argv[i])) {
            count++;
        } else {
            ok = 0;
        }
    }
    printf("replay: %s: %d input(s)\n", MAI_FUZZ_TARGET, count);
    return ok && count > 0 ? 0 : 1;
}
