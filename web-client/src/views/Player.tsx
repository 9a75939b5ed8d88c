// The player's screen (phone first, 390×844): the table card, my vote, my hand, notes, the timer, whose turn it is.
import { useLang } from '../i18n';
import type { RoomConnection, Snapshot } from '../net/connection';
import { dropConnection } from '../net/session';
import type { View, You } from '../state/types';
import { ErrorBanner, useActions } from './parts/connection';
import { RoomHeader } from './parts/layout';
import { CardFace, cardTitle, useDeck } from './parts/cards';
import { People, TurnLine } from './parts/people';
import { Countdown } from './parts/timer';
import { TableArea } from './table';
import { SummaryView } from './Summary';
import { WindowExplainers, WindowPicker } from './parts/windows';
import { participants } from './screen/common';

export function PlayerView({ conn, snap, view, you }: { conn: RoomConnection; snap: Snapshot; view: View; you: You }) {
  const { t, lang } = useLang();
  const deck = useDeck(view.deck.hash);
  const act = useActions(conn);
  const meMember = view.players.find((p) => p.player === you.player);
  const canVote = you.role === 'player' && !meMember?.seated;
  const myTurn = view.phase === 'playing' && view.turn === you.player && !view.table && view.opts.mode !== 'deck';
  // The window someone speaks from: chosen on joining (at the top of the lobby); during a round, between cards, below the hand, so "your turn" and the cards come first.
  const windowBox = deck?.windows && deck.windows.length > 0 && you.role === 'player' && !view.table && view.phase !== 'closed' ? (
    <section class="my-window" aria-labelledby="window-h">
      <h2 id="window-h">{t('window.title')}</h2>
      <p class={view.phase === 'lobby' ? '' : 'muted'}>{t(view.phase === 'lobby' ? 'window.intro' : 'window.change_later')}</p>
      <WindowPicker deck={deck} value={meMember?.window ?? ''} label={t('window.mine')} disabled={act.busy}
        onPick={(w) => void act.send({ t: 'window', window: w })} />
      {view.phase === 'lobby' && <WindowExplainers deck={deck} />}
    </section>
  ) : null;

  return (
    <div class="room room-player">
      <RoomHeader view={view} snap={snap} />
      <main class="page">
        <ErrorBanner error={act.error} onClose={act.clear} />
        {view.phase === 'lobby' && <p class="lead">{t('room.lobby.wait')}</p>}
        {view.phase === 'lobby' && windowBox}
        {view.phase === 'playing' && (
          <>
            <Countdown endsAt={view.timer} offset={snap.clockOffset} />
            <TurnLine view={view} me={you.player} tellSkip />
            <TableArea
              view={view} deck={deck} me={you.player}
              canVote={canVote} onVote={(value) => act.send({ t: 'vote', value })}
              canNote onNote={(text) => act.send({ t: 'note', text })}
            />
            {view.opts.mode !== 'deck' && (
              <section class="hand" aria-labelledby="hand-h">
                <h2 id="hand-h">{t('room.hand')}</h2>
                {view.hand.length === 0 && <p class="muted">{t('room.hand.empty')}</p>}
                <ul class="hand-cards">
                  {view.hand.map((card) => (
                    <li>
                      <CardFace deck={deck} card={card} size="normal">
                        {myTurn && (
                          <button type="button" class="play" disabled={act.busy} aria-label={`${t('room.play')}: ${cardTitle(deck, card, lang)}`} onClick={() => act.send({ t: 'play', card })}>{t('room.play')}</button>
                        )}
                      </CardFace>
                    </li>
                  ))}
                </ul>
              </section>
            )}
            {windowBox}
          </>
        )}
        {view.phase === 'closed' && (view.summary ? <SummaryView view={view} summary={view.summary} deck={deck} /> : <p>{t('room.closed')}</p>)}
        <details class="people-box" open={view.phase === 'lobby'}>
          {/* Counted as the big screen and the console count: the people taking part, not the facilitator or a screen. */}
          <summary>{t('room.people')} ({participants(view).length})</summary>
          <People view={view} me={you.player} showVoted={Boolean(view.table && view.table.stage === 'discuss')} />
        </details>
        <p>
          <button type="button" class="link" onClick={async () => {
            if (!confirm(t('room.leave.confirm'))) return;
            if (await act.send({ t: 'leave' })) {
              conn.forgetToken();
              dropConnection(view.room);
              location.hash = '#/';
            }
          }}>{t('room.leave')}</button>
        </p>
      </main>
    </div>
  );
}
