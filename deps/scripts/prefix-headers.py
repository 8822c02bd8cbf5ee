#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Install the kernel's UAPI headers with every name prefixed.

Usage: prefix-headers.py SRC_INCLUDE_DIR OUT_DIR

SRC_INCLUDE_DIR is what `make headers_install INSTALL_HDR_PATH=X` produced
(X or X/include, holding asm/, asm-generic/, linux/, ...). Every header is
written to OUT_DIR/lkl/<same relative path> with:

  - includes of headers in the tree rewritten to <lkl/...>;
  - every name the headers define (macros, typedefs, struct/union/enum
    tags, enum constants, static inline functions) prefixed, so the result
    can be included next to the host libc's headers without clashes:
      O_RDONLY -> LKL_O_RDONLY, stat -> lkl_stat,
      __NR_openat -> __lkl__NR_openat, __u32 -> __lkl__u32,
    i.e. names starting with '_' get "__lkl" in front, other names "LKL_"
    (upper case first letter) or "lkl_". Names that already start with
    lkl_/LKL_ (after leading underscores) are left alone. A tag's name is
    prefixed everywhere, also where a member or parameter reuses it
    (struct lkl_btrfs_balance_args has a member lkl_stat);
  - the libc-detection macros the headers test (__GLIBC__, libc header
    guards) prefixed too, so the headers always take their "no libc" path
    and define everything;
  - a few struct member names that the host libc defines as macros
    prefixed, so those structs still parse: struct lkl_stat's st_atime,
    st_mtime, st_ctime become lkl_st_atime, ... (st_atime_nsec stays),
    struct lkl_sigaction's sa_handler becomes lkl_sa_handler;
  - ISO C types (int32_t, size_t, ...) never prefixed: headers that use
    them mean the libc's;
  - the right operand of ## never prefixed, and a left operand ending in
    '_' (FOO_##x) prefixed when it starts some prefixed name.

Comments and string literals are copied unchanged. The output depends only
on the input; any file that cannot be read or written is a fatal error.
"""

import bisect
import os
import re
import sys

# Struct members that glibc/musl define as object-like macros: a struct
# using them as plain members would be mangled by the host's macro.
LIBC_MACRO_MEMBERS = {
    "st_atime", "st_mtime", "st_ctime",
    "sa_handler", "sa_sigaction",
}

# Macros the headers test to find out which libc they are compiled with.
LIBC_DETECT = re.compile(
    r"^(?:__GLIBC__|__GLIBC_MINOR__|__UCLIBC__|__BIONIC__|__USE_MISC|"
    r"__USE_GNU|_UQUAD_T_|_{1,2}[A-Z][A-Z0-9_]*_H)$")

# ISO C / POSIX types that a few headers define as fallbacks for a
# missing libc and others use meaning the libc's: always the libc's.
STD_TYPES = set("""
int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t uint64_t
intptr_t uintptr_t intmax_t uintmax_t size_t ssize_t ptrdiff_t wchar_t
NULL bool true false offsetof
""".split())

KEYWORDS = set("""
auto break case char const continue default do double else enum extern
float for goto if inline int long register restrict return short signed
sizeof static struct switch typedef union unsigned void volatile while
_Bool _Complex _Imaginary _Alignas _Alignof _Atomic _Static_assert
_Noreturn _Thread_local _Generic __attribute__ __attribute __inline__
__inline __asm__ __asm asm __volatile__ __volatile __signed__ __signed
__const __const__ __restrict __restrict__ __extension__ __typeof__
__typeof typeof __alignof__ __int128 __label__ __thread __auto_type
defined
""".split())

# One lexer for C as far as we need it. Order matters: comments and
# literals first, so identifiers inside them are never seen.
TOKEN = re.compile(r"""
    (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<string>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
  | (?P<include>^[ \t]*\#[ \t]*include[ \t]*(?:<[^>\n]*>|"[^"\n]*"))
  | (?P<number>\.?[0-9](?:[eEpP][+-]|[\w.])*)
  | (?P<ident>[A-Za-z_]\w*)
""", re.S | re.M | re.X)

INCLUDE_PATH = re.compile(r'([<"])([^>"]*)([>"])')


def strip_text(text):
    """Comments and string literals replaced by blanks (keeps newlines)."""
    def repl(m):
        if m.lastgroup == "comment":
            return " " if m.group(0).startswith("//") else \
                re.sub(r"[^\n]", " ", m.group(0))
        if m.lastgroup == "string":
            return '""'
        return m.group(0)
    return TOKEN.sub(repl, text)


def split_top(s, sep=","):
    """Split s at `sep` characters that are outside (), [] and {}."""
    parts, depth, cur = [], 0, []
    for ch in s:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def remove_balanced(s, opener, close):
    """Remove every opener...close group (opener ends in the open char)."""
    out, i = [], 0
    open_ch = opener[-1]
    while True:
        j = s.find(opener, i)
        if j < 0:
            out.append(s[i:])
            return "".join(out)
        out.append(s[i:j])
        depth, k = 0, j + len(opener) - 1
        while k < len(s):
            if s[k] == open_ch:
                depth += 1
            elif s[k] == close:
                depth -= 1
                if depth == 0:
                    break
            k += 1
        out.append(" ")
        i = k + 1


ATTR = re.compile(r"\b__attribute__\s*\(")
DEFINE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)", re.M)
COND = re.compile(r"^[ \t]*#[ \t]*(?:if|ifdef|ifndef|elif)\b(.*)$", re.M)
PPLINE = re.compile(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", re.M)
TAG = re.compile(r"\b(?:struct|union|enum)\s+([A-Za-z_]\w*)")
TAGDEF = re.compile(r"\b(?:struct|union|enum)\s+([A-Za-z_]\w*)\s*\{")
ENUM_BODY = re.compile(r"\benum\b[^;{}()]*\{([^{}]*)\}", re.S)
IDENT = re.compile(r"[A-Za-z_]\w*")
PASTE = re.compile(r"[ \t]*##")
FNPTR = re.compile(r"\(\s*\*\s*([A-Za-z_]\w*)\s*\)")


def strip_attributes(s):
    out = s
    while True:
        m = ATTR.search(out)
        if not m:
            return out
        start = m.start()
        depth, k = 0, m.end() - 1
        while k < len(out):
            if out[k] == "(":
                depth += 1
            elif out[k] == ")":
                depth -= 1
                if depth == 0:
                    break
            k += 1
        out = out[:start] + " " + out[k + 1:]


BRACES = re.compile(r"[{};]")


def statements(code):
    """Top-level C statements and function definitions (no cpp lines)."""
    depth, start, brace = 0, 0, -1
    for m in BRACES.finditer(code):
        ch, pos = m.group(0), m.start()
        if ch == "{":
            if depth == 0:
                brace = pos
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0 and \
                    strip_attributes(code[start:brace]).rstrip().endswith(")"):
                yield code[start:pos + 1]       # a function definition
                start = pos + 1
        elif depth == 0:
            yield code[start:pos + 1]
            start = pos + 1
    if start < len(code):
        yield code[start:]


def collect(code, names, tags, cond_ids, tag_defs):
    """Gather the names defined in one header (code: from strip_text)."""
    names.update(DEFINE.findall(code))
    for m in COND.finditer(code):
        cond_ids.update(IDENT.findall(m.group(1)))
    body = PPLINE.sub(lambda m: "\n" * m.group(0).count("\n"), code)
    tags.update(TAG.findall(body))
    tag_defs.update(TAGDEF.findall(body))
    for m in ENUM_BODY.finditer(body):
        for item in split_top(m.group(1)):
            im = re.match(r"\s*([A-Za-z_]\w*)\s*(?:=|$)", item, re.S)
            if im:
                names.add(im.group(1))
    for st in statements(body):
        st = strip_attributes(st).strip()
        if re.match(r"typedef\b", st):
            flat = remove_balanced(st, "{", "}")
            fp = FNPTR.search(flat)
            if fp:
                names.add(fp.group(1))
                continue
            flat = flat.rstrip(";")
            decls = split_top(flat[len("typedef"):])
            # the first declarator shares its text with the base type
            for d in decls:
                d = remove_balanced(d, "[", "]")
                ids = [i for i in IDENT.findall(d) if i not in KEYWORDS]
                if ids:
                    names.add(ids[-1])
        elif "(" in st:
            # static (inline) function: the last name before its '('
            head = st.split("(", 1)[0]
            if re.search(r"\bstatic\b", head):
                ids = [i for i in IDENT.findall(head) if i not in KEYWORDS]
                if ids:
                    names.add(ids[-1])


def prefixed(name):
    bare = name.lstrip("_")
    if not bare or bare.startswith(("lkl_", "LKL_")) or bare in ("lkl", "LKL"):
        return None
    if name[0] == "_":
        return "__lkl" + name
    if name[0].isupper():
        return "LKL_" + name
    return "lkl_" + name


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: prefix-headers.py SRC_INCLUDE_DIR OUT_DIR\n")
        return 2
    src, out = argv[1], argv[2]
    if not os.path.isdir(os.path.join(src, "linux")) and \
            os.path.isdir(os.path.join(src, "include", "linux")):
        src = os.path.join(src, "include")
    if not os.path.isdir(os.path.join(src, "linux")):
        sys.stderr.write("prefix-headers: %s has no linux/ headers\n" % src)
        return 1

    files = []
    for root, dirs, fnames in os.walk(src):
        dirs.sort()
        for f in sorted(fnames):
            if f.endswith(".h"):
                files.append(os.path.relpath(os.path.join(root, f), src))
    files.sort()
    known = set(files)

    texts = {}
    for rel in files:
        with open(os.path.join(src, rel), encoding="utf-8",
                  errors="surrogateescape") as f:
            texts[rel] = f.read()

    nontag, tags, cond_ids, tag_defs = set(), set(), set(), set()
    for rel in files:
        collect(strip_text(texts[rel]), nontag, tags, cond_ids, tag_defs)
    names = nontag | tags
    names -= KEYWORDS | STD_TYPES
    libc_detect = set()
    for ident in cond_ids - names:
        if LIBC_DETECT.match(ident):
            libc_detect.add(ident)
    names |= libc_detect
    names |= LIBC_MACRO_MEMBERS

    mapping = {}
    for n in names:
        p = prefixed(n)
        if p:
            mapping[n] = p
    # Two names for one thing. Harmless only for a struct tag that no
    # header defines (e.g. linux/sem.h's "struct sem *" next to our opaque
    # struct lkl_sem): both stay incomplete pointer targets.
    clash = set()
    for n, p in mapping.items():
        if p in names and p not in mapping:
            if n in nontag or p in nontag or \
                    (n in tag_defs and p in tag_defs):
                clash.add(p)
    if clash:
        sys.stderr.write("prefix-headers: prefixed names clash with "
                         "existing ones: %s\n" % " ".join(sorted(clash)))
        return 1

    def rewrite_include(m):
        line = m.group(0)
        pm = INCLUDE_PATH.search(line)
        path = pm.group(2)
        if path in known:
            return line[:pm.start()] + "<lkl/" + path + ">" + \
                line[pm.end():]
        return line

    ordered = sorted(mapping)

    def paste_prefix(ident):
        """Is ident the start of some prefixed name (as in FOO_##x)?"""
        i = bisect.bisect_left(ordered, ident)
        return i < len(ordered) and ordered[i].startswith(ident)

    def repl(m):
        kind = m.lastgroup
        if kind == "ident":
            ident = m.group(0)
            before = m.string[max(0, m.start() - 8):m.start()]
            if before.rstrip(" \t").endswith("##"):
                return ident    # suffix of a pasted name
            if ident in mapping:
                # Everywhere, also where a tag's name is reused for a
                # member or parameter: macros take tag names as arguments
                # (FOO_ASSERT_SIZE(tag, 8)), so context cannot tell.
                return mapping[ident]
            if ident.endswith("_") and PASTE.match(m.string, m.end()) \
                    and paste_prefix(ident):
                return prefixed(ident) or ident
            return ident
        if kind == "include":
            return rewrite_include(m)
        return m.group(0)

    for rel in files:
        dest = os.path.join(out, "lkl", rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        data = TOKEN.sub(repl, texts[rel])
        tmp = dest + ".tmp"
        with open(tmp, "w", encoding="utf-8",
                  errors="surrogateescape") as f:
            f.write(data)
        os.replace(tmp, dest)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
