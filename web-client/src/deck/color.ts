// Colour checks for card sets: a category's colour carries white text (the card's band, the printed back), so it must be dark enough.

/** WCAG relative luminance of "#rrggbb"; null for anything else. */
export function luminance(hex: string): number | null {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return null;
  const [r, g, b] = m.slice(1).map((h) => {
    const c = parseInt(h, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Contrast of white text on this colour (1..21); null for a malformed colour. */
export function contrastWithWhite(hex: string): number | null {
  const l = luminance(hex);
  return l === null ? null : 1.05 / (l + 0.05);
}

/** WCAG AA for normal text, the rule decks/README.md holds the default deck to. */
export const MIN_CONTRAST = 4.5;
