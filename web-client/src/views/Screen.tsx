// The big screen (projector, 1920×1080): join code and QR in the lobby, the table card very large, who voted, the result, notes, timer.
import { useEffect, useRef } from 'preact/hooks';
import { useLang } from '../i18n';
import { RequestError } from '../net/connection';
import { useRoom } from '../net/session';
import type { View } from '../state/types';
import { ConnBadge, ConnNotice } from './parts/connection';
import { useDeck } from './parts/cards';
import { People } from './parts/people';
import { Countdown } from './parts/timer';
import { QrCode, useJoin } from './parts/join';
import { TableArea } from './table';
import { SummaryView } from './Summary';
import { Ended } from './Room';

/** A screen takes the first free name of "Scherm", "Scherm 2", … up to this many. */
const SCREEN_NAME_TRIES = 9;

export function ScreenPage({ room }: { room: string }) {
  const { t, setRoomLang } = useLang();
  const { conn, snap } = useRoom(room, 'screen');
  const roomLang = snap.view?.lang ?? null;
  useEffect(() => setRoomLang(roomLang), [roomLang]);
  const joining = useRef(false);

  // A screen joins by itself: nobody is there to type a name.
  useEffect(() => {
    if (snap.state !== 'open' || snap.view || conn.hasToken() || joining.current) return;
    joining.current = true;
    (async () => {
      for (let i = 1; i <= SCREEN_NAME_TRIES; i++) {
        try {
          await conn.request({ t: 'join', room, name: i === 1 ? t('screen.name') : `${t('screen.name')} ${i}`, role: 'screen' });
          return;
        } catch (e) {
          if (!(e instanceof RequestError) || e.code !== 'name_taken') return;
        }
      }
    })().finally(() => {
      joining.current = false;
    });
  }, [snap.state, snap.view, conn, room, t]);

  if (snap.state === 'ended') return <Ended reason={snap.ended} />;
  const view = snap.view;
  return (
    <div class="screen">
      <header class="screen-top">
        <span class="screen-title">{view?.title || t('app.name')}</span>
        <span class="screen-code">{room}</span>
        <ConnBadge snap={snap} />
      </header>
      <ConnNotice snap={snap} onRetry={() => conn.retryNow()} />
      {!view ? <JoinBlock room={room} /> : <ScreenBody view={view} offset={snap.clockOffset} />}
    </div>
  );
}

function JoinBlock({ room }: { room: string }) {
  const { t } = useLang();
  const join = useJoin(room);
  return (
    <div class="screen-join">
      <div>
        <p class="screen-join-line">{t('screen.join', { host: join.host })}</p>
        <p class="screen-big-code">{room}</p>
        <p class="screen-join-line">{t('screen.scan')}</p>
      </div>
      <QrCode text={join.link} label={t('fac.join.qr', { code: room })} size={420} />
    </div>
  );
}

function ScreenBody({ view, offset }: { view: View; offset: number }) {
  const { t } = useLang();
  const deck = useDeck(view.deck.hash);
  const join = useJoin(view.room);
  if (view.phase === 'lobby') {
    return (
      <>
        <JoinBlock room={view.room} />
        <div class="screen-people"><People view={view} me={0} showVoted={false} /></div>
      </>
    );
  }
  if (view.phase === 'closed') {
    return <main class="screen-summary">{view.summary ? <SummaryView view={view} summary={view.summary} deck={deck} links={false} /> : <p>{t('room.closed')}</p>}</main>;
  }
  return (
    <main class="screen-grid">
      <div class="screen-table">
        <TableArea view={view} deck={deck} me={0} canVote={false} canNote={false} big />
      </div>
      <aside class="screen-side">
        <Countdown endsAt={view.timer} offset={offset} />
        <People view={view} me={0} showVoted={Boolean(view.table && view.table.stage === 'discuss')} />
        {!view.locked && (
          <div class="screen-latecomers">
            <QrCode text={join.link} label={t('fac.join.qr', { code: view.room })} size={180} />
            <p>{t('screen.join', { host: join.host })} <strong>{view.room}</strong></p>
          </div>
        )}
      </aside>
    </main>
  );
}
