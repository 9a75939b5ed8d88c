// The card set editor (#/editor): make a set in the browser, from scratch or from a copy, see a card as a phone and the big screen show it, store it on the server, start a session with it.
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { useLang } from '../i18n';
import type { StringKey } from '../i18n';
import { deckByHash, deckList } from '../net/decks';
import { storeDeck, type StoreResult } from '../net/store';
import { contrastWithWhite, MIN_CONTRAST } from '../deck/color';
import { fromCsv, toCsv, type RowProblem } from '../deck/csv';
import { deckMessage } from '../deck/servermsg';
import {
  AUDIENCES_MAX, CARD_KINDS, CARDS_MAX, CATEGORIES_MAX, FOLLOWUPS_MAX, blankDeck, newAudience, copyOf, fieldRef, fromDeckJson, move, newCard, newCategory, newKey,
  setScale, toDeck, toDeckJson, type EditCard, type EditCategory, type EditDeck, type Text2,
} from '../deck/edit';
import type { DeckListing } from '../state/types';
import { CardFace, ScaleGuide, deckText } from './parts/cards';
import { VotingCard } from './screen/Voting';
import { spacedCode } from './screen/common';

/** A made-up room code for the big screen's preview. */
const PREVIEW_CODE = 'ABC234';
import { LangSwitch } from './parts/layout';

/** The server's refusal of a save: the message and the field it names (a path such as cards[3].title.nl). */
interface FieldError { field?: string; error: string }

