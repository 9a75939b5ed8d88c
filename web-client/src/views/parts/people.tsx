// The people in a room: names, the list with their state, whose turn it is.
import type { ComponentChildren } from 'preact';
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

export function TurnLine({ view, me }: { view: View; me: number }) {
  const t = useT();
  if (view.phase !== 'playing' || view.opts.mode === 'deck' || view.table) return null;
  if (view.turn === null) return <p class="turn">{t('room.turn.none')}</p>;
  if (view.turn === me) return <p class="turn turn-me" role="status">{t('room.turn.you')}</p>;
  return <p class="turn" role="status">{t('room.turn.other', { name: memberName(view, view.turn) })}</p>;
}
