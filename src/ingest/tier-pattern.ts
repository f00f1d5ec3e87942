/**
 * A user-given regular expression (the ELAN tier pattern, `--tier-pattern` / `?tierPattern=`) runs on
 * names from uploaded files with the JavaScript engine, which backtracks and has no time limit. So a
 * pattern is checked before use, and refused when it could backtrack badly:
 *
 * - at most MAX_TIER_PATTERN_LENGTH characters;
 * - no quantified group that itself holds a quantifier or an alternation — `(a+)+`, `(\w*)*`,
 *   `(a|ab)+`, `(?:x+y?){2,}`: the nested-quantifier shapes whose backtracking grows exponentially
 *   with the input (a bounded `?`/`{0,1}` group is fine: it adds one choice);
 * - at most MAX_UNBOUNDED_QUANTIFIERS unbounded quantifiers (`*`, `+`, `{n,}`) in all, which bounds the
 *   polynomial backtracking of adjacent ones to O(n³) on a name of n characters (names are at most
 *   INGEST_LIMITS.maxNameLength characters, and the pattern runs once per tier, not per annotation);
 * - no backreferences (`\1`, `\k<name>`), which no tier naming scheme needs.
 *
 * This is a conservative check, not a proof: it refuses some harmless patterns, and says why.
 */

export const MAX_TIER_PATTERN_LENGTH = 200;
export const MAX_UNBOUNDED_QUANTIFIERS = 3;

interface GroupState {
  /** A quantifier or alternation inside this group (or a group within it). */
  risky: boolean;
}

/** Why `pattern` is refused, or null when it may be used. */
export function tierPatternProblem(pattern: string): string | null {
  if (pattern.length === 0) return 'is empty';
  if (pattern.length > MAX_TIER_PATTERN_LENGTH) return `is longer than ${MAX_TIER_PATTERN_LENGTH} characters`;
  try {
    new RegExp(pattern);
  } catch (error) {
    return `is not a valid regular expression: ${(error as Error).message}`;
  }

  const stack: GroupState[] = [{ risky: false }];
  let unbounded = 0;
  /** What the previous token was, to see what a quantifier applies to. */
  let previous: 'atom' | 'group' | 'none' = 'none';
  let closedGroupRisky = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return 'uses a backreference; tier patterns may not';
      i += 1;
      previous = 'atom';
      continue;
    }
    if (char === '[') {
      // A character class: quantifier characters inside are literal.
      i += 1;
      if (pattern[i] === '^') i += 1;
      if (pattern[i] === ']') i += 1;
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
      previous = 'atom';
      continue;
    }
    if (char === '(') {
      stack.push({ risky: false });
      // Skip the group's syntax, `(?:`, `(?<name>`, `(?=`, `(?!`, `(?<=`, `(?<!`: its `?` quantifies nothing.
      if (pattern[i + 1] === '?') {
        const name = /^\(\?<([A-Za-z_$][\w$]*)>/.exec(pattern.slice(i));
        i += name !== null ? name[0].length - 1 : pattern[i + 2] === '<' ? 3 : 2;
      }
      previous = 'none';
      continue;
    }
    if (char === ')') {
      const group = stack.pop()!;
      closedGroupRisky = group.risky;
      if (group.risky) stack[stack.length - 1]!.risky = true;
      previous = 'group';
      continue;
    }
    if (char === '|') {
      stack[stack.length - 1]!.risky = true;
      previous = 'none';
      continue;
    }
    const quantifier = quantifierAt(pattern, i);
    if (quantifier !== null) {
      if (quantifier.repeats && previous === 'group' && closedGroupRisky) {
        return `repeats a group that holds a quantifier or an alternation (at character ${i + 1}), which can backtrack exponentially`;
      }
      if (quantifier.unbounded) unbounded += 1;
      if (quantifier.repeats) stack[stack.length - 1]!.risky = true;
      i = quantifier.end;
      // A lazy `?` after the quantifier.
      if (pattern[i + 1] === '?') i += 1;
      previous = 'none';
      continue;
    }
    previous = 'atom';
  }
  if (unbounded > MAX_UNBOUNDED_QUANTIFIERS) {
    return `has ${unbounded} unbounded quantifiers (*, +, {n,}); at most ${MAX_UNBOUNDED_QUANTIFIERS} are allowed`;
  }
  return null;
}

/** The quantifier starting at `i`: whether it can repeat (more than once) and without bound. */
function quantifierAt(pattern: string, i: number): { repeats: boolean; unbounded: boolean; end: number } | null {
  const char = pattern[i];
  if (char === '*' || char === '+') return { repeats: true, unbounded: true, end: i };
  if (char === '?') return { repeats: false, unbounded: false, end: i };
  if (char !== '{') return null;
  const braces = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
  if (braces === null) return null;
  const max = braces[2] === undefined ? Number(braces[1]) : braces[3] === '' ? Number.POSITIVE_INFINITY : Number(braces[3]);
  return { repeats: max > 1, unbounded: max === Number.POSITIVE_INFINITY, end: i + braces[0].length - 1 };
}
