// The facilitator's controls for the table card: reveal, revote, next (never a silent skip of the reveal), skip, draw, the shortcuts and the "what's next" hint.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useLang, type Translate } from '../../i18n';
import type { Deck, Intent, View } from '../../state/types';
import { deckText } from '../parts/cards';
import { memberName } from '../parts/people';
import { participants, voters } from '../screen/common';
import { Countdown } from '../parts/timer';
import { SHORTCUTS, actionFor, type ConsoleAction } from './keys';

/** What T starts when no timer runs. */
export const TIMER_KEY_SECONDS = 180;
/** The timer's choices in the control bar. */
const TIMER_MINUTES = [1, 3, 5, 10];

export function Controls({ view, deck, busy, send, offset = 0, hold }: { view: View; deck: Deck | null; busy: boolean; send: (i: Intent) => Promise<boolean>; offset?: number; hold?: number }) {
  const { t } = useLang();
  const table = view.table;
  const [confirmNext, setConfirmNext] = useState(false);
  const [help, setHelp] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  // A new card or stage ends a pending question.
  useEffect(() => setConfirmNext(false), [table?.card, table?.stage]);

  // After an action its button may be gone: keep the focus in the console, so the keys go on working.
  const act = async (i: Intent) => {
    const ok = await send(i);
    const el = document.activeElement;
    if (!el || el === document.body || !el.isConnected) box.current?.focus();
    return ok;
  };
  const next = () => {
    // Before the reveal, "next" would finish the card unseen while its votes count: ask first.
    if (table?.stage === 'discuss') setConfirmNext(true);
    else void act({ t: 'next' });
  };
  const canSkip = !table && view.opts.mode !== 'deck' && view.turn !== null;
  const run = (a: ConsoleAction) => {
    if (a === 'help') return setHelp((h) => !h);
    if (view.phase !== 'playing') return;
    if (a === 'reveal' && table?.stage === 'discuss') void act({ t: 'reveal' });
    if (a === 'next' && table) next();
    if (a === 'revote' && table?.stage === 'revealed') void act({ t: 'revote' });
    if (a === 'timer') void act({ t: 'timer', seconds: view.timer === null ? TIMER_KEY_SECONDS : 0 });
    if (a === 'skip' && canSkip) void act({ t: 'skip' });
  };
  const runRef = useRef(run);
  runRef.current = run;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const a = actionFor(e);
      if (!a) return;
      e.preventDefault();
      runRef.current(a);
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);

  return (
    <div class="console" ref={box} tabIndex={-1} aria-label={t('fac.controls')}>
      <NextHint view={view} />
      {table?.stage === 'discuss' && view.opts.auto_reveal && <AwayLine view={view} offset={offset} hold={hold} />}
      {view.phase === 'playing' && (
        <div class="controls" role="group" aria-label={t('fac.controls')}>
          {view.opts.mode === 'deck' && !table && (
            <button type="button" class="primary" disabled={busy || view.pile === 0} onClick={() => act({ t: 'draw' })}>{t('fac.draw')}</button>
          )}
          {table?.stage === 'discuss' && (
            <button type="button" class="primary" onClick={() => act({ t: 'reveal' })}>{t('fac.reveal')} <kbd>{t('fac.keys.space')}</kbd></button>
          )}
          {table?.stage === 'revealed' && <button type="button" class="primary" onClick={() => act({ t: 'next' })}>{t('fac.next')} <kbd>→</kbd></button>}
          {table?.stage === 'revealed' && <button type="button" class="secondary" onClick={() => act({ t: 'revote' })}>{t('fac.revote')} <kbd>R</kbd></button>}
          {table?.stage === 'discuss' && !confirmNext && (
            <button type="button" class="quiet" onClick={next}>{t('fac.next.unseen')}</button>
          )}
          {canSkip && <button type="button" class="secondary" onClick={() => act({ t: 'skip' })}>{t('fac.skip')} <kbd>S</kbd></button>}
          <TimerControls view={view} offset={offset} onSet={(seconds) => void act({ t: 'timer', seconds })} />
          <button type="button" class="link keys-link" aria-expanded={help} onClick={() => setHelp(!help)}>{t('fac.keys.help')} <kbd>?</kbd></button>
        </div>
      )}
      {view.phase === 'playing' && view.opts.mode === 'deck' && !table && view.pile > 0 && (
        <PilePicker view={view} deck={deck} busy={busy} onPick={(card) => act({ t: 'draw', card })} />
      )}
      {confirmNext && table?.stage === 'discuss' && (
        <div class="confirm-next" role="alertdialog" aria-labelledby="confirm-next-q">
          <p id="confirm-next-q"><strong>{t('fac.next.confirm')}</strong></p>
          <div class="controls">
            <button type="button" class="primary" autoFocus onClick={() => act({ t: 'reveal' })}>{t('fac.next.reveal_first')}</button>
            <button type="button" class="danger-outline" onClick={() => act({ t: 'next' })}>{t('fac.next.anyway')}</button>
            <button type="button" class="link" onClick={() => { setConfirmNext(false); box.current?.focus(); }}>{t('fac.next.cancel')}</button>
          </div>
        </div>
      )}
      {help && (
        <div class="keys-help" role="dialog" aria-labelledby="keys-h">
          <h3 id="keys-h">{t('fac.keys.title')}</h3>
          <dl class="keys-list">
            {SHORTCUTS.map((s) => (
              <>
                <dt><kbd>{s.key === ' ' ? t('fac.keys.space') : s.shown}</kbd></dt>
                <dd>{t(s.label)}</dd>
              </>
            ))}
          </dl>
          <p class="muted">{t('fac.keys.note')}</p>
        </div>
      )}
    </div>
  );
}

