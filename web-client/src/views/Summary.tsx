// The summary of a closed round: cards ranked by development potential, distributions, agreement, notes, text, actions, downloads.
import { useLang } from '../i18n';
import type { Deck, Summary, View } from '../state/types';
import { CardFace, categoryOf, deckText } from './parts/cards';
import { AgreementBadge, Histogram, fmt } from './parts/votes';
import { memberName } from './parts/people';
import { NotesList } from './parts/notes';

export function SummaryView({ view, summary, deck, links = true }: { view: View; summary: Summary; deck: Deck | null; links?: boolean }) {
  const { t, lang } = useLang();
  const base = `/api/rooms/${view.room}/summary`;
  const q = `?key=${encodeURIComponent(summary.replay_key)}&round=${summary.round}`;
  // Topics with no card played this round say nothing about it.
  const categories = summary.categories.filter((c) => c.cards > 0);
  // An anonymous round's summary names nobody (no `players`).
  const people = Array.isArray(summary.players) ? summary.players.map((p) => memberName(view, p)).join(', ')
    : typeof summary.players === 'number' ? String(summary.players) : '';
  return (
    <section class="summary" aria-labelledby="summary-h">
      <h2 id="summary-h">{t('summary.title', { n: summary.round })}</h2>
      {summary.text && (
        <div class="summary-text">
          <h3>{t('summary.text')}</h3>
          <p class="pre">{summary.text}</p>
        </div>
      )}
      {summary.actions.length > 0 && (
        <div class="summary-actions">
          <h3>{t('summary.actions')}</h3>
          <ul>{summary.actions.map((a) => <li>{a}</li>)}</ul>
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
              </p>
            </CardFace>
            <Histogram stats={c.stats} deck={deck} />
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
              {categories.map((c) => (
                <tr>
                  <th scope="row">{deckText(categoryOf(deck, c.category)?.title, lang) || (deck ? c.category : t('deck.loading'))}</th>
                  <td>{c.cards}</td>
                  <td>{fmt(c.mean, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {people && <p class="muted">{t('summary.people', { names: people })}</p>}
      {links && (
        <nav class="downloads no-print" aria-label={t('summary.download')}>
          <span>{t('summary.download')}:</span>
          {/* download="" (not a bare `download`, which Preact writes as "true" and browsers then save as true.md): the server's Content-Disposition names the file. */}
          <a href={`${base}.md${q}`} download="">Markdown</a>
          <a href={`${base}.json${q}`} download="">JSON</a>
          {/* The room's dialect first: Dutch Excel splits on ';' and English Excel on ','. */}
          {(view.lang === 'nl' ? ['nl', 'en'] as const : ['en', 'nl'] as const).map((d) => (
            <a href={`${base}.csv${q}&dialect=${d}`} download="">{t(`summary.csv.${d}`)}</a>
          ))}
          <a href={`#/replay/${view.room}?key=${encodeURIComponent(summary.replay_key)}`}>{t('summary.replay')}</a>
          <button type="button" class="link" onClick={() => print()}>{t('summary.print')}</button>
        </nav>
      )}
    </section>
  );
}
