#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check_lognos.sh: every log call carries its own stable tag.
#
# Each call of mai_log, ap_log_error, ap_log_rerror, ap_log_perror,
# ap_log_cerror or ap_log_cserror in src/*/*.c and mod_auth_introspect.c must
# contain exactly one MAI_LOGNO(nnnnn) with five digits; no number may be
# used twice; every number must have a row "| MAInnnnn |" in
# docs/log-messages.md and every row there must be used in the code.
#
# A call that only relays a message already tagged by its caller (the
# httpd side of the log sink) is exempt when the comment
# "check_lognos: relay" appears inside the call or on the line before it.
#
# Run by `make check` (automake TESTS: exit 0 pass, 1 fail). Reads
# $top_srcdir, default the repository root above this script.

here=$(cd "$(dirname "$0")" && pwd)
top=${top_srcdir:-$here/../..}
py=/usr/bin/python3
[ -x "$py" ] || py=python3

exec "$py" - "$top" <<'EOF'
import glob
import os
import re
import sys

top = sys.argv[1]
LOG_CALL = re.compile(r'\b(mai_log|ap_log_(?:error|rerror|perror|cerror|'
                      r'cserror))\s*\(')
LOGNO = re.compile(r'\bMAI_LOGNO\s*\(([^)]*)\)')
RELAY = 'check_lognos: relay'
# Words that may precede a call; any other identifier (or '*') before the
# name means a declaration or definition, which is not a call.
CALL_CONTEXT = {'return', 'else', 'do', 'case', 'sizeof'}
problems = []


def problem(where, msg):
    problems.append('%s: %s' % (where, msg))


def blank_code(text):
    """Comments and the contents of string and character literals replaced
    by spaces (newlines kept), so offsets and line numbers still match the
    original and a '(' in a string cannot upset the parenthesis count.
    Also returns the string literals with their offsets."""
    out = list(text)
    strings = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
        elif text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c and text[j] != '\n':
                j += 2 if text[j] == '\\' else 1
            j = min(j + 1, n)
            if c == '"':
                strings.append((i, text[i + 1:j - 1]))
            for k in range(i + 1, j - 1):
                if out[k] != '\n':
                    out[k] = ' '
            i = j
            continue
        else:
            i += 1
            continue
        for k in range(i, j):
            if out[k] != '\n':
                out[k] = ' '
        i = j
    return ''.join(out), strings


def line_of(text, pos):
    return text.count('\n', 0, pos) + 1


def is_declaration(code, pos):
    before = code[:pos].rstrip()
    if before.endswith('*'):
        return True
    m = re.search(r'([A-Za-z_][A-Za-z0-9_]*)$', before)
    return bool(m) and m.group(1) not in CALL_CONTEXT


def call_end(code, open_paren):
    depth = 0
    for k in range(open_paren, len(code)):
        if code[k] == '(':
            depth += 1
        elif code[k] == ')':
            depth -= 1
            if depth == 0:
                return k + 1
    return -1


files = sorted(glob.glob(os.path.join(top, 'src', '*', '*.c')))
glue = os.path.join(top, 'mod_auth_introspect.c')
if os.path.exists(glue):
    files.append(glue)

used = {}  # number -> first "file:line"
for path in files:
    rel = os.path.relpath(path, top)
    with open(path, encoding='utf-8', errors='replace') as fh:
        text = fh.read()
    code, strings = blank_code(text)
    lines = text.split('\n')

    for m in LOG_CALL.finditer(code):
        if is_declaration(code, m.start()):
            continue
        where = '%s:%d' % (rel, line_of(text, m.start()))
        end = call_end(code, m.end() - 1)
        if end < 0:
            problem(where, '%s( without a closing parenthesis' % m.group(1))
            continue
        tags = LOGNO.findall(code, m.end(), end)
        ln = line_of(text, m.start())
        prev = lines[ln - 2] if ln >= 2 else ''
        if not tags and (RELAY in text[m.start():end] or RELAY in prev):
            continue
        if not tags:
            problem(where, '%s() without MAI_LOGNO(nnnnn)' % m.group(1))
        elif len(tags) > 1:
            problem(where, '%s() with %d MAI_LOGNO tags, want one'
                    % (m.group(1), len(tags)))

    for m in LOGNO.finditer(code):
        where = '%s:%d' % (rel, line_of(text, m.start()))
        if re.match(r'\s*#\s*define\b', lines[line_of(text, m.start()) - 1]):
            continue
        num = m.group(1).strip()
        if not re.fullmatch(r'[0-9]{5}', num):
            problem(where, 'MAI_LOGNO(%s): the tag must be five digits'
                    % num)
        elif num in used:
            problem(where, 'MAI%s is already used at %s: every log call '
                    'needs its own number' % (num, used[num]))
        else:
            used[num] = where

    for pos, s in strings:
        if re.search(r'\bMAI[0-9]{5}\b', s):
            problem('%s:%d' % (rel, line_of(text, pos)),
                    'tag written as a literal string; use MAI_LOGNO(nnnnn)')

doc_rel = os.path.join('docs', 'log-messages.md')
doc = os.path.join(top, doc_rel)
if not os.path.exists(doc):
    problem(doc_rel, 'does not exist: every MAI_LOGNO tag must be listed '
            'there as a row "| MAInnnnn | level | meaning | what to do |"')
    documented = {}
else:
    documented = {}
    with open(doc, encoding='utf-8', errors='replace') as fh:
        for no, line in enumerate(fh, 1):
            m = re.match(r'\|\s*MAI([0-9]+)\s*\|', line)
            if not m:
                continue
            where = '%s:%d' % (doc_rel, no)
            num = m.group(1)
            if len(num) != 5:
                problem(where, 'MAI%s: the tag must be five digits' % num)
            elif num in documented:
                problem(where, 'MAI%s is listed twice (also at %s)'
                        % (num, documented[num]))
            else:
                documented[num] = where
    for num in sorted(set(used) - set(documented)):
        problem(used[num], 'MAI%s is not listed in %s' % (num, doc_rel))
    for num in sorted(set(documented) - set(used)):
        problem(documented[num], 'MAI%s is listed but no code uses it'
                % num)

for p in problems:
    print(p)
if problems:
    print('check_lognos: %d problem(s) with log tags' % len(problems),
          file=sys.stderr)
    sys.exit(1)
print('check_lognos: %d log tags, all unique and documented' % len(used))
EOF
