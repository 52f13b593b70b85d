// Names for test data that survive Faultline's message normalising, which replaces digits.

/** `i` in letters: 0 → a, 25 → z, 26 → ba. */
export function letters(i: number): string {
  let text = '';
  do {
    text = String.fromCharCode(97 + (i % 26)) + text;
    i = Math.floor(i / 26);
  } while (i > 0);
  return text;
}
