#!/usr/bin/env python3
"""Lists Swift functions longer than a limit (60 lines by default).

    scripts/long-functions.py [--max N] [PATH...]     (default PATH: Sources)

A function's length runs from the line of its `func`/`init`/`deinit`/
`subscript` keyword to the line of the `}` that closes its body. Braces are
counted in code only: string literals (with interpolations, multi-line and raw
strings) and comments are blanked first, because a naive count sees the `{` of
`case "{":` and runs the function on to the end of the file. Exits 1 when
something is over the limit, so it can run as a check.
"""
import os
import re
import sys

DECL = re.compile(r'\b(func\s+[^\s(<]+|init[?!]?(?=\s*[(<])|deinit\b|subscript(?=\s*[(<]))')


def blank_literals(text):
    """The text with string contents and comments replaced by spaces (line breaks kept)."""
    out = []
    i, n = 0, len(text)
    # Each open string: (hashes, multiline, paren depth of the interpolation we are in).
    stack = []  # code inside interpolations: count parens to find the closing one

    def keep(ch):
        out.append(ch if ch == '\n' else ' ')

    def in_string():
        return stack and stack[-1][2] is None

    while i < n:
        c = text[i]
        if in_string():
            hashes, multi, _ = stack[-1]
            close = ('"""' if multi else '"') + '#' * hashes
            if text.startswith(close, i):
                stack.pop()
                out.append(' ' * len(close))
                i += len(close)
            elif c == '\\' and text.startswith('#' * hashes + '(', i + 1):
                width = 2 + hashes
                out.append(' ' * width)
                i += width
                stack[-1] = (hashes, multi, 0)  # now in code, at paren depth 0
            elif c == '\\' and i + 1 < n:
                keep(c)
                keep(text[i + 1])
                i += 2
            else:
                keep(c)
                i += 1
            continue
        # In code (top level or inside an interpolation).
        if text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        elif text.startswith('/*', i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith('/*', j):
                    depth, j = depth + 1, j + 2
                elif text.startswith('*/', j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            for ch in text[i:j]:
                keep(ch)
            i = j
        elif c == '#' or c == '"':
            m = re.match(r'(#*)("""|")', text[i:i + 64])
            if not m:
                out.append(c)
                i += 1
                continue
            out.append(' ' * len(m.group(0)))
            i += len(m.group(0))
            stack.append((len(m.group(1)), m.group(2) == '"""', None))
        elif stack and c in '()':
            hashes, multi, depth = stack[-1]
            if c == ')' and depth == 0:
                stack[-1] = (hashes, multi, None)  # the interpolation ends: back in the string
                out.append(' ')
            else:
                stack[-1] = (hashes, multi, depth + (1 if c == '(' else -1))
                out.append(c)
            i += 1
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def functions(code):
    """(name, first line, last line) of every function with a body."""
    line_of = []
    line = 1
    for ch in code:
        line_of.append(line)
        if ch == '\n':
            line += 1
    found = []
    for m in DECL.finditer(code):
        depth, j = 0, m.end()
        body = None
        while j < len(code):
            ch = code[j]
            if ch in '([<':
                depth += 1
            elif ch in ')]>' and not (ch == '>' and code[j - 1] == '-'):
                depth -= 1
            elif ch == '{' and depth <= 0:
                body = j
                break
            elif depth <= 0 and (ch == '}' or re.match(r'\b(func|var|let|case|init|deinit|subscript)\b', code[j:j + 10])
                                 and code[j - 1] in ' \n\t'):
                break  # a requirement without a body (protocols)
            j += 1
        if body is None:
            continue
        level, k = 0, body
        while k < len(code):
            if code[k] == '{':
                level += 1
            elif code[k] == '}':
                level -= 1
                if level == 0:
                    break
            k += 1
        found.append((m.group(1).split()[-1], line_of[m.start()], line_of[min(k, len(code) - 1)]))
    return found


def main(argv):
    limit = 60
    if argv[:1] == ['--max']:
        limit, argv = int(argv[1]), argv[2:]
    paths = argv or ['Sources']
    files = []
    for p in paths:
        if os.path.isdir(p):
            for root, _, names in os.walk(p):
                files += [os.path.join(root, f) for f in names if f.endswith('.swift')]
        else:
            files.append(p)
    over = []
    for path in sorted(files):
        with open(path, encoding='utf-8') as f:
            code = blank_literals(f.read())
        for name, first, last in functions(code):
            if last - first + 1 > limit:
                over.append((last - first + 1, path, first, name))
    for length, path, first, name in sorted(over, reverse=True):
        print(f'{length:5d} {path}:{first} {name}')
    return 1 if over else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
