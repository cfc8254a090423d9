#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check_directives.sh: the directive table and docs/directives.md agree.
#
# Every directive registered in mod_auth_introspect.c (AP_INIT_*("Name",
# ...)) has a "## Name" section in docs/directives.md, and every
# "## AuthIntrospect..." section there is registered. Each such section
# carries the Description, Syntax, Default, Context, Override and Module
# lines of httpd's module docs, and its Context agrees with the directive's
# req_override flags: a directive the table allows in .htaccess (OR_*)
# must say so, and one it keeps out of .htaccess (the endpoint and
# credential directives) must not claim otherwise; likewise for "server
# config" (RSRC_CONF) and "directory" (ACCESS_CONF or OR_*).
#
# Run by `make check` (automake TESTS: exit 0 pass, 1 fail). Reads
# $top_srcdir, default the repository root above this script.

here=$(cd "$(dirname "$0")" && pwd)
top=${top_srcdir:-$here/../..}
py=/usr/bin/python3
[ -x "$py" ] || py=python3

exec "$py" - "$top" <<'EOF'
import os
import re
import sys

top = sys.argv[1]
GLUE = 'mod_auth_introspect.c'
DOC = os.path.join('docs', 'directives.md')
FIELDS = ('Description', 'Syntax', 'Default', 'Context', 'Override',
          'Module')
problems = []


def problem(where, msg):
    problems.append('%s: %s' % (where, msg))


def read(rel):
    path = os.path.join(top, rel)
    if not os.path.exists(path):
        problem(rel, 'does not exist')
        return None
    with open(path, encoding='utf-8', errors='replace') as fh:
        return fh.read()


def strip_comments(text):
    """Comments replaced by spaces (newlines kept); strings left intact."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith('/*', i) or text.startswith('//', i):
            end = '*/' if text[i + 1] == '*' else '\n'
            j = text.find(end, i + 2)
            j = n if j < 0 else (j + 2 if end == '*/' else j)
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
        elif text[i] in '"\'':
            j = i + 1
            while j < n and text[j] != text[i] and text[j] != '\n':
                j += 2 if text[j] == '\\' else 1
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return ''.join(out)


def split_args(code, start):
    """Top-level comma-separated arguments of the call whose '(' is at
    start, and the offset after its ')'."""
    args, depth, cur, i = [], 0, [], start
    while i < len(code):
        c = code[i]
        if c in '"\'':
            j = i + 1
            while j < len(code) and code[j] != c:
                j += 2 if code[j] == '\\' else 1
            cur.append(code[i:j + 1])
            i = j + 1
            continue
        if c == '(':
            depth += 1
            if depth == 1:
                i += 1
                continue
        elif c == ')':
            depth -= 1
            if depth == 0:
                args.append(''.join(cur).strip())
                return args, i + 1
        elif c == ',' and depth == 1:
            args.append(''.join(cur).strip())
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    return args, len(code)


def flags_of(expr, defines, depth=0):
    """The set of *_CONF / OR_* words in a req_override expression, with
    simple object-like #defines of the glue expanded."""
    words = set()
    for w in re.findall(r'[A-Za-z_][A-Za-z0-9_]*', expr):
        if w in defines and depth < 5:
            words |= flags_of(defines[w], defines, depth + 1)
        else:
            words.add(w)
    return words


glue = read(GLUE)
doc = read(DOC)
if glue is None or doc is None:
    for p in problems:
        print(p)
    sys.exit(1)

code = strip_comments(glue)
defines = dict(re.findall(r'^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)[ \t]+'
                          r'(.*?)[ \t]*$', code, re.M))
