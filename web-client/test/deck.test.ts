// Card sets in the client: print layout (fronts, mirrored backs), the printed code, CSV both ways with messages per row, the editor's deck JSON, colour contrast.
import { describe, expect, it } from 'vitest';
import { cardCode, cardIndexOfCode, cardLink, sheets } from '../src/deck/print';
import { fromCsv, parseCsv, sniffDelimiter, toCsv } from '../src/deck/csv';
import { blankDeck, fieldRef, fromDeckJson, slug, toDeckJson } from '../src/deck/edit';
import { contrastWithWhite } from '../src/deck/color';
import { deckMessage } from '../src/deck/servermsg';
import { translate } from '../src/i18n';
import type { StringKey } from '../src/i18n/strings';

const MINI = {
  id: 'mini', version: 1, title: { nl: 'Mini', en: 'Mini' },
  scale: { min: 1, max: 2, labels: { nl: ['nee', 'ja'], en: ['no', 'yes'] } },
  categories: [{ id: 'alles', title: { nl: 'Alles', en: 'Everything' }, color: '#1f5f8b' }],
  cards: [{ id: 'een', category: 'alles', title: { nl: 'Een', en: 'One' }, prompt: { nl: 'Wat zien wij hier?', en: 'What do we see here?' } }],
};

describe('print layout', () => {
  it('puts 9 cards on a sheet of fronts, then their backs mirrored left to right', () => {
    const s = sheets(11);
    expect(s.map((x) => x.side)).toEqual(['front', 'back', 'front', 'back']);
    expect(s[0].places).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(s[1].places).toEqual([2, 1, 0, 5, 4, 3, 8, 7, 6]);
    expect(s[2].places).toEqual([9, 10, null, null, null, null, null, null, null]);
    expect(s[3].places).toEqual([null, 10, 9, null, null, null, null, null, null]);
  });
  it('prints a card\'s number as its code and reads it back', () => {
    expect(cardCode(16)).toBe('17');
    expect(cardIndexOfCode(' 17 ', 39)).toBe(16);
    expect(cardIndexOfCode('40', 39)).toBe(-1);
    expect(cardIndexOfCode('0', 39)).toBe(-1);
    expect(cardIndexOfCode('1e1', 39)).toBe(-1);
  });
  it('links a card by its id under the server\'s address', () => {
    expect(cardLink('http://192.168.1.20:8080/', 'venster-burger')).toBe('http://192.168.1.20:8080/#/card/venster-burger');
  });
});

describe('CSV', () => {
  it('reads semicolons, commas and tabs, quotes and line breaks in quotes', () => {
    expect(sniffDelimiter('a;b;"c,d"\n')).toBe(';');
    expect(sniffDelimiter('a,b,"c;d"\n')).toBe(',');
    expect(sniffDelimiter('a\tb\n')).toBe('\t');
    expect(parseCsv('a;"b ""x"";\ny"\r\n\r\nc;d', ';')).toEqual([{ line: 1, cells: ['a', 'b "x";\ny'] }, { line: 4, cells: ['c', 'd'] }]);
  });
  it('writes what it reads back, with formulas defused', () => {
    const d = fromDeckJson(MINI);
    d.cards[0].title.nl = '=HYPERLINK("x")';
    d.cards[0].followups = [{ nl: 'Waarom?', en: 'Why?' }, { nl: 'Wie?', en: 'Who?' }];
    const csv = toCsv(d);
    expect(csv.startsWith('\ufeffcategorie_nl;')).toBe(true);
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    const back = fromCsv(csv);
    expect(back.problems).toEqual([]);
    expect(back.cards[0].title.nl).toBe('=HYPERLINK("x")');
    expect(back.cards[0].followups).toEqual([{ nl: 'Waarom?', en: 'Why?' }, { nl: 'Wie?', en: 'Who?' }]);
    expect(back.categories.map((c) => [c.title.nl, c.color])).toEqual([['Alles', '#1f5f8b']]);
  });
  it('names each bad row by its row in the spreadsheet and reads the others', () => {
    const csv = [
      'categorie_nl,titel_nl,vraag_nl,kleur,soort',
      'A,Een,Vraag een?,#1f5f8b,',
      'A,,Vraag twee?,,',
      'B,Drie,Vraag drie?,#zzz,',
      'B,Vier,Vraag vier?,,grap',
      'B,Vijf,Vraag vijf?,,story',
      'B,Zes,Vraag zes?,,,extra',
    ].join('\n');
    const r = fromCsv(csv);
    expect(r.problems).toEqual([
      { row: 3, message: 'csv.missing', params: { column: 'titel_nl' } },
      { row: 4, message: 'csv.color', params: { value: '#zzz' } },
      { row: 5, message: 'csv.kind', params: { value: 'grap' } },
      { row: 7, message: 'csv.too_many_cells', params: { n: 6, m: 5 } },
    ]);
    expect(r.cards.map((c) => c.title.nl)).toEqual(['Een', 'Vijf']);
    expect(r.cards[0].title.en).toBe('Een');
    expect(r.categories.map((c) => c.title.nl)).toEqual(['A', 'B']);
  });
  it('says which columns a header lacks', () => {
    expect(fromCsv('titel;vraag\nx;y\n').problems).toEqual([{ row: 1, message: 'csv.header', params: { columns: 'categorie_nl, titel_nl, vraag_nl' } }]);
  });
});

