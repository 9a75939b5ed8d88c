// The people in a room: names, the list with their state, whose turn it is.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useT } from '../../i18n';
import { member } from '../../state/reducer';
import type { Member, View } from '../../state/types';
import { useDeck } from './cards';
import { WindowTag } from './windows';

export function memberName(view: View, id: number | null | undefined): string {
  return member(view, id)?.name ?? (id ? `#${id}` : '');
}

/** The people in the room, with whether they voted on the table card (never what). */
export function People({ view, me, showVoted, actions }: { view: View; me: number; showVoted: boolean; actions?: (m: Member) => ComponentChildren }) {
  const t = useT();
  const deck = useDeck(view.deck.hash);
  const people = view.players.filter((p) => p.present);
  return (
    <ul class="people" aria-label={t('room.people')}>
      {people.map((p) => (
        <li class={`person ${p.online || p.seated ? '' : 'is-offline'}`}>
          <span class="person-name">
            {p.name} {p.player === me && <span class="muted">{t('room.you')}</span>}
            {view.turn === p.player && <span class="turn-mark" aria-hidden="true"> ◀</span>}
            {p.window && <> <WindowTag deck={deck} id={p.window} /></>}
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

/** How long a phone says that the facilitator skipped its turn. */
export const SKIP_NOTICE_MS = 6000;

/**
 * Whose turn it is. When it becomes mine the line scrolls into view (I may
 * be reading further down); with `tellSkip` a skipped turn is said for a
 * few seconds instead of the turn silently moving on.
 */
export function TurnLine({ view, me, tellSkip }: { view: View; me: number; tellSkip?: boolean }) {
  const t = useT();
  const line = useRef<HTMLParagraphElement>(null);
  const mine = view.phase === 'playing' && view.opts.mode !== 'deck' && !view.table && view.turn === me;
  const skipped = useSkipped(view, me);
  useEffect(() => {
    if (!mine || !line.current) return;
    const still = matchMedia('(prefers-reduced-motion: reduce)').matches;
    line.current.scrollIntoView({ block: 'center', behavior: still ? 'auto' : 'smooth' });
  }, [mine]);
  if (view.phase !== 'playing' || view.opts.mode === 'deck' || view.table) return null;
  const notice = tellSkip && skipped ? <p class="turn turn-skipped" role="alert">{t('room.turn.skipped')}</p> : null;
  if (view.turn === null) return <>{notice}<p class="turn">{t('room.turn.none')}</p></>;
  if (view.turn === me) return <p class="turn turn-me" role="status" ref={line}>{t('room.turn.you')}</p>;
  return <>{notice}<p class="turn" role="status">{t('room.turn.other', { name: memberName(view, view.turn) })}</p></>;
}

/**
 * True for SKIP_NOTICE_MS after my turn was skipped: the turn left me with
 * no card of mine on the table (only the facilitator's `skip` does that;
 * SPEC.md §3). A view replaced on reconnect is compared like any other.
 */
function useSkipped(view: View, me: number): boolean {
  const prev = useRef<View | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const [shown, setShown] = useState(false);
  useEffect(() => {
    const was = prev.current;
    prev.current = view;
    if (!was || was.phase !== 'playing' || view.phase !== 'playing' || was.table || view.table) return;
    if (was.turn === me && view.turn !== me && view.history.length === was.history.length) {
      setShown(true);
      clearTimeout(timer.current);
      timer.current = setTimeout(() => setShown(false), SKIP_NOTICE_MS);
    } else if (view.turn === me) setShown(false);
  }, [view, me]);
  useEffect(() => () => clearTimeout(timer.current), []);
  return shown;
}
