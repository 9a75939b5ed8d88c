// The presenter's and the console's pure rules: summary pages that fit, the wall of names, the shortcuts never taken while typing.
import { describe, expect, it } from 'vitest';
import { closingPages, splitText, CARDS_PER_PAGE, WORDS_PER_PAGE, ACTIONS_PER_PAGE } from '../src/views/screen/Closing';
import { wallLayout } from '../src/views/screen/Lobby';
import { actionFor } from '../src/views/console/keys';
import { durationText } from '../src/views/console/Controls';
import { translate } from '../src/i18n';
import type { Summary } from '../src/state/types';

function summary(cards: number, text = '', actions: string[] = []): Summary {
  const stats = { n: 2, pass: 0, mean: 3, median: 3, min: 3, max: 3, hist: [0, 0, 2, 0, 0] };
  return {
    round: 1, cards: Array.from({ length: cards }, (_, i) => ({ card: `c${i}`, by: 1, stats, agreement: 'consensus', notes: [] })),
    categories: [{ category: 'x', cards, mean: 3 }], text, actions, started_at: 0, closed_at: 0, replay_key: 'k',
  };
}

describe('the closing summary on the big screen', () => {
  it('is never longer than a page: text, actions and ranking are split into pages that fit', () => {
    const long = 'Een zin van tien woorden over wat we vandaag hebben gezien. '.repeat(60);
    const actions = Array.from({ length: 20 }, (_, i) => `Afspraak ${i + 1}: ${'x'.repeat(150)}`);
    const pages = closingPages(summary(23, long, actions));
    for (const p of pages) {
      if (p.kind !== 'words') continue;
      expect(p.text.length).toBeLessThanOrEqual(WORDS_PER_PAGE);
      expect(p.actions.length).toBeLessThanOrEqual(ACTIONS_PER_PAGE);
    }
    expect(pages.filter((p) => p.kind === 'ranking')).toHaveLength(Math.ceil(23 / CARDS_PER_PAGE));
    expect(pages[pages.length - 1].kind).toBe('topics');
    // Nothing of the text is lost.
    const text = pages.flatMap((p) => (p.kind === 'words' && p.text ? [p.text] : [])).join(' ');
    expect(text.replace(/\s+/g, ' ').trim()).toBe(long.replace(/\s+/g, ' ').trim());
    expect(pages.flatMap((p) => (p.kind === 'words' ? p.actions : []))).toEqual(actions);
  });

  it('keeps a short text and its actions on one page', () => {
    const pages = closingPages(summary(3, 'Goed gesprek.', ['Plan maken', 'Terugkomen']));
    expect(pages[0]).toEqual({ kind: 'words', text: 'Goed gesprek.', actions: ['Plan maken', 'Terugkomen'], first: true });
    expect(pages.map((p) => p.kind)).toEqual(['words', 'ranking', 'topics']);
  });

  it('splits at paragraphs first', () => {
    expect(splitText('a\n\nb', 4)).toEqual(['a\n\nb']);
    expect(splitText('aa\n\nbb', 3)).toEqual(['aa', 'bb']);
  });
});

describe('the wall of names in the lobby', () => {
  it('has room for 100 names, in more columns with smaller type as it fills', () => {
    for (const n of [1, 12, 13, 30, 31, 60, 61, 100]) {
      const w = wallLayout(n);
      expect(w.cols * w.rows).toBeGreaterThanOrEqual(n);
    }
    expect(wallLayout(100).size).toBe('s');
  });
});

describe('the facilitator\'s shortcuts', () => {
  const key = (k: string, target: Partial<HTMLElement> & { type?: string } = { tagName: 'BODY' }) =>
    actionFor({ key: k, ctrlKey: false, metaKey: false, altKey: false, target: target as unknown as EventTarget });
  it('map space, →, R, T, S and ? to their actions', () => {
    expect([' ', 'ArrowRight', 'r', 'R', 't', 's', '?', 'x'].map((k) => key(k))).toEqual(['reveal', 'next', 'revote', 'revote', 'timer', 'skip', 'help', null]);
  });
  it('are never taken while typing in a field', () => {
    expect(key('r', { tagName: 'TEXTAREA' })).toBeNull();
    expect(key(' ', { tagName: 'INPUT', type: 'text' } as never)).toBeNull();
    expect(key('s', { tagName: 'SELECT' })).toBeNull();
    expect(key('t', { tagName: 'DIV', isContentEditable: true })).toBeNull();
  });
  it('leave space to a focused button, and keys with a modifier to the browser', () => {
    expect(key(' ', { tagName: 'BUTTON' })).toBeNull();
    expect(actionFor({ key: 'r', ctrlKey: true, metaKey: false, altKey: false, target: null })).toBeNull();
  });
});

describe('the hold the console names', () => {
  const nl = (s: number) => durationText((k, p) => translate('nl', k, p), s);
  const en = (s: number) => durationText((k, p) => translate('en', k, p), s);
  it('says the server\'s hold in words, whole minutes as minutes', () => {
    expect(nl(120)).toBe('2 minuten');
    expect(nl(60)).toBe('1 minuut');
    expect(nl(45)).toBe('45 seconden');
    expect(nl(1)).toBe('1 seconde');
    expect(nl(90)).toBe('1 minuut en 30 seconden');
    expect(en(150)).toBe('2 minutes and 30 seconds');
    expect(en(3600)).toBe('60 minutes');
  });
});