describe('the editor\'s deck JSON', () => {
  it('gives back a v1 deck as it was, so its hash is the same', () => {
    expect(toDeckJson(fromDeckJson(MINI))).toEqual(MINI);
  });
  it('adds format 2 and the v2 fields only when one is filled in', () => {
    const d = fromDeckJson(MINI);
    expect(toDeckJson(d).format).toBeUndefined();
    d.cards[0].anchorLow = { nl: '1 = gaat goed', en: '1 = fine' };
    d.cards[0].anchorHigh = { nl: '2 = veel te winnen', en: '2 = much to gain' };
    d.cards[0].followups = [{ nl: '', en: '' }, { nl: 'Een voorbeeld?', en: 'An example?' }];
    const j = toDeckJson(d);
    expect(Object.keys(j)[0]).toBe('format');
    expect(j.format).toBe(2);
    const card = (j.cards as Record<string, unknown>[])[0];
    expect(card.anchor).toEqual({ low: { nl: '1 = gaat goed', en: '1 = fine' }, high: { nl: '2 = veel te winnen', en: '2 = much to gain' } });
    expect(card.followups).toEqual([{ nl: 'Een voorbeeld?', en: 'An example?' }]);
  });
  it('keeps a v2 set\'s audiences (tags) and which cards they are on, by id', () => {
    const v2 = {
      format: 2, ...MINI,
      audiences: [{ id: 'iedereen', title: { nl: 'Voor iedereen', en: 'For everyone' } }, { id: 'team', title: { nl: 'Voor het team', en: 'For staff' } }],
      cards: [{ ...MINI.cards[0], audience: ['team'] }],
    };
    const d = fromDeckJson(v2);
    expect(d.cards[0].audience).toEqual([d.audiences[1].key]);
    const j = toDeckJson(d) as Record<string, unknown>;
    expect(j.audiences).toEqual(v2.audiences);
    expect((j.cards as Record<string, unknown>[])[0].audience).toEqual(['team']);
    d.audiences = [];
    expect((toDeckJson(d).cards as Record<string, unknown>[])[0].audience).toBeUndefined();
  });
  it('makes ids from titles, unique, and copies Dutch into English for a Dutch-only set', () => {
    expect(slug('Één café – ons Team!', 'x')).toBe('een-cafe-ons-team');
    expect(slug('!!!', 'kaart-3')).toBe('kaart-3');
    const d = blankDeck();
    d.title = { nl: 'Onze set', en: '' };
    d.languages = 'nl';
    d.categories[0].title = { nl: 'Thema', en: '' };
    d.cards[0].title = { nl: 'Zelfde', en: '' };
    d.cards.push({ ...d.cards[0], key: 'k2' });
    const j = toDeckJson(d) as { id: string; title: unknown; cards: { id: string; title: unknown }[] };
    expect(j.id).toBe('onze-set');
    expect(j.title).toEqual({ nl: 'Onze set', en: 'Onze set' });
    expect(j.cards.map((c) => c.id)).toEqual(['zelfde', 'zelfde-2']);
  });
  it('finds the card or category a server message names', () => {
    expect(fieldRef('cards[3].title.nl')).toEqual({ list: 'cards', index: 3, rest: 'title.nl' });
    expect(fieldRef('categories[0]')).toEqual({ list: 'categories', index: 0, rest: '' });
    expect(fieldRef('scale.labels.nl')).toEqual({ list: null, index: -1, rest: 'scale.labels.nl' });
  });
});

describe('colour contrast with white text', () => {
  it('passes the default deck\'s colours and flags a light one', () => {
    expect(contrastWithWhite('#1f5f8b')!).toBeGreaterThan(4.5);
    expect(contrastWithWhite('#ffd54f')!).toBeLessThan(4.5);
    expect(contrastWithWhite('#000000')).toBeCloseTo(21, 5);
    expect(contrastWithWhite('blue')).toBeNull();
  });
});

describe("the server's deck messages in the reader's language", () => {
  const nlT = (key: StringKey, params?: Record<string, string | number>) => translate('nl', key, params);
  const enT = (key: StringKey, params?: Record<string, string | number>) => translate('en', key, params);
  it('says the checker\'s phrases in natural Dutch and English, with the limit it names', () => {
    expect(deckMessage(nlT, 'empty text')).toBe('Vul hier iets in.');
    expect(deckMessage(enT, 'empty text')).toBe('Fill this in.');
    expect(deckMessage(nlT, 'a text is at most 600 bytes, got 700')).toContain('hooguit 600 bytes');
    expect(deckMessage(nlT, 'a deck has 1..200 cards, got 0')).toBe('Een set heeft 1 tot 200 kaarten.');
    expect(deckMessage(nlT, 'a color is "#rrggbb", got "red"')).toMatch(/^Een kleurcode is #/);
    expect(deckMessage(nlT, 'duplicate card "een"')).toBe('Deze kaart staat er twee keer in.');
  });
  it('shows a message it does not know as sent', () => {
    expect(deckMessage(nlT, 'unknown field')).toBe('unknown field');
  });
});
