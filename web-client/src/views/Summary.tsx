// The summary of a closed round, in the order a reader wants: title, date, who took part, the facilitator's words, the ranked cards (distribution, agreement, notes), the topics; downloads, print and a share link.
import { useState } from 'preact/hooks';
import { useLang } from '../i18n';
import type { Deck, Summary, View } from '../state/types';
import { CardFace, categoryOf, deckText } from './parts/cards';
import { AgreementBadge, Histogram, fmt } from './parts/votes';
import { memberName } from './parts/people';
import { NotesList } from './parts/notes';
import { WindowFiguresView } from './parts/windows';
import { roomDate } from './parts/dates';
import './summary.css';

/** The read-only summary page of a room (#/summary/CODE?key=K): what the share link opens. */
export function summaryLink(room: string, replayKey: string, loc: Pick<Location, 'origin' | 'pathname'> = location): string {
  return `${loc.origin}${loc.pathname}#/summary/${room}?key=${encodeURIComponent(replayKey)}`;
}

export function SummaryView({ view, summary, deck, links = true }: { view: View; summary: Summary; deck: Deck | null; links?: boolean }) {
  const { t, lang } = useLang();
  // Topics with no card played this round say nothing about it.
  const categories = summary.categories.filter((c) => c.cards > 0);
  // An anonymous round's summary names nobody (no `players`).
  const people = Array.isArray(summary.players) ? summary.players.map((p) => memberName(view, p)).join(', ')
    : typeof summary.players === 'number' ? String(summary.players) : '';
  return (
    <section class="summary" aria-labelledby="summary-h">
      <header class="summary-head">
        <h2 id="summary-h">{view.title || t('summary.untitled')}</h2>
        <p class="summary-meta">{t('summary.meta', { n: summary.round, date: roomDate(summary.closed_at, view.tz_offset, lang) })}</p>
        {people && <p class="summary-people">{t('summary.people', { names: people })}</p>}
      </header>
      {summary.text && (
        <div class="summary-text">
          <h3>{t('summary.text')}</h3>
          <p class="pre">{summary.text}</p>
        </div>
      )}
      {summary.actions.length > 0 && (
        <div class="summary-actions">
          <h3>{t('summary.actions')}</h3>
          <ol>{summary.actions.map((a) => <li>{a}</li>)}</ol>
        </div>
      )}
      <h3>{t('summary.ranking')}</h3>
      {summary.cards.length === 0 && <p class="muted">{t('summary.none')}</p>}
      <ol class="ranking">
        {summary.cards.map((c) => (
          <li class="rank-item">
            <CardFace deck={deck} card={c.card} size="small">
              <p class="rank-meta">
                <strong>{fmt(c.stats.mean, lang)}</strong> <AgreementBadge agreement={c.agreement} />
                {c.by !== null && <span class="rank-by muted small">{t('summary.by', { name: memberName(view, c.by) })}</span>}
              </p>
            </CardFace>
            <Histogram stats={c.stats} deck={deck} />
            <WindowFiguresView deck={deck} figures={c.windows} overall={c.stats} anonymous={!Array.isArray(summary.players)} />
            {c.notes.length > 0 && <NotesList notes={c.notes} view={view} />}
          </li>
        ))}
      </ol>
      {categories.length > 0 && (
        <>
          <h3>{t('summary.categories')}</h3>
          <table class="cat-table">
            <thead>
              <tr><th scope="col">{t('summary.cat.topic')}</th><th scope="col">{t('summary.cat.cards')}</th><th scope="col">{t('summary.cat.mean')}</th></tr>
            </thead>
            <tbody>
              {categories.map((c) => {
                const cat = categoryOf(deck, c.category);
                return (
                  <tr>
                    <th scope="row">
                      <span class="cat-swatch" style={{ backgroundColor: cat?.color ?? '#37474f' }} aria-hidden="true" />
                      {deckText(cat?.title, lang) || (deck ? c.category : t('deck.loading'))}
                    </th>
                    <td>{c.cards}</td>
                    <td>{fmt(c.mean, lang)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
      {links && <SummaryLinks view={view} summary={summary} />}
    </section>
  );
}

/** Downloads, print and the share link: on screen only, never on paper. */
function SummaryLinks({ view, summary }: { view: View; summary: Summary }) {
  const { t } = useLang();
  const base = `/api/rooms/${view.room}/summary`;
  const q = `?key=${encodeURIComponent(summary.replay_key)}&round=${summary.round}`;
  const share = summaryLink(view.room, summary.replay_key);
  const [copied, setCopied] = useState(false);
  return (
    <div class="summary-links no-print">
      <nav class="downloads" aria-label={t('summary.download')}>
        <span>{t('summary.download')}:</span>
        {/* download="" (not a bare `download`, which Preact writes as "true" and browsers then save as true.md): the server's Content-Disposition names the file. */}
        <a href={`${base}.md${q}`} download="">Markdown</a>
        <a href={`${base}.json${q}`} download="">JSON</a>
        {/* The room's dialect first: Dutch Excel splits on ';' and English Excel on ','. */}
        {(view.lang === 'nl' ? ['nl', 'en'] as const : ['en', 'nl'] as const).map((d) => (
          <a href={`${base}.csv${q}&dialect=${d}`} download="">{t(`summary.csv.${d}`)}</a>
        ))}
        <button type="button" class="link" onClick={() => print()}>{t('summary.print')}</button>
        <a href={`#/replay/${view.room}?key=${encodeURIComponent(summary.replay_key)}`}>{t('summary.replay')}</a>
      </nav>
      <div class="share">
        <label for="share-link">{t('summary.share')}</label>
        <div class="share-row">
          <input id="share-link" readOnly value={share} onFocus={(e) => (e.target as HTMLInputElement).select()} aria-describedby="share-who" />
          <button type="button" onClick={async () => {
            try {
              await navigator.clipboard.writeText(share);
              setCopied(true);
            } catch {
              // No clipboard (a page over plain http): the link is selected for the person to copy.
              (document.getElementById('share-link') as HTMLInputElement | null)?.select();
            }
          }}>{copied ? t('summary.share.copied') : t('summary.share.copy')}</button>
        </div>
        <p id="share-who" class="muted small">{t('summary.share.who')}</p>
      </div>
    </div>
  );
}
