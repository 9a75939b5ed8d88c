// Votes: the scale, the vote buttons, numbers, agreement and the distribution of a revealed card.
import { useLang, useT } from '../../i18n';
import { member } from '../../state/reducer';
import type { Agreement, Deck, Lang, Stats, View } from '../../state/types';

export function scaleLabels(deck: Deck | null, lang: Lang): { value: number; label: string }[] {
  if (!deck) return [1, 2, 3, 4, 5].map((v) => ({ value: v, label: String(v) }));
  const out = [];
  for (let v = deck.scale.min; v <= deck.scale.max; v++) {
    out.push({ value: v, label: deck.scale.labels[lang]?.[v - deck.scale.min] ?? String(v) });
  }
  return out;
}

/** Vote buttons: one per scale value with its label, plus pass; the chosen one is pressed. */
export function VoteButtons({ deck, mine, disabled, onVote, label }: { deck: Deck | null; mine: number | null | undefined; disabled: boolean; onVote: (v: number | null) => void; label: string }) {
  const { lang, t } = useLang();
  return (
    <div class="vote-buttons" role="group" aria-label={label}>
      {scaleLabels(deck, lang).map(({ value, label: l }) => (
        <button type="button" class={`vote ${mine === value ? 'chosen' : ''}`} aria-pressed={mine === value} disabled={disabled} onClick={() => onVote(value)}>
          <span class="vote-n">{value}</span>
          <span class="vote-l">{l}</span>
        </button>
      ))}
      <button type="button" class={`vote vote-pass ${mine === null ? 'chosen' : ''}`} aria-pressed={mine === null} disabled={disabled} onClick={() => onVote(null)}>
        <span class="vote-l">{t('vote.pass')}</span>
      </button>
    </div>
  );
}

export function fmt(x: number | null | undefined, lang: Lang): string {
  if (x === null || x === undefined) return '–';
  // Always one decimal, so a ranking of means reads evenly (3,0 next to 4,7).
  return x.toLocaleString(lang === 'nl' ? 'nl-NL' : 'en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

export function AgreementBadge({ agreement }: { agreement: Agreement }) {
  const t = useT();
  const key = agreement ?? 'none';
  return <span class={`badge badge-${key}`}>{t(`agreement.${key}` as 'agreement.none')}</span>;
}

/** The distribution of votes as labelled bars (readable without colour). */
export function Histogram({ stats, deck, votes, view, big }: { stats: Stats; deck: Deck | null; votes?: [number, number | null][]; view?: View; big?: boolean }) {
  const { lang, t } = useLang();
  const labels = scaleLabels(deck, lang);
  const top = Math.max(1, ...stats.hist);
  return (
    <figure class={`hist ${big ? 'hist-big' : ''}`}>
      <figcaption>
        {stats.n === 1 ? t('vote.count.one') : t('vote.count', { n: stats.n })}
        {stats.pass > 0 && ` · ${stats.pass === 1 ? t('vote.passes.one') : t('vote.passes', { n: stats.pass })}`}
        {stats.mean !== null && ` · ${t('vote.mean', { x: fmt(stats.mean, lang) })}`}
      </figcaption>
      <ul>
        {stats.hist.map((count, i) => {
          const value = (deck?.scale.min ?? 1) + i;
          const who = votes && view ? votes.filter(([, v]) => v === value).map(([p]) => member(view, p)?.name ?? `#${p}`) : [];
          return (
            <li class="hist-row">
              <span class="hist-label">{value} · {labels[i]?.label ?? ''}</span>
              <span class="hist-bar-wrap"><span class="hist-bar" style={{ width: `${(100 * count) / top}%` }} /></span>
              <span class="hist-count">{count}</span>
              {who.length > 0 && <span class="hist-who">{who.join(', ')}</span>}
            </li>
          );
        })}
      </ul>
    </figure>
  );
}
