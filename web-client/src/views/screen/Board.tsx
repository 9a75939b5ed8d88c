// The presenter between cards: whose turn it is, and the cards of this round so far, ranked, building up.
import { useLang } from '../../i18n';
import type { Deck, HistoryEntry, View } from '../../state/types';
import { cardTitle } from '../parts/cards';
import { fmt } from '../parts/votes';
import { Countdown } from '../parts/timer';
import { AgreementMark, Latecomers, MiniHist, TurnBanner } from './common';

/** The board shows this many rows; the rest are counted. */
const BOARD_ROWS = 12;

/** This round's finished cards in the summary's order (SPEC.md §5): mean descending, none last, ties in play order. */
export function ranked(history: HistoryEntry[]): HistoryEntry[] {
  const key = (h: HistoryEntry) => (h.stats.mean === null ? -1 : h.stats.mean);
  return [...history].sort((a, b) => key(b) - key(a));
}

export function Board({ view, deck, offset }: { view: View; deck: Deck | null; offset: number }) {
  const { t, lang } = useLang();
  const rows = ranked(view.history);
  const shown = rows.slice(0, BOARD_ROWS);
  return (
    <main class={`stage-board ${rows.length === 0 ? 'is-first' : ''}`}>
      <div class="board-top">
        <TurnBanner view={view} />
        <Countdown endsAt={view.timer} offset={offset} />
      </div>
      {rows.length === 0 ? (
        <div class="board-empty">
          <p>{t('screen.board.first')}</p>
          <Latecomers view={view} />
        </div>
      ) : (
        <section class="board" aria-labelledby="board-h">
          <h2 id="board-h" class="board-h">{t('screen.board')}</h2>
          <ol class={`board-rows ${shown.length > 6 ? 'board-two' : ''}`}>
            {shown.map((h, i) => (
              <li class="board-row">
                <span class="board-rank">{i + 1}</span>
                <span class="board-title">{cardTitle(deck, h.card, lang)}</span>
                <MiniHist stats={h.stats} />
                <span class="board-mean">{fmt(h.stats.mean, lang)}</span>
                <AgreementMark agreement={h.agreement} class="board-agree" />
              </li>
            ))}
          </ol>
          {rows.length > shown.length && <p class="board-more">{t('screen.board.more', { n: rows.length - shown.length })}</p>}
        </section>
      )}
    </main>
  );
}
