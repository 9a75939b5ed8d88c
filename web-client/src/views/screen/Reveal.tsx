// The presenter's reveal: the distribution, then the big mean and the agreement; a revote as before → after; the extremes marked.
import { useLang } from '../../i18n';
import { agreementOf, member } from '../../state/reducer';
import type { Deck, Stats, View, Vote } from '../../state/types';
import { cardOf, categoryOf, deckText } from '../parts/cards';
import { fmt, scaleLabels } from '../parts/votes';
import { Countdown } from '../parts/timer';
import { AgreementMark, VoteCount } from './common';
import { WindowFiguresView } from '../parts/windows';

/** Names go under the bars only in a named round with this few voters: more would not be read. */
const NAMES_UNDER_BARS = 24;

export function Reveal({ view, deck, before, live, offset }: { view: View; deck: Deck | null; before: Stats | null; live: boolean; offset: number }) {
  const { t, lang } = useLang();
  const table = view.table!;
  const stats = table.revealed!.stats;
  const agreement = agreementOf(stats);
  const votes = table.revealed!.votes;
  const c = cardOf(deck, table.card);
  const cat = categoryOf(deck, c?.category);
  // The extremes are worth hearing when the votes spread: the lowest and highest value chosen.
  const spread = stats.min !== null && stats.max !== null && agreement !== 'consensus' && agreement !== null;
  return (
    <main class={`stage-reveal ${live ? 'reveal-live' : ''}`}>
      <header class="reveal-card" style={{ borderColor: cat?.color ?? '#37474f' }}>
        <span class="reveal-cat" style={{ backgroundColor: cat?.color ?? '#37474f' }}>{cat ? deckText(cat.title, lang) : ''}</span>
        <h2 class="reveal-title">{c ? deckText(c.title, lang) : deck ? table.card : t('deck.loading')}</h2>
        <Countdown endsAt={view.timer} offset={offset} />
      </header>
      <div class={`reveal-body ${before ? 'has-before' : ''}`}>
        {before && (
          <section class="reveal-before" aria-label={t('screen.before')}>
            <p class="reveal-tag">{t('screen.before')}</p>
            <Chart stats={before} deck={deck} />
            <p class="reveal-before-mean">{fmt(before.mean, lang)} · <AgreementMark agreement={agreementOf(before)} /></p>
          </section>
        )}
        <section class="reveal-chart" aria-label={t('vote.revealed')}>
          {before && <p class="reveal-tag">{t('screen.after')}</p>}
          <Chart stats={stats} deck={deck} votes={votes && votes.length <= NAMES_UNDER_BARS ? votes : undefined} view={view}
            extremes={spread ? [stats.min!, stats.max!] : null} />
        </section>
        <section class="reveal-result" aria-live="polite">
          <p class="reveal-mean-label">{t('screen.mean')}</p>
          <p class="reveal-mean">{fmt(stats.mean, lang)}</p>
          <p class="reveal-agree"><AgreementMark agreement={agreement} /></p>
          <p class="reveal-count"><VoteCount stats={stats} /></p>
          {spread && <p class="reveal-cue">{t('screen.extremes', { lo: stats.min!, hi: stats.max! })}</p>}
        </section>
      </div>
      {/* Where the windows disagree (format 2 decks with windows; SPEC.md §5.3): its own row under the body, only when a window has figures. */}
      <WindowFiguresView deck={deck} figures={table.revealed!.windows} overall={stats} anonymous={Boolean(view.opts.anonymous)} big />
    </main>
  );
}

/** The distribution as columns, one per scale value, labelled (readable without colour). */
function Chart({ stats, deck, votes, view, extremes }: { stats: Stats; deck: Deck | null; votes?: Vote[]; view?: View; extremes?: [number, number] | null }) {
  const { lang } = useLang();
  const labels = scaleLabels(deck, lang);
  const top = Math.max(1, ...stats.hist);
  const min = deck?.scale.min ?? 1;
  return (
    <ol class="chart">
      {stats.hist.map((count, i) => {
        const value = min + i;
        const who = votes && view ? votes.filter(([, v]) => v === value).map(([p]) => member(view, p)?.name ?? `#${p}`) : [];
        const edge = extremes && count > 0 && (value === extremes[0] || value === extremes[1]);
        return (
          <li class={`chart-col ${edge ? 'is-extreme' : ''}`} style={`--i:${i}`}>
            <span class="chart-count">{count}</span>
            <span class="chart-well"><span class="chart-bar" style={{ height: `${(100 * count) / top}%` }} /></span>
            <span class="chart-value">{value}</span>
            <span class="chart-label">{labels[i]?.label ?? ''}</span>
            {/* Each name whole (cut with an ellipsis if it must be): the line breaks between names, never inside one. */}
            {who.length > 0 && <span class="chart-who">{who.map((name, k) => <span class="chart-name" title={name}>{k < who.length - 1 ? `${name},` : name}</span>)}</span>}
          </li>
        );
      })}
    </ol>
  );
}