registered = {}  # name -> (line, req_override flags)
for m in re.finditer(r'\bAP_INIT_[A-Z0-9_]+\s*\(', code):
    line = code.count('\n', 0, m.start()) + 1
    where = '%s:%d' % (GLUE, line)
    args, _ = split_args(code, m.end() - 1)
    nm = re.fullmatch(r'"([^"]+)"', args[0]) if args else None
    if not nm:
        problem(where, 'directive name is not a string literal: '
                'the check needs the name spelled out')
        continue
    name = nm.group(1)
    if name in registered:
        problem(where, '%s is registered twice' % name)
        continue
    flags = flags_of(args[3], defines) if len(args) > 3 else set()
    registered[name] = (where, flags)

# Sections: "## Name" (the first word of a level-2 heading is the name).
sections = {}  # name -> (line, [body lines])
current = None
for no, text in enumerate(doc.split('\n'), 1):
    m = re.match(r'##(?!#)\s+`?([A-Za-z][\w-]*)', text)
    if m:
        current = m.group(1)
        if current in sections and current.startswith('AuthIntrospect'):
            problem('%s:%d' % (DOC, no), '## %s appears twice' % current)
        sections[current] = (no, [])
    elif re.match(r'#{1,2}(?!#)\s', text):
        current = None
    elif current:
        sections[current][1].append(text)


def field(body, name):
    for text in body:
        m = re.match(r'^[\s|*>-]*%s\s*:?[\s*:|]*(.*?)[\s|]*$' % name, text)
        if m:
            return m.group(1)
    return None


for name, (where, flags) in sorted(registered.items()):
    if name not in sections:
        problem(where, '%s has no "## %s" section in %s' % (name, name, DOC))
        continue
    no, body = sections[name]
    here_ = '%s:%d' % (DOC, no)
    values = {f: field(body, f) for f in FIELDS}
    for f in FIELDS:
        if values[f] is None:
            problem(here_, '## %s has no %s line' % (name, f))
    context = (values['Context'] or '').lower()
    override = (values['Override'] or '').lower()
    if values['Context'] is None or not flags & {
            'RSRC_CONF', 'ACCESS_CONF', 'OR_AUTHCFG', 'OR_ALL', 'OR_OPTIONS',
            'OR_FILEINFO', 'OR_INDEXES', 'OR_LIMIT', 'EXEC_ON_READ'}:
        continue
    htaccess = any(f.startswith('OR_') for f in flags)
    if htaccess != ('.htaccess' in context):
        problem(here_, '%s: Context %s ".htaccess" but the directive '
                'table %s it (%s)' % (
                    name, 'names' if '.htaccess' in context
                    else 'omits', 'allows' if htaccess
                    else 'forbids', ' | '.join(sorted(flags))))
    if 'OR_AUTHCFG' in flags and 'authconfig' not in override:
        problem(here_, '%s: Override should be AuthConfig' % name)
    if not htaccess and 'authconfig' in override:
        problem(here_, '%s: Override names AuthConfig but the directive '
                'is not allowed in .htaccess' % name)
    # httpd takes OR_AUTHCFG out of the server-level override mask, so a
    # directive needs RSRC_CONF as well to be usable outside sections.
    server = 'RSRC_CONF' in flags
    if server != ('server config' in context):
        problem(here_, '%s: Context %s "server config" but the directive '
                'table %s it (%s)' % (
                    name, 'names' if 'server config' in context
                    else 'omits', 'allows' if server else 'forbids',
                    ' | '.join(sorted(flags))))
    directory = 'ACCESS_CONF' in flags or htaccess
    if directory != ('directory' in context):
        problem(here_, '%s: Context %s "directory" but the directive '
                'table %s it (%s)' % (
                    name, 'names' if 'directory' in context else 'omits',
                    'allows' if directory else 'forbids',
                    ' | '.join(sorted(flags))))

for name, (no, _) in sorted(sections.items()):
    if name.startswith('AuthIntrospect') and name not in registered:
        problem('%s:%d' % (DOC, no), '## %s is documented but not '
                'registered in %s' % (name, GLUE))

for p in problems:
    print(p)
if problems:
    print('check_directives: %d problem(s)' % len(problems),
          file=sys.stderr)
    sys.exit(1)
print('check_directives: %d directives, all documented' % len(registered))
EOF
