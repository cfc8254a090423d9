#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check_spdx.sh: every C source and header of the module, its tests and
# tools carries the licence line (LICENSE, Apache-2.0) in its first two
# lines, so a file copied out of the tree still says what it is under.
#
# Run by `make check` (automake TESTS: exit 0 pass, 1 fail).
here=$(cd "$(dirname "$0")" && pwd)
top=${top_srcdir:-$here/../..}
cd "$top" || exit 1
tag='SPDX-License-Identifier: Apache-2.0'
bad=0
for f in mod_auth_introspect.c src/*/*.c src/*/*.h tests/unit/*.c tests/unit/*.h \
         tests/fuzz/*.c tests/fuzz/*.h tests/tools/*.sh scripts/*; do
    [ -f "$f" ] || continue
    if ! head -n 2 "$f" | grep -q "$tag"; then
        echo "check_spdx: $f has no '$tag' line at its top"
        bad=1
    fi
done
exit $bad
