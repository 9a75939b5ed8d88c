// Pieces shared by the screens: connection badge, language switch, card face, votes, notes, timer, people, join panel.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { errorText, useLang, useT } from '../i18n';
import { deckByHash } from '../net/decks';
import { joinBase, joinHostFrom, joinLinkFrom, serverInfo } from '../net/server';
import { FAILURES_BEFORE_NOTICE, RequestError, type RoomConnection, type Snapshot } from '../net/connection';
import { member } from '../state/reducer';
import type { Agreement, Deck, Intent, Lang, Member, Note, Stats, View } from '../state/types';

export function useDeck(hash: string | undefined): Deck | null {
  const [deck, setDeck] = useState<Deck | null>(null);
  useEffect(() => {
    if (!hash) return;
    let live = true;
    deckByHash(hash).then((d) => live && setDeck(d), () => live && setDeck(null));
    return () => {
      live = false;
    };
  }, [hash]);
  return deck;
}

/** Sends requests for a view and keeps the last error as a sentence for a person. */
export function useActions(conn: RoomConnection) {
  const t = useT();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const send = async (msg: Intent): Promise<boolean> => {
    setBusy(true);
    try {
      await conn.request(msg);
      setError(null);
      return true;
    } catch (e) {
      setError(errorText(t, e instanceof RequestError ? e.code : 'unknown'));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { send, error, busy, clear: () => setError(null) };
}

export function ErrorBanner({ error, onClose }: { error: string | null; onClose: () => void }) {
  const t = useT();
  if (!error) return null;
  return (
    <div class="banner banner-error" role="alert">
      <span>{error}</span>
      <button type="button" class="link" onClick={onClose}>{t('error.dismiss')}</button>
    </div>
  );
}

export function ConnBadge({ snap }: { snap: Snapshot }) {
  const t = useT();
  const text = snap.state === 'open' ? t('conn.open') : snap.state === 'reconnecting' ? t('conn.reconnecting')
    : snap.state === 'ended' ? t('conn.ended') : t('conn.connecting');
  return <span class={`conn conn-${snap.state}`} role="status" data-testid="conn-state">{text}</span>;
}

/** After repeated failed reconnects: says so and offers to try at once (the automatic retries back off to a minute). */
export function ConnNotice({ snap, onRetry }: { snap: Snapshot; onRetry: () => void }) {
  const t = useT();
  if (snap.state === 'open' || snap.state === 'ended' || snap.attempts < FAILURES_BEFORE_NOTICE) return null;
  return (
    <div class="conn-notice" role="alert" data-testid="conn-notice">
      <p>{t('conn.failing')}</p>
      <button type="button" onClick={onRetry}>{t('conn.retry')}</button>
    </div>
  );
}

export function LangSwitch() {
  const { lang, choose, t } = useLang();
  const other: Lang = lang === 'nl' ? 'en' : 'nl';
  return (
    <button type="button" class="link lang-switch" lang={other} onClick={() => choose(other)}>
      {t('lang.switch')}
    </button>
  );
}

/** The top bar of a room page: title, code, connection state, language. */
export function RoomHeader({ view, snap, children }: { view: View | null; snap: Snapshot; children?: ComponentChildren }) {
  const t = useT();
  return (
    <header class="topbar">
      <div class="topbar-title">
        <strong>{view?.title || t('app.name')}</strong>
        {view && <span class="code-chip" aria-label={`${t('room.code')} ${view.room.split('').join(' ')}`}>{view.room}</span>}
      </div>
      <div class="topbar-tools">
        <ConnBadge snap={snap} />
        {children}
        <LangSwitch />
      </div>
    </header>
  );
}

export function deckText(x: { nl: string; en: string } | undefined, lang: Lang): string {
  return x ? x[lang] || x.nl || x.en : '';
}

export function cardOf(deck: Deck | null, id: string) {
  return deck?.cards.find((c) => c.id === id);
}

export function cardTitle(deck: Deck | null, id: string, lang: Lang): string {
  const c = cardOf(deck, id);
  return c ? deckText(c.title, lang) : id;
}

export function categoryOf(deck: Deck | null, id: string | undefined) {
  return deck?.categories.find((c) => c.id === id);
}

/** A card as a person reads it: its topic in the topic's colour, its title and its question. */
export function CardFace({ deck, card, size = 'normal', children }: { deck: Deck | null; card: string; size?: 'small' | 'normal' | 'big'; children?: ComponentChildren }) {
  const { lang, t } = useLang();
  const c = cardOf(deck, card);
  const cat = categoryOf(deck, c?.category);
  // While the deck loads a placeholder stands in: an id means nothing to a person. A card the loaded deck lacks still shows its id.
  const title = c ? deckText(c.title, lang) : deck ? card : t('deck.loading');
  return (
    <article class={`card card-${size}`} aria-label={title} aria-busy={deck ? undefined : 'true'}>
      <div class="card-cat" style={{ backgroundColor: cat?.color ?? '#37474f' }}>{cat ? deckText(cat.title, lang) : ''}</div>
      <div class="card-body">
        <h3 class="card-title">{title}</h3>
        {size !== 'small' && c && <p class="card-prompt">{deckText(c.prompt, lang)}</p>}
        {children}
      </div>
    </article>
  );
}

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
        {stats.pass > 0 && ` · ${t('vote.passes', { n: stats.pass })}`}
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

/** The timer; `offset` is the server's clock minus this device's (Snapshot.clockOffset), unknown → 0. */
export function Countdown({ endsAt, offset = 0 }: { endsAt: number | null; offset?: number }) {
  const t = useT();
  const skew = Number.isFinite(offset) ? offset : 0;
  const [now, setNow] = useState(Date.now() + skew);
  useEffect(() => {
    if (endsAt === null) return;
    setNow(Date.now() + skew);
    const id = setInterval(() => setNow(Date.now() + skew), 500);
    return () => clearInterval(id);
  }, [endsAt, skew]);
  if (endsAt === null) return null;
  const left = Math.max(0, Math.ceil((endsAt - now) / 1000));
  const text = left === 0 ? t('timer.over') : t('timer.left', { time: `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}` });
  return <div class={`timer ${left === 0 ? 'timer-over' : ''}`} role="timer" aria-live={left === 0 ? 'assertive' : 'off'}>{text}</div>;
}

export function memberName(view: View, id: number | null | undefined): string {
  return member(view, id)?.name ?? (id ? `#${id}` : '');
}

export function NotesList({ notes, view, onHide }: { notes: Note[]; view: View; onHide?: (note: number) => void }) {
  const t = useT();
  if (notes.length === 0) return <p class="muted">{t('notes.none')}</p>;
  return (
    <ul class="notes">
      {notes.map((n) => (
        <li class="note">
          <span class="note-who">{memberName(view, n.player)}</span>
          {n.text !== undefined ? <span class="note-text">{n.text}</span> : <span class="muted">{t('notes.hidden')}</span>}
          {onHide && n.text !== undefined && (
            <button type="button" class="link small" onClick={() => onHide(n.note)} aria-label={`${t('notes.hide')}: ${n.text}`}>{t('notes.hide')}</button>
          )}
        </li>
      ))}
    </ul>
  );
}

/** Limit of PROTOCOL.md §3 for a note, in bytes of UTF-8. */
export const NOTE_MAX_BYTES = 500;

export function NoteForm({ onSend }: { onSend: (text: string) => Promise<boolean> }) {
  const t = useT();
  const [text, setText] = useState('');
  const tooLong = new TextEncoder().encode(text).length > NOTE_MAX_BYTES;
  return (
    <form class="note-form" onSubmit={async (e) => {
      e.preventDefault();
      if (!text.trim() || tooLong) return;
      if (await onSend(text.trim())) setText('');
    }}>
      <label for="note-text">{t('notes.add')}</label>
      <textarea id="note-text" rows={2} value={text} placeholder={t('notes.placeholder')} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      <button type="submit" disabled={!text.trim() || tooLong}>{t('notes.send')}</button>
    </form>
  );
}

/** The people in the room, with whether they voted on the table card (never what). */
export function People({ view, me, showVoted, actions }: { view: View; me: number; showVoted: boolean; actions?: (m: Member) => ComponentChildren }) {
  const t = useT();
  const people = view.players.filter((p) => p.present);
  return (
    <ul class="people" aria-label={t('room.people')}>
      {people.map((p) => (
        <li class={`person ${p.online || p.seated ? '' : 'is-offline'}`}>
          <span class="person-name">
            {p.name} {p.player === me && <span class="muted">{t('room.you')}</span>}
            {view.turn === p.player && <span class="turn-mark" aria-hidden="true"> ◀</span>}
          </span>
          <span class="person-tags">
            {p.role === 'facilitator' && <span class="tag">{t('room.role.facilitator')}</span>}
            {p.role === 'screen' && <span class="tag">{t('room.role.screen')}</span>}
            {p.seated && <span class="tag">{t('room.seated')}</span>}
            {!p.online && !p.seated && p.role !== 'screen' && <span class="tag tag-off">{t('room.offline')}</span>}
            {view.opts.mode !== 'deck' && p.cards > 0 && <span class="tag">{p.cards === 1 ? t('room.cards.one') : t('room.cards', { n: p.cards })}</span>}
            {showVoted && (p.role === 'player' || (p.role === 'facilitator' && view.opts.facilitator_plays)) && (p.voted
              ? <span class="tag tag-voted">✓ {t('vote.who')}</span>
              : <span class="tag tag-wait">{t('vote.waiting')}</span>)}
          </span>
          {actions && <span class="person-actions">{actions(p)}</span>}
        </li>
      ))}
    </ul>
  );
}

export function TurnLine({ view, me }: { view: View; me: number }) {
  const t = useT();
  if (view.phase !== 'playing' || view.opts.mode === 'deck' || view.table) return null;
  if (view.turn === null) return <p class="turn">{t('room.turn.none')}</p>;
  if (view.turn === me) return <p class="turn turn-me" role="status">{t('room.turn.you')}</p>;
  return <p class="turn" role="status">{t('room.turn.other', { name: memberName(view, view.turn) })}</p>;
}

/** A QR code as SVG (qrcode is loaded only on pages that show one). */
export function QrCode({ text, label, size = 240 }: { text: string; label: string; size?: number }) {
  const [svg, setSvg] = useState('');
  useEffect(() => {
    let live = true;
    import('qrcode').then((q) => q.toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' })).then((s) => live && setSvg(s));
    return () => {
      live = false;
    };
  }, [text]);
  return <div class="qr" role="img" aria-label={label} style={{ width: `${size}px`, height: `${size}px` }} dangerouslySetInnerHTML={{ __html: svg }} />;
}

/**
 * The link (and the host to say aloud) that people open to join `room`:
 * this page's address at first, then what GET /api/server says phones can
 * reach (a LAN address instead of localhost, or --public-url).
 */
export function useJoin(room: string): { link: string; host: string } {
  const [base, setBase] = useState(() => joinBase(location, null));
  useEffect(() => {
    let live = true;
    serverInfo().then((info) => live && setBase(joinBase(location, info)));
    return () => {
      live = false;
    };
  }, []);
  return { link: joinLinkFrom(base, room), host: joinHostFrom(base) };
}
