// One set of words: the downloads (server/game/export_text.c) say what the screen says (src/i18n/strings.ts):
// the agreement words and the summary's headings.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { translate } from '../src/i18n';

const exportC = readFileSync(new URL('../../server/game/export_text.c', import.meta.url), 'utf8');

/** The words_LANG table's agreement row and too-few-votes word of export_text.c. */
function serverWords(lang: 'nl' | 'en'): { agreement: string[]; none: string } {
  const table = exportC.slice(exportC.indexOf(`const words words_${lang} = {`));
  const row = /\.agreement = \{"\\xe2\\x80\\x94", "([^"]+)", "([^"]+)", "([^"]+)"\}/.exec(table);
  const none = /\.too_few_votes = "([^"]+)"/.exec(table);
  expect(row, `export_text.c words_${lang}.agreement`).not.toBeNull();
  return { agreement: row!.slice(1, 4), none: none![1] };
}

describe('agreement words', () => {
  for (const lang of ['nl', 'en'] as const) {
    it(`are the same on screen and in the downloads (${lang})`, () => {
      const w = serverWords(lang);
      expect(w.agreement).toEqual(['consensus', 'mixed', 'polarised'].map((k) => translate(lang, `agreement.${k}` as 'agreement.none')));
      expect(w.none).toBe(translate(lang, 'agreement.none'));
    });
  }
});

/** A one-string field of export_text.c's words_LANG table, e.g. `.ranking = "…"`. */
function serverWord(lang: 'nl' | 'en', field: string): string {
  const table = exportC.slice(exportC.indexOf(`const words words_${lang} = {`));
  const m = new RegExp(`\\.${field} = "([^"]+)"`).exec(table);
  expect(m, `export_text.c words_${lang}.${field}`).not.toBeNull();
  return m![1];
}

describe('summary headings', () => {
  // The download's field and the app's key for the same heading.
  const pairs = [
    ['ranking', 'summary.ranking'],
    ['text', 'summary.text'],
    ['actions', 'summary.actions'],
    ['categories', 'summary.categories'],
    ['col_category', 'summary.cat.topic'],
  ] as const;
  for (const lang of ['nl', 'en'] as const) {
    it(`are the same in the app and in the Markdown download (${lang})`, () => {
      for (const [field, key] of pairs) expect(serverWord(lang, field), field).toBe(translate(lang, key));
    });
  }
});
