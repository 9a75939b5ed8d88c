// The four windows (SPEC.md §5.3): the window someone speaks from, choosing one, the empty chair, and the votes per window after a reveal.
import { useLang } from '../../i18n';
import type { Deck, DeckWindow, Stats, WindowFigures } from '../../state/types';
import { deckText, Explainer } from './cards';
import { fmt, scaleLabels } from './votes';

export function windowOf(deck: Deck | null, id: string | null | undefined): DeckWindow | undefined {
  return id ? deck?.windows?.find((w) => w.id === id) : undefined;
}

/** A window as a small coloured tag next to a name. */
export function WindowTag({ deck, id }: { deck: Deck | null; id: string | undefined }) {
  const { lang } = useLang();
  const w = windowOf(deck, id);
  if (!id) return null;
  return <span class="tag tag-window" style={w ? { backgroundColor: w.color } : undefined}>{w ? deckText(w.title, lang) : id}</span>;
}

/** A choice of window ("" = none), with each window's explainer reachable below. */
export function WindowPicker({ deck, value, onPick, label, disabled, exclude = [] }: { deck: Deck; value: string; onPick: (id: string) => void; label: string; disabled?: boolean; exclude?: string[] }) {
  const { t, lang } = useLang();
  const windows = (deck.windows ?? []).filter((w) => !exclude.includes(w.id) || w.id === value);
  return (
    <label class="field window-picker">
      <span>{label}</span>
      <select value={value} disabled={disabled} onChange={(e) => onPick((e.target as HTMLSelectElement).value)}>
        <option value="">{t('window.none')}</option>
        {windows.map((w) => <option value={w.id}>{deckText(w.title, lang)}</option>)}
      </select>
    </label>
  );
}

/** What each window means: the deck's explainers, behind an (i) each. */
export function WindowExplainers({ deck }: { deck: Deck }) {
  const { lang } = useLang();
  return (
    <ul class="window-list">
      {(deck.windows ?? []).map((w) => (
        <li class="window-item" style={{ borderColor: w.color }}>
          <span class="swatch" style={{ backgroundColor: w.color }} aria-hidden="true" />
          <span>{deckText(w.title, lang)}</span>
          <Explainer title={deckText(w.title, lang)} text={deckText(w.explainer, lang)} />
        </li>
      ))}
    </ul>
  );
}

/** The empty chair: the group answers this card from a window nobody holds. */
export function ChairBanner({ deck, chair, big }: { deck: Deck | null; chair: string | undefined; big?: boolean }) {
  const { t, lang } = useLang();
  const w = windowOf(deck, chair);
  if (!chair) return null;
  return (
    <div class={`chair ${big ? 'chair-big' : ''}`} role="status" style={w ? { borderColor: w.color } : undefined}>
      <strong>{t('window.chair')}</strong> {t('window.chair.ask', { window: w ? deckText(w.title, lang) : chair })}
      {w && <p class="chair-explainer">{deckText(w.explainer, lang)}</p>}
    </div>
  );
}

/**
 * The votes per window next to the overall figure: mean, count and the
 * distribution as a row of small bars. In an anonymous round the server
 * left out what could single out a vote; the note says why a window may
 * be missing. Shown only when at least one window has figures.
 */
export function WindowFiguresView({ deck, figures, overall, anonymous, big }: { deck: Deck | null; figures: WindowFigures[] | undefined; overall: Stats; anonymous: boolean; big?: boolean }) {
  const { t, lang } = useLang();
  // Nobody spoke from a window (or none may be shown): a table of one row would only take room from the reveal.
  if (!figures || figures.length === 0 || !deck?.windows?.length) return null;
  const labels = scaleLabels(deck, lang);
  const row = (key: string, title: string, color: string | undefined, st: Stats, strong?: boolean) => {
    const top = Math.max(1, ...st.hist);
    return (
      <tr class={strong ? 'wf-overall' : ''} key={key}>
        <th scope="row"><span class="swatch" style={{ backgroundColor: color ?? 'transparent' }} aria-hidden="true" /> {title}</th>
        <td class="wf-mean">{fmt(st.mean, lang)}</td>
        <td class="wf-n">{st.n}</td>
        <td class="wf-hist" aria-label={st.hist.map((c, i) => `${labels[i]?.value ?? i}: ${c}`).join(', ')}>
          <span class="wf-bars">{st.hist.map((c) => <span class="wf-bar" style={{ height: `${(100 * c) / top}%` }} />)}</span>
        </td>
      </tr>
    );
  };
  if (big) {
    // The projector: one row of cells under the reveal, read from the back of the room (SPEC.md §5.3).
    // The overall figure is the reveal's big mean right above, so only the windows get a cell.
    const cell = (key: string, title: string, color: string | undefined, st: Stats) => {
      const top = Math.max(1, ...st.hist);
      return (
        <li class="wf-cell" key={key} style={color ? { borderTopColor: color } : undefined}>
          <span class="wf-name">{title}</span>
          <span class="wf-line">
            <span class="wf-mean">{fmt(st.mean, lang)}</span>
            <span class="wf-n">{st.n === 1 ? t('vote.count.one') : t('vote.count', { n: st.n })}</span>
            <span class="wf-bars" role="img" aria-label={st.hist.map((c, i) => `${labels[i]?.value ?? i}: ${c}`).join(', ')}>
              {st.hist.map((c) => <span class="wf-bar" style={{ height: `${(100 * c) / top}%` }} />)}
            </span>
          </span>
        </li>
      );
    };
    return (
      <figure class="window-figures window-figures-big">
        <figcaption>{t('window.figures')}</figcaption>
        <ul class="wf-cells">
          {figures.map(([id, st]) => {
            const w = windowOf(deck, id);
            return cell(id, w ? deckText(w.title, lang) : id, w?.color, st);
          })}
        </ul>
        {anonymous && <p class="muted wf-note">{t('window.anonymous_rule')}</p>}
      </figure>
    );
  }
  return (
    <figure class="window-figures">
      <figcaption>{t('window.figures')}</figcaption>
      <table>
        <thead><tr><th scope="col">{t('window.col')}</th><th scope="col">{t('window.col.mean')}</th><th scope="col">{t('window.col.n')}</th><th scope="col">{t('window.col.hist')}</th></tr></thead>
        <tbody>
          {row('all', t('window.overall'), undefined, overall, true)}
          {figures.map(([id, st]) => {
            const w = windowOf(deck, id);
            return row(id, w ? deckText(w.title, lang) : id, w?.color, st);
          })}
        </tbody>
      </table>
      {anonymous && <p class="muted wf-note">{t('window.anonymous_rule')}</p>}
    </figure>
  );
}
