import { MAX_TIER_PATTERN_LENGTH, tierPatternProblem } from './tier-pattern';

describe('tierPatternProblem', () => {
  it.each([
    '^(?<dimension>.+)@(?<annotator>.+)$',
    '^(?<annotator>[^_]+)_(?<dimension>.+)$',
    '^(?<dimension>[^@]+)@(?<annotator>.+?)(?:_v\\d+)?$',
    '^(?<dimension>gesture|speech)-(?<annotator>\\w{2,8})$',
    '^[(+*]{1,3}(?<annotator>a)$',
    '(?<dimension>(?:ab){0,1})',
  ])('accepts %s', (pattern) => {
    expect(tierPatternProblem(pattern)).toBeNull();
  });

  it.each([
    ['(a+)+$', 'repeats a group that holds a quantifier or an alternation (at character 5), which can backtrack exponentially'],
    ['^(?<annotator>\\w*)*$', 'repeats a group that holds a quantifier or an alternation (at character 19), which can backtrack exponentially'],
    ['^(?<dimension>a|ab)+$', 'repeats a group that holds a quantifier or an alternation (at character 20), which can backtrack exponentially'],
    ['((?:x+y?)){2,}', 'repeats a group that holds a quantifier or an alternation (at character 11), which can backtrack exponentially'],
    ['(?<annotator>.*)(.*)(.*)(.*)', 'has 4 unbounded quantifiers (*, +, {n,}); at most 3 are allowed'],
    ['(?<annotator>a)\\1', 'uses a backreference; tier patterns may not'],
    ['(?<annotator>a)\\k<annotator>', 'uses a backreference; tier patterns may not'],
    ['(?<annotator>', expect.stringMatching(/^is not a valid regular expression: /)],
    ['', 'is empty'],
    ['a'.repeat(MAX_TIER_PATTERN_LENGTH + 1), `is longer than ${MAX_TIER_PATTERN_LENGTH} characters`],
  ])('refuses %s', (pattern, problem) => {
    expect(tierPatternProblem(pattern)).toEqual(problem);
  });
});
