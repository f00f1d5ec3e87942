/**
 * The number a plain decimal text spells (optional sign, digits, fraction, exponent; spaces around
 * allowed), else NaN. `Number()` alone would also take `0x1F`, `0b1`, `Infinity` and an all-space
 * text (as 0). Scanned by character: numeric columns can hold a million cells.
 */
export function parseDecimal(text: string): number {
  let i = 0;
  let end = text.length;
  while (i < end && text.charCodeAt(i) === 32) i += 1;
  while (end > i && text.charCodeAt(end - 1) === 32) end -= 1;
  let position = i;
  const code = text.charCodeAt(position);
  if (code === 43 || code === 45) position += 1;
  const integerStart = position;
  while (position < end && isDigit(text.charCodeAt(position))) position += 1;
  let digits = position - integerStart;
  if (position < end && text.charCodeAt(position) === 46) {
    position += 1;
    const fractionStart = position;
    while (position < end && isDigit(text.charCodeAt(position))) position += 1;
    digits += position - fractionStart;
  }
  if (digits === 0) return Number.NaN;
  if (position < end && (text.charCodeAt(position) | 32) === 101) {
    position += 1;
    const sign = text.charCodeAt(position);
    if (sign === 43 || sign === 45) position += 1;
    const exponentStart = position;
    while (position < end && isDigit(text.charCodeAt(position))) position += 1;
    if (position === exponentStart) return Number.NaN;
  }
  return position === end ? Number(text.slice(i, end)) : Number.NaN;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