export function EditorPage({ from }: { from?: string }) {
  const { t, lang } = useLang();
  const [deck, setDeck] = useState<EditDeck>(blankDeck);
  const [sources, setSources] = useState<DeckListing[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [serverError, setServerError] = useState<FieldError | null>(null);
  const [saved, setSaved] = useState<StoreResult | null>(null);
  const [saving, setSaving] = useState(false);
  const [problems, setProblems] = useState<RowProblem[] | null>(null);
  const [preview, setPreview] = useState(0);

  useEffect(() => {
    deckList().then(setSources, () => setSources([]));
  }, []);
  useEffect(() => {
    if (from) void startFrom(from);
  }, [from]);

  async function startFrom(hash: string) {
    try {
      setDeck(copyOf(fromDeckJson(await deckByHash(hash))));
      setLoadError(null);
    } catch {
      setLoadError(t('editor.load_error'));
    }
  }

  /** Every change goes through here: what was saved and refused belongs to the old content. */
  const change = (next: EditDeck) => {
    setDeck(next);
    setSaved(null);
  };

  const json = useMemo(() => toDeckJson(deck), [deck]);
  const shown = useMemo(() => toDeck(deck), [deck]);
  const previewIndex = Math.min(preview, deck.cards.length - 1);
  const previewId = previewIndex >= 0 ? (json.cards as { id: string }[])[previewIndex].id : '';

  const errFor = (path: string): string | null => {
    const f = serverError?.field;
    if (!f) return null;
    // With Dutch only, an English field's message shows at the Dutch one.
    const mine = deck.languages === 'nl' ? f.replace(/\.en$/, '.nl') : f;
    return mine === path ? deckMessage(t, serverError!.error) : null;
  };

  async function save() {
    setSaving(true);
    setServerError(null);
    try {
      const r = await storeDeck(json);
      if (r.ok) {
        setSaved(r.stored);
      } else if (r.field === 'format') {
        // A server that knows only the v1 format refuses the v2 fields by their marker.
        setServerError({ error: t('editor.v2_unsupported') });
      } else {
        setServerError({ field: r.field, error: r.error });
        // Show the person the field the server names.
        if (r.field) requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-field="${cssPath(r.field!)}"]`)?.focus());
      }
    } catch {
      setServerError({ error: t('editor.save_failed') });
    } finally {
      setSaving(false);
    }
  }

  const upd = <K extends keyof EditDeck>(k: K, v: EditDeck[K]) => change({ ...deck, [k]: v });
  const setCat = (i: number, c: EditCategory) => upd('categories', deck.categories.map((x, j) => (j === i ? c : x)));
  const setCard = (i: number, c: EditCard) => upd('cards', deck.cards.map((x, j) => (j === i ? c : x)));
  const general = serverError && (!serverError.field || fieldRef(serverError.field).list === null) ? serverError : null;

  return (
    <div class="editor">
      <header class="topbar">
        <div class="topbar-title"><strong>{t('editor.title')}</strong></div>
        <div class="topbar-tools"><a href="#/">{t('conn.home')}</a><LangSwitch /></div>
      </header>
      <main class="page page-wide editor-grid">
        <div class="editor-main">
          <section class="box" aria-labelledby="ed-start">
            <h2 id="ed-start">{t('editor.start')}</h2>
            <div class="row-between">
              <button type="button" class="secondary" onClick={() => { change(blankDeck()); setServerError(null); }}>{t('editor.blank')}</button>
              <label class="field inline">
                <span>{t('editor.copy_of')}</span>
                <select onChange={(e) => { const h = (e.target as HTMLSelectElement).value; if (h) void startFrom(h); }}>
                  <option value="">—</option>
                  {sources.map((s) => <option value={s.hash}>{deckText(s.title, lang)}</option>)}
                </select>
              </label>
            </div>
            {loadError && <p class="error" role="alert">{loadError}</p>}
            <ImportExport deck={deck} json={json} onDeck={(d) => { change(d); setServerError(null); }} problems={problems} setProblems={setProblems} />
          </section>

          <section class="box" aria-labelledby="ed-set">
            <h2 id="ed-set">{t('editor.set')}</h2>
            <TextPair label={t('editor.set_title')} value={deck.title} path="title" both={deck.languages === 'both'} err={errFor} onChange={(v) => upd('title', v)} />
            <fieldset>
              <legend>{t('editor.languages')}</legend>
              {(['both', 'nl'] as const).map((l) => (
                <label class="check">
                  <input type="radio" name="ed-languages" checked={deck.languages === l} onChange={() => upd('languages', l)} />
                  <span>{t(l === 'both' ? 'editor.languages_both' : 'editor.languages_nl')}</span>
                </label>
              ))}
            </fieldset>
            <TextPair label={t('editor.question')} hint={t('editor.question_hint')} value={deck.question} path="question" both={deck.languages === 'both'} err={errFor} onChange={(v) => upd('question', v)} />
            <ScaleFields deck={deck} err={errFor} onChange={change} />
            <AudienceFields deck={deck} err={errFor} onChange={change} />
          </section>

          <section class="box" aria-labelledby="ed-cats">
            <h2 id="ed-cats">{t('editor.categories')}</h2>
            <ol class="ed-list">
              {deck.categories.map((c, i) => (
                <li key={c.key} class="ed-item">
                  <CategoryFields cat={c} index={i} both={deck.languages === 'both'} err={errFor} onChange={(x) => setCat(i, x)} />
                  <ItemTools label={deckText(c.title, lang) || t('editor.category_n', { n: i + 1 })}
                    onUp={() => upd('categories', move(deck.categories, i, -1))} onDown={() => upd('categories', move(deck.categories, i, 1))}
                    onDelete={deck.categories.length > 1 && !deck.cards.some((k) => k.category === c.key) ? () => upd('categories', deck.categories.filter((_, j) => j !== i)) : undefined}
                    deleteHint={deck.cards.some((k) => k.category === c.key) ? t('editor.category_in_use') : undefined} />
                </li>
              ))}
            </ol>
            <button type="button" class="secondary" disabled={deck.categories.length >= CATEGORIES_MAX}
              onClick={() => upd('categories', [...deck.categories, newCategory(deck.categories.length)])}>{t('editor.add_category')}</button>
          </section>

          <section class="box" aria-labelledby="ed-cards">
            <h2 id="ed-cards">{t('editor.cards', { n: deck.cards.length })}</h2>
            <ol class="ed-list">
              {deck.cards.map((c, i) => (
                <li key={c.key} class={`ed-item${i === previewIndex ? ' ed-previewed' : ''}`} onFocusIn={() => setPreview(i)}>
                  <CardFields card={c} index={i} deck={deck} err={errFor} onChange={(x) => setCard(i, x)} />
                  <ItemTools label={deckText(c.title, lang) || t('editor.card_n', { n: i + 1 })}
                    onUp={() => upd('cards', move(deck.cards, i, -1))} onDown={() => upd('cards', move(deck.cards, i, 1))}
                    onDuplicate={deck.cards.length < CARDS_MAX ? () => upd('cards', [...deck.cards.slice(0, i + 1), { ...c, key: newKey('k'), id: '' }, ...deck.cards.slice(i + 1)]) : undefined}
                    onDelete={deck.cards.length > 1 ? () => upd('cards', deck.cards.filter((_, j) => j !== i)) : undefined} />
                </li>
              ))}
            </ol>
            <button type="button" class="secondary" disabled={deck.cards.length >= CARDS_MAX}
              onClick={() => { upd('cards', [...deck.cards, newCard(deck.categories[deck.categories.length - 1].key)]); setPreview(deck.cards.length); }}>{t('editor.add_card')}</button>
          </section>

          <section class="box" aria-labelledby="ed-save">
            <h2 id="ed-save">{t('editor.save_title')}</h2>
            <p class="muted">{t('editor.save_hint')}</p>
            {general && <p class="error" role="alert" data-testid="save-error">{general.field ? `${general.field}: ` : ''}{deckMessage(t, general.error)}</p>}
            {serverError?.field && !general && <p class="error" role="alert" data-testid="save-error">{t('editor.fix_field')}</p>}
            <button type="button" class="primary-big" disabled={saving} onClick={() => void save()}>{saving ? t('home.create.busy') : t('editor.save')}</button>
            {saved && <Saved stored={saved} />}
          </section>
        </div>

        <aside class="editor-side" aria-labelledby="ed-preview">
          <h2 id="ed-preview">{t('editor.preview')}</h2>
          {previewId ? <Preview deck={shown} card={previewId} /> : null}
        </aside>
      </main>
    </div>
  );
}

/** A path as an attribute selector value (brackets and dots are plain there). */
function cssPath(p: string): string {
  return p.replace(/"/g, '');
}

function Saved({ stored }: { stored: StoreResult }) {
  const { t } = useLang();
  const link = `${location.origin}${location.pathname}#/?deck=${stored.hash}`;
  return (
    <div class="ed-saved" role="status">
      <p><strong>{t('editor.saved', { hash: stored.hash })}</strong></p>
      <p><a class="button-link" href={`#/?deck=${stored.hash}`}>{t('editor.start_session')}</a></p>
      <p>{t('editor.link')} <code class="break">{link}</code></p>
      <p><a href={`#/print/${stored.hash}`}>{t('editor.print')}</a></p>
    </div>
  );
}

/** One text in Dutch and English (or Dutch only), with the server's message at the field it names. */
function TextPair({ label, hint, value, path, both, err, onChange, multiline }: {
  label: string; hint?: string; value: Text2; path: string; both: boolean; err: (p: string) => string | null;
  onChange: (v: Text2) => void; multiline?: boolean;
}) {
  const { t } = useLang();
  const langs: ('nl' | 'en')[] = both ? ['nl', 'en'] : ['nl'];
  const whole = err(path);
  return (
    <div class="ed-pair">
      {langs.map((l) => {
        const e = err(`${path}.${l}`) ?? (l === 'nl' ? whole : null);
        const props = {
          'data-field': `${path}.${l}`, value: value[l], maxLength: 500, lang: l,
          'aria-invalid': e ? (true as const) : undefined,
          onInput: (ev: Event) => onChange({ ...value, [l]: (ev.target as HTMLInputElement).value }),
        };
        return (
          <label class="field">
            <span>{label}{both ? ` (${t(l === 'nl' ? 'lang.nl' : 'lang.en')})` : ''}</span>
            {multiline ? <textarea rows={2} {...props} /> : <input {...props} />}
            {e && <span class="error field-error" role="alert">{e}</span>}
          </label>
        );
      })}
      {hint && <p class="muted small">{hint}</p>}
    </div>
  );
}

function ScaleFields({ deck, err, onChange }: { deck: EditDeck; err: (p: string) => string | null; onChange: (d: EditDeck) => void }) {
  const { t } = useLang();
  const { min, max } = deck.scale;
  const langs: ('nl' | 'en')[] = deck.languages === 'both' ? ['nl', 'en'] : ['nl'];
  const scaleErr = err('scale') ?? err('scale.min') ?? err('scale.max');
  return (
    <fieldset>
      <legend>{t('editor.scale')}</legend>
      <div class="ed-row">
        <label class="field"><span>{t('editor.scale_min')}</span>
          <input type="number" min={0} max={999} value={min} data-field="scale.min" onInput={(e) => onChange(setScale(deck, Number((e.target as HTMLInputElement).value), max))} /></label>
        <label class="field"><span>{t('editor.scale_max')}</span>
          <input type="number" min={1} max={1000} value={max} data-field="scale.max" onInput={(e) => onChange(setScale(deck, min, Number((e.target as HTMLInputElement).value)))} /></label>
      </div>
      {scaleErr && <p class="error field-error" role="alert">{scaleErr}</p>}
      {langs.map((l) => (
        <div>
          <p class="small"><strong>{t('editor.scale_labels', { lang: t(l === 'nl' ? 'lang.nl' : 'lang.en') })}</strong></p>
          {(err(`scale.labels.${l}`)) && <p class="error field-error" role="alert">{err(`scale.labels.${l}`)}</p>}
          <ol class="ed-labels">
            {deck.scale.labels[l].map((s, i) => (
              <li>
                <label class="field"><span>{min + i}</span>
                  <input value={s} lang={l} maxLength={500} data-field={`scale.labels.${l}[${i}]`} onInput={(e) => {
                    const next = deck.scale.labels[l].slice();
                    next[i] = (e.target as HTMLInputElement).value;
                    onChange({ ...deck, scale: { ...deck.scale, labels: { ...deck.scale.labels, [l]: next } } });
                  }} /></label>
                {err(`scale.labels.${l}[${i}]`) && <span class="error field-error" role="alert">{err(`scale.labels.${l}[${i}]`)}</span>}
              </li>
            ))}
          </ol>
        </div>
      ))}
    </fieldset>
  );
}

function CategoryFields({ cat, index, both, err, onChange }: { cat: EditCategory; index: number; both: boolean; err: (p: string) => string | null; onChange: (c: EditCategory) => void }) {
  const { t } = useLang();
  const path = `categories[${index}]`;
  const contrast = contrastWithWhite(cat.color);
  const low = contrast !== null && contrast < MIN_CONTRAST;
  return (
    <div class="ed-fields">
      <h3>{t('editor.category_n', { n: index + 1 })}</h3>
      <TextPair label={t('editor.category_name')} value={cat.title} path={`${path}.title`} both={both} err={err} onChange={(v) => onChange({ ...cat, title: v })} />
      <div class="ed-row ed-color">
        <label class="field"><span>{t('editor.color')}</span>
          <input type="color" value={/^#[0-9a-f]{6}$/i.test(cat.color) ? cat.color : '#000000'} onInput={(e) => onChange({ ...cat, color: (e.target as HTMLInputElement).value })} /></label>
        <label class="field"><span>{t('editor.color_code')}</span>
          <input value={cat.color} maxLength={7} data-field={`${path}.color`} onInput={(e) => onChange({ ...cat, color: (e.target as HTMLInputElement).value.trim() })} /></label>
        <span class="ed-swatch" style={{ backgroundColor: contrast === null ? '#ffffff' : cat.color }}>{t('editor.swatch')}</span>
      </div>
      {contrast === null
        ? <p class="error field-error" role="alert">{t('editor.color_invalid')}</p>
        : <p class={low ? 'error field-error' : 'muted small'} role={low ? 'alert' : undefined}>{t(low ? 'editor.contrast_low' : 'editor.contrast_ok', { ratio: contrast.toFixed(1) })}</p>}
      {err(`${path}.color`) && <p class="error field-error" role="alert">{err(`${path}.color`)}</p>}
      {err(`${path}.id`) && <p class="error field-error" role="alert">{err(`${path}.id`)}</p>}
      <details>
        <summary>{t('editor.explainer')}</summary>
        <TextPair label={t('editor.explainer')} hint={t('editor.explainer_hint')} value={cat.explainer} path={`${path}.explainer`} both={both} err={err} multiline onChange={(v) => onChange({ ...cat, explainer: v })} />
      </details>
    </div>
  );
}

const KIND_KEYS: Record<string, StringKey> = { '': 'editor.kind_default', opener: 'editor.kind_opener', topic: 'editor.kind_topic', story: 'editor.kind_story', closer: 'editor.kind_closer' };

function CardFields({ card, index, deck, err, onChange }: { card: EditCard; index: number; deck: EditDeck; err: (p: string) => string | null; onChange: (c: EditCard) => void }) {
  const { t, lang } = useLang();
  const both = deck.languages === 'both';
  const path = `cards[${index}]`;
  const hasMore = card.kind !== '' || card.followups.length > 0 || card.anchorLow.nl !== '' || card.anchorHigh.nl !== '' || card.audience.length > 0;
  return (
    <div class="ed-fields">
      <h3>{t('editor.card_n', { n: index + 1 })}</h3>
      <label class="field"><span>{t('editor.card_category')}</span>
        <select value={card.category} data-field={`${path}.category`} onChange={(e) => onChange({ ...card, category: (e.target as HTMLSelectElement).value })}>
          {deck.categories.map((c, i) => <option value={c.key}>{deckText(c.title, lang) || t('editor.category_n', { n: i + 1 })}</option>)}
        </select>
        {err(`${path}.category`) && <span class="error field-error" role="alert">{err(`${path}.category`)}</span>}
      </label>
      <TextPair label={t('editor.card_title')} value={card.title} path={`${path}.title`} both={both} err={err} onChange={(v) => onChange({ ...card, title: v })} />
      <TextPair label={t('editor.card_prompt')} value={card.prompt} path={`${path}.prompt`} both={both} err={err} multiline onChange={(v) => onChange({ ...card, prompt: v })} />
      {err(`${path}.id`) && <p class="error field-error" role="alert">{err(`${path}.id`)}</p>}
      <details open={hasMore || Boolean(serverNamesMore(err, path))}>
        <summary>{t('editor.card_more')}</summary>
        <label class="field"><span>{t('editor.kind')}</span>
          <select value={card.kind} data-field={`${path}.kind`} onChange={(e) => onChange({ ...card, kind: (e.target as HTMLSelectElement).value as EditCard['kind'] })}>
            {CARD_KINDS.map((k) => <option value={k}>{t(KIND_KEYS[k])}</option>)}
          </select>
        </label>
        <TextPair label={t('editor.anchor_low', { n: deck.scale.min })} value={card.anchorLow} path={`${path}.anchor.low`} both={both} err={err} onChange={(v) => onChange({ ...card, anchorLow: v })} />
        <TextPair label={t('editor.anchor_high', { n: deck.scale.max })} value={card.anchorHigh} path={`${path}.anchor.high`} both={both} err={err} onChange={(v) => onChange({ ...card, anchorHigh: v })} />
        <p class="small"><strong>{t('editor.followups')}</strong> <span class="muted">{t('editor.followups_hint')}</span></p>
        {card.followups.map((f, i) => (
          <div class="ed-followup">
            <TextPair label={t('editor.followup_n', { n: i + 1 })} value={f} path={`${path}.followups[${i}]`} both={both} err={err}
              onChange={(v) => onChange({ ...card, followups: card.followups.map((x, j) => (j === i ? v : x)) })} />
            <button type="button" class="link small" onClick={() => onChange({ ...card, followups: card.followups.filter((_, j) => j !== i) })}>{t('editor.remove')}</button>
          </div>
        ))}
        {card.followups.length < FOLLOWUPS_MAX && (
          <button type="button" class="link small" onClick={() => onChange({ ...card, followups: [...card.followups, { nl: '', en: '' }] })}>{t('editor.add_followup')}</button>
        )}
        {deck.audiences.length > 0 && (
          <fieldset>
            <legend>{t('editor.card_audience')}</legend>
            {deck.audiences.map((a, i) => (
              <label class="check">
                <input type="checkbox" checked={card.audience.includes(a.key)} onChange={(e) => onChange({
                  ...card,
                  audience: (e.target as HTMLInputElement).checked ? [...card.audience, a.key] : card.audience.filter((k) => k !== a.key),
                })} />
                <span>{deckText(a.title, lang) || t('editor.audience_n', { n: i + 1 })}</span>
              </label>
            ))}
            {err(`${path}.audience`) && <p class="error field-error" role="alert">{err(`${path}.audience`)}</p>}
          </fieldset>
        )}
      </details>
    </div>
  );
}

/** The audiences (tags) of the set: who a card is for. A card without one is for everyone. */
function AudienceFields({ deck, err, onChange }: { deck: EditDeck; err: (p: string) => string | null; onChange: (d: EditDeck) => void }) {
  const { t } = useLang();
  const both = deck.languages === 'both';
  return (
    <fieldset>
      <legend>{t('editor.audiences')}</legend>
      <p class="muted small">{t('editor.audiences_hint')}</p>
      {deck.audiences.map((a, i) => (
        <div class="ed-followup">
          <TextPair label={t('editor.audience_n', { n: i + 1 })} value={a.title} path={`audiences[${i}].title`} both={both} err={err}
            onChange={(v) => onChange({ ...deck, audiences: deck.audiences.map((x, j) => (j === i ? { ...x, title: v } : x)) })} />
          <button type="button" class="link small" onClick={() => onChange({
            ...deck,
            audiences: deck.audiences.filter((_, j) => j !== i),
            cards: deck.cards.map((c) => ({ ...c, audience: c.audience.filter((k) => k !== a.key) })),
          })}>{t('editor.remove')}</button>
        </div>
      ))}
      {err('audiences') && <p class="error field-error" role="alert">{err('audiences')}</p>}
      {deck.audiences.length < AUDIENCES_MAX && (
        <button type="button" class="link small" onClick={() => onChange({ ...deck, audiences: [...deck.audiences, newAudience()] })}>{t('editor.add_audience')}</button>
      )}
    </fieldset>
  );
}

function serverNamesMore(err: (p: string) => string | null, path: string): boolean {
  return ['kind', 'anchor.low.nl', 'anchor.low.en', 'anchor.high.nl', 'anchor.high.en'].some((k) => err(`${path}.${k}`) !== null);
}

function ItemTools({ label, onUp, onDown, onDuplicate, onDelete, deleteHint }: {
  label: string; onUp: () => void; onDown: () => void; onDuplicate?: () => void; onDelete?: () => void; deleteHint?: string;
}) {
  const { t } = useLang();
  return (
    <div class="ed-tools" role="group" aria-label={label}>
      <button type="button" class="secondary small" aria-label={`${t('editor.up')}: ${label}`} onClick={onUp}>↑</button>
      <button type="button" class="secondary small" aria-label={`${t('editor.down')}: ${label}`} onClick={onDown}>↓</button>
      {onDuplicate && <button type="button" class="secondary small" onClick={onDuplicate}>{t('editor.duplicate')}</button>}
      <button type="button" class="secondary small" disabled={!onDelete} title={deleteHint} onClick={() => onDelete?.()}>{t('editor.delete')}</button>
    </div>
  );
}

/** The chosen card as a phone and as the big screen show it, with the vote scale under it on the phone. */
function Preview({ deck, card }: { deck: ReturnType<typeof toDeck>; card: string }) {
  const { t, lang } = useLang();
  const labels = deck.scale.labels[lang];
  return (
    <div class="ed-preview">
      <p class="muted small">{t('editor.preview_phone')}</p>
      <div class="preview-phone">
        <CardFace deck={deck} card={card} />
        {/* As the phone asks: the deck's question, what 1 and 5 mean for this card, the scale. */}
        <p class="preview-question">{deck.question ? deckText(deck.question, lang) : t('vote.title')}</p>
        <ScaleGuide deck={deck} card={card} question={false} />
        <div class="preview-scale" aria-hidden="true">
          {labels.map((l, i) => <span class="preview-vote"><strong>{deck.scale.min + i}</strong> {l}</span>)}
        </div>
      </div>
      <p class="muted small">{t('editor.preview_screen')}</p>
      <div class="preview-screen">
        {/* The presenter's own voting stage: every size in it is a share of the stage's height, so in this small 16:9 box it is the projector's picture in miniature. */}
        <div class="stage">
          <header class="stage-top"><span class="stage-title">{deckText(deck.title, lang)}</span><span class="stage-code">{spacedCode(PREVIEW_CODE)}</span></header>
          <div class="stage-voting">
            <VotingCard deck={deck} card={card} by={t('room.table.by', { name: t('editor.preview_player') })} />
            <div class="voting-side" />
          </div>
        </div>
      </div>
    </div>
  );
}

/** The deck JSON and the CSV, out to a file and back in. */
function ImportExport({ deck, json, onDeck, problems, setProblems }: {
  deck: EditDeck; json: Record<string, unknown>; onDeck: (d: EditDeck) => void; problems: RowProblem[] | null; setProblems: (p: RowProblem[] | null) => void;
}) {
  const { t } = useLang();
  const [jsonError, setJsonError] = useState<string | null>(null);
  const name = String(json.id || 'kaartenset');
  return (
    <details class="ed-io">
      <summary>{t('editor.io')}</summary>
      <p class="muted small">{t('editor.csv_hint')}</p>
      <div class="ed-row">
        <button type="button" class="secondary small" onClick={() => download(`${name}.json`, 'application/json', `${JSON.stringify(json, null, 2)}\n`)}>{t('editor.export_json')}</button>
        <button type="button" class="secondary small" onClick={() => download(`${name}.csv`, 'text/csv;charset=utf-8', toCsv(deck))}>{t('editor.export_csv')}</button>
      </div>
      <div class="ed-row">
        <FileField label={t('editor.import_json')} accept=".json,application/json" onText={(text) => {
          try {
            onDeck(fromDeckJson(JSON.parse(text)));
            setJsonError(null);
          } catch {
            setJsonError(t('editor.import_json_error'));
          }
        }} />
        <FileField label={t('editor.import_csv')} accept=".csv,text/csv,text/plain" onText={(text) => {
          const r = fromCsv(text);
          if (r.cards.length) onDeck({ ...deck, categories: r.categories, cards: r.cards });
          setProblems(r.problems.length ? r.problems : []);
        }} />
      </div>
      {jsonError && <p class="error" role="alert">{jsonError}</p>}
      {problems && problems.length === 0 && <p role="status">{t('csv.ok')}</p>}
      {problems && problems.length > 0 && (
        <div role="alert" class="csv-problems">
          <p class="error">{problems.length === 1 ? t('csv.problems.one') : t('csv.problems', { n: problems.length })}</p>
          <ul>{problems.map((p) => <li data-row={p.row}>{t('csv.row', { row: p.row })}: {t(p.message as StringKey, p.params)}</li>)}</ul>
        </div>
      )}
    </details>
  );
}

function FileField({ label, accept, onText }: { label: string; accept: string; onText: (text: string) => void }): ComponentChildren {
  return (
    <label class="field">
      <span>{label}</span>
      <input type="file" accept={accept} onChange={async (e) => {
        const input = e.target as HTMLInputElement;
        const f = input.files?.[0];
        if (f) onText(await f.text());
        input.value = '';
      }} />
    </label>
  );
}

function download(filename: string, type: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
