import { parseDecimal } from './numbers';

describe('parseDecimal', () => {
  it.each([
    ['0', 0],
    ['42', 42],
    ['-3.5', -3.5],
    ['+.5', 0.5],
    ['7.', 7],
    ['1e3', 1000],
    ['2.5E-2', 0.025],
    ['  12 ', 12],
    ['1e999', Infinity],
  ])('reads %j as %d', (text, expected) => {
    expect(parseDecimal(text)).toBe(expected);
  });

  it.each(['', '   ', '.', '-', 'e5', '1e', '1e+', '0x10', '0b1', 'Infinity', 'NaN', '1,5', '1 2', '12abc', '--1'])(
    'rejects %j',
    (text) => {
      expect(parseDecimal(text)).toBeNaN();
    },
  );
});
