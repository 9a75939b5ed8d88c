// The presenter's closing summary, in pages that fit the screen: the facilitator's words and actions, the ranking a few cards a page, the topics.
import { useLang } from '../../i18n';
import type { Deck, Summary } from '../../state/types';
import { cardTitle, categoryOf, deckText } from '../parts/cards';
import { fmt } from '../parts/votes';
import { AgreementMark, MiniHist, VoteCount } from './common';

/** Cards on one page of the ranking: each row stays readable from the back. */
export const CARDS_PER_PAGE = 5;

/** Characters of the facilitator's text or actions on one page, and actions on one page: about six lines at the screen's size. */
export const WORDS_PER_PAGE = 420;
export const ACTIONS_PER_PAGE = 6;

export type ClosingPage =
  | { kind: 'words'; text: string; actions: string[]; first: boolean }
  | { kind: 'ranking'; from: number }
  | { kind: 'topics' };

/** Splits text into pieces of at most `max` characters, at paragraph, then sentence, then word boundaries. */
export function splitText(text: string, max: number): string[] {
  const out: string[] = [];
  let cur = '';
  const push = (piece: string, sep: string) => {
    if (cur && cur.length + sep.length + piece.length > max) {
      out.push(cur);
      cur = '';
    }
    cur = cur ? cur + sep + piece : piece;
  };
  for (const para of text.split(/\n\s*\n/)) {
    if (para.length <= max) {
      push(para, '\n\n');
      continue;
    }
    for (const word of para.split(/\s+/)) push(word.length > max ? word.slice(0, max) : word, ' ');
  }
  if (cur) out.push(cur);
  return out;
}

/** The pages of a summary, in the order the facilitator shows them. */
export function closingPages(summary: Summary): ClosingPage[] {
  const pages: ClosingPage[] = [];
  for (const text of splitText(summary.text, WORDS_PER_PAGE)) pages.push({ kind: 'words', text, actions: [], first: pages.length === 0 });
  // Actions that fit beside the last piece of text share its page.
  const last = pages[pages.length - 1];
  const all = summary.actions.reduce((n, a) => n + a.length, 0);
  if (last && last.kind === 'words' && summary.actions.length <= ACTIONS_PER_PAGE && last.text.length + all <= WORDS_PER_PAGE) {
    last.actions = summary.actions;
    summary = { ...summary, actions: [] };
  }
  let actions: string[] = [];
  let size = 0;
  for (const a of summary.actions) {
    if (actions.length === ACTIONS_PER_PAGE || (actions.length && size + a.length > WORDS_PER_PAGE)) {
      pages.push({ kind: 'words', text: '', actions, first: pages.length === 0 });
      actions = [];
      size = 0;
    }
    actions.push(a);
    size += a.length;
  }
  if (actions.length) pages.push({ kind: 'words', text: '', actions, first: pages.length === 0 });
  if (pages.length === 0) pages.push({ kind: 'words', text: '', actions: [], first: true });
  for (let from = 0; from < summary.cards.length; from += CARDS_PER_PAGE) pages.push({ kind: 'ranking', from });
  if (summary.categories.some((c) => c.cards > 0)) pages.push({ kind: 'topics' });
  return pages;
}

export function Closing({ summary, deck, page }: { summary: Summary; deck: Deck | null; page: number }) {
  const { t, lang } = useLang();
  const pages = closingPages(summary);
  const at = Math.max(0, Math.min(page, pages.length - 1));
  const p = pages[at];
  return (
    <main class="stage-closing">
      <header class="closing-head">
        <h1 class="closing-title">{t('summary.title', { n: summary.round })}</h1>
        <p class="closing-page">{t('screen.page', { i: at + 1, n: pages.length })}</p>
      </header>
      {p.kind === 'words' && <Words page={p} summary={summary} />}
      {p.kind === 'ranking' && (
        <section class="closing-section">
          <h2 class="closing-h">{t('summary.ranking')}</h2>
          <ol class="closing-rows" start={p.from + 1}>
            {summary.cards.slice(p.from, p.from + CARDS_PER_PAGE).map((c, i) => (
              <li class="closing-row">
                <span class="board-rank">{p.from + i + 1}</span>
                <span class="board-title">{cardTitle(deck, c.card, lang)}</span>
                <MiniHist stats={c.stats} />
                <span class="board-mean">{fmt(c.stats.mean, lang)}</span>
                <span class="closing-meta"><AgreementMark agreement={c.agreement} /> · <VoteCount stats={c.stats} /></span>
              </li>
            ))}
          </ol>
        </section>
      )}
      {p.kind === 'topics' && (
        <section class="closing-section">
          <h2 class="closing-h">{t('summary.categories')}</h2>
          <ul class="closing-topics">
            {summary.categories.filter((c) => c.cards > 0).map((c) => {
              const cat = categoryOf(deck, c.category);
              return (
                <li class="closing-topic">
                  <span class="topic-swatch" style={{ backgroundColor: cat?.color ?? '#37474f' }} aria-hidden="true" />
                  <span class="board-title">{deckText(cat?.title, lang) || (deck ? c.category : t('deck.loading'))}</span>
                  <span class="closing-meta">{c.cards === 1 ? t('room.cards.one') : t('room.cards', { n: c.cards })}</span>
                  <span class="board-mean">{fmt(c.mean, lang)}</span>
                </li>
              );
            })}
          </ul>
        </section>
      )}
    </main>
  );
}

function Words({ page, summary }: { page: Extract<ClosingPage, { kind: 'words' }>; summary: Summary }) {
  const { t } = useLang();
  return (
    <section class="closing-words">
      {page.text && (
        <div>
          <h2 class="closing-h">{t('summary.text')}</h2>
          <p class="pre closing-text">{page.text}</p>
        </div>
      )}
      {page.actions.length > 0 && (
        <div>
          <h2 class="closing-h">{t('summary.actions')}</h2>
          <ul class="closing-actions">{page.actions.map((a) => <li>{a}</li>)}</ul>
        </div>
      )}
      {!page.text && page.actions.length === 0 && (
        <p class="closing-text">{summary.cards.length === 0 ? t('summary.none') : t('screen.closing.thanks', { n: summary.cards.length })}</p>
      )}
    </section>
  );
}