/**
 * The cards still in the pile, as far as this page can tell: the round's
 * topics of the deck, less the cards of this round already on the table.
 * The server has the last word (`no_card` for a card not in the pile).
 */
export function pileCards(view: View, deck: Deck | null): Deck['cards'] {
  if (!deck) return [];
  const cats = view.opts.categories ?? [];
  const gone = new Set([...view.history.map((h) => h.card), ...(view.table ? [view.table.card] : [])]);
  return deck.cards.filter((c) => (cats.length === 0 || cats.includes(c.category)) && !gone.has(c.id));
}

/** Choose the next card from the pile (the one a participant asked for, say) instead of drawing at random. */
function PilePicker({ view, deck, busy, onPick }: { view: View; deck: Deck | null; busy: boolean; onPick: (card: string) => void }) {
  const { t, lang } = useLang();
  const cards = pileCards(view, deck);
  const [card, setCard] = useState('');
  if (!deck || cards.length === 0) return null;
  const chosen = cards.some((c) => c.id === card) ? card : '';
  return (
    <form class="pile-picker" onSubmit={(e) => {
      e.preventDefault();
      if (chosen) onPick(chosen);
    }}>
      <label class="field">
        <span>{t('fac.pick')}</span>
        <select value={chosen} onChange={(e) => setCard((e.target as HTMLSelectElement).value)}>
          <option value="">{t('fac.pick.none')}</option>
          {deck.categories.map((cat) => {
            const mine = cards.filter((c) => c.category === cat.id);
            return mine.length === 0 ? null : (
              <optgroup label={deckText(cat.title, lang)}>
                {mine.map((c) => <option value={c.id}>{deckText(c.title, lang)}</option>)}
              </optgroup>
            );
          })}
        </select>
      </label>
      <button type="submit" class="secondary" disabled={busy || !chosen}>{t('fac.pick.button')}</button>
    </form>
  );
}

/** A whole number of seconds in words: "45 seconden", "2 minuten", "1 minuut en 30 seconden". */
export function durationText(t: Translate, seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const secs = (n: number) => (n === 1 ? t('time.second') : t('time.seconds', { n }));
  const mins = (n: number) => (n === 1 ? t('time.minute') : t('time.minutes', { n }));
  if (s < 60) return secs(s);
  if (s % 60 === 0) return mins(s / 60);
  return t('time.and', { a: mins(Math.floor(s / 60)), b: secs(s % 60) });
}

/**
 * Who holds the auto-reveal from a phone gone to sleep: a voter offline and
 * not voted, with how long they have been away (SPEC.md §3; the server
 * reveals by itself once the hold has passed). "Stemmen tonen" reveals anyway.
 */
function AwayLine({ view, offset, hold }: { view: View; offset: number; hold: number | undefined }) {
  const { t } = useLang();
  const [now, setNow] = useState(() => Date.now() + offset);
  const away = voters(view).filter((p) => !p.online && !p.seated && !p.voted && p.away !== undefined);
  useEffect(() => {
    if (away.length === 0) return;
    const id = setInterval(() => setNow(Date.now() + offset), 1000);
    return () => clearInterval(id);
  }, [away.length, offset]);
  if (away.length === 0) return null;
  const since = (ms: number) => {
    const s = Math.max(0, Math.floor((now - ms) / 1000));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  };
  return (
    <p class="away-line">
      {t(hold === undefined ? 'fac.away.unknown' : 'fac.away', {
        list: away.map((p) => t('fac.away.one', { name: p.name, time: since(p.away!) })).join(', '),
        hold: hold === undefined ? '' : durationText(t, hold),
      })}
    </p>
  );
}

/** One sentence on what the facilitator does next, in every state. */
export function NextHint({ view }: { view: View }) {
  const { t } = useLang();
  const table = view.table;
  let text: string;
  if (view.phase === 'lobby') {
    const n = participants(view).length;
    text = n === 1 ? t('fac.hint.lobby.one') : t('fac.hint.lobby', { n });
  }
  else if (view.phase === 'closed') text = t('fac.hint.closed');
  else if (!table && view.opts.mode === 'deck') text = view.pile === 0 ? t('fac.hint.empty') : t('fac.hint.draw');
  else if (!table && view.turn === null) text = view.history.length > 0 ? t('fac.hint.done') : t('fac.hint.empty');
  else if (!table) text = t('fac.hint.turn', { name: memberName(view, view.turn) });
  else if (table.stage === 'discuss') {
    const all = voters(view);
    const done = all.filter((p) => p.voted).length;
    text = done === all.length && all.length > 0 ? t('fac.hint.all_voted') : t('fac.hint.voting', { n: done, m: all.length });
  } else text = t('fac.hint.revealed');
  return <p class="next-hint" role="status">{text}</p>;
}

/**
 * The timer in the control bar, next to reveal and next: its countdown while
 * it runs (with stop), else its choices. T starts 3 minutes or stops it.
 */
function TimerControls({ view, offset, onSet }: { view: View; offset: number; onSet: (seconds: number) => void }) {
  const { t } = useLang();
  return (
    <span class="timer-controls" role="group" aria-label={t('fac.timer')}>
      {view.timer !== null ? (
        <>
          <Countdown endsAt={view.timer} offset={offset} />
          <button type="button" class="link" onClick={() => onSet(0)}>{t('fac.timer.cancel')} <kbd>T</kbd></button>
        </>
      ) : (
        <>
          <span>{t('fac.timer')} <kbd>T</kbd>:</span>
          {TIMER_MINUTES.map((m) => <button type="button" class="secondary small" onClick={() => onSet(m * 60)}>{t('fac.timer.min', { n: m })}</button>)}
        </>
      )}
    </span>
  );
}
