// SPDX-License-Identifier: GPL-2.0-only
//
// Exclude patterns with GNU tar's default meaning (--wildcards,
// --no-anchored, --wildcards-match-slash): fnmatch globs (`*`, `?`,
// `[...]`, `[!...]`, `\` escapes) matched by picomatch, not by a regex
// translation of our own. A pattern matches a path when it matches the
// whole path or the part after any `/` (unanchored); a pattern starting
// with `/` or `./` is anchored at the root. A match on a directory
// excludes everything below it, as tar never descends into it.

// picomatch ships no types; this is the one function used. Loaded on the
// first pattern, not with require('lkl') (transforms are part of the main
// module; ~1 ms of a start-up that uses no exclude pattern).
type IsMatch = (s: string) => boolean
let picomatch: ((glob: string, o: object) => IsMatch) | undefined

// fnmatch without FNM_PATHNAME: `*` crosses `/` (bash: single stars act as
// globstars); POSIX brackets (`[!a]`, `[[:digit:]]`); no brace or extglob
// expansion and no leading-`!` negation, which fnmatch does not have.
const OPTIONS = { dot: true, bash: true, posix: true, nobrace: true, noextglob: true, nonegate: true }

/** One pattern's test of an entry path (relative, without a leading `./`). */
export function tarPatternMatcher (pattern: string): (path: string) => boolean {
  const anchored = /^\.?\//.test(pattern)
  const glob = pattern.replace(/^(\.\/|\/)+/, '')
  picomatch ??= require('picomatch') as (glob: string, o: object) => IsMatch
  const isMatch = picomatch(glob, OPTIONS)
  return (path) => {
    // The path itself and its leading directories (tar skips a matched
    // directory's whole subtree), from the root or from any component.
    const parts = path.split('/')
    for (let from = 0; from < (anchored ? 1 : parts.length); from++) {
      for (let to = from + 1; to <= parts.length; to++) {
        if (isMatch(parts.slice(from, to).join('/'))) return true
      }
    }
    return false
  }
}
