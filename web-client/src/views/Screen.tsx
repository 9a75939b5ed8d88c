// The big screen, a presenter for 1920×1080 read from the back of the room: one state at a time (lobby, whose turn, voting, the reveal, the board, the closing summary).
import { useEffect, useRef, useState } from 'preact/hooks';
import { useLang } from '../i18n';
import { RequestError } from '../net/connection';
import { useRoom } from '../net/session';
import type { Stats, View } from '../state/types';
import { ConnBadge, ConnNotice } from './parts/connection';
import { useDeck } from './parts/cards';
import { Ended } from './Room';
import { spacedCode, voters } from './screen/common';
import { Lobby } from './screen/Lobby';
import { Voting } from './screen/Voting';
import { Reveal } from './screen/Reveal';
import { Board } from './screen/Board';
import { Closing } from './screen/Closing';

/** A screen takes the first free name of "Scherm", "Scherm 2", … up to this many. */
const SCREEN_NAME_TRIES = 9;
/** The count-in before a reveal the facilitator asked for: 3, 2, 1, this long each. */
export const COUNT_IN_STEP_MS = 450;
/** The beat of an auto-reveal ("all votes are in") before the result. */
export const ALL_IN_MS = 600;

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
      <div class="stage">
        <header class="stage-top">
          <span class="stage-title">{view?.title || t('app.name')}</span>
          <ConnBadge snap={snap} />
          <span class="stage-code">{spacedCode(room)}</span>
        </header>
        <ConnNotice snap={snap} onRetry={() => conn.retryNow()} />
        {!view || view.phase === 'lobby' ? <Lobby view={view} room={room} /> : <Stage view={view} offset={snap.clockOffset} />}
      </div>
    </div>
  );
}

/** Which state of the round the screen shows, and the moment of a reveal seen live. */
function Stage({ view, offset }: { view: View; offset: number }) {
  const { t } = useLang();
  const deck = useDeck(view.deck.hash);
  const moment = useRevealMoment(view);
  const page = useClosingPage(view);
  if (view.phase === 'closed') {
    return view.summary ? <Closing summary={view.summary} deck={deck} page={page} /> : <main class="stage-board"><p class="stage-banner">{t('room.closed')}</p></main>;
  }
  const table = view.table;
  if (!table) return <Board view={view} deck={deck} offset={offset} />;
  if (table.stage === 'discuss' || !table.revealed) return <Voting view={view} deck={deck} offset={offset} />;
  if (moment.step) return <CountIn step={moment.step} />;
  return <Reveal view={view} deck={deck} before={moment.before} live={moment.live} offset={offset} />;
}

function CountIn({ step }: { step: string }) {
  return <main class="stage-countin" aria-hidden="true"><span key={step} class={`countin-n ${step.length > 1 ? "is-word" : ""}`}>{step}</span></main>;
}

interface Track {
  card: string | null;
  stage: string | null;
  stats: Stats | null;
  allIn: boolean;
  before: Stats | null;
  startedAt: number;
  kind: 'count' | 'allin';
}

/**
 * Watches the table as events arrive: a reveal seen live (not in a fresh
 * snapshot) gets its moment: a count-in when the facilitator revealed, a
 * short "all votes in" beat when the last vote did; a revote keeps the first
 * result to show before → after.
 */
function useRevealMoment(view: View): { step: string | null; live: boolean; before: Stats | null } {
  const { t } = useLang();
  const tr = useRef<Track>({ card: null, stage: null, stats: null, allIn: false, before: null, startedAt: 0, kind: 'count' }).current;
  const [, tick] = useState(0);
  const table = view.table;
  const card = table?.card ?? null;
  const stage = table?.stage ?? null;
  if (card !== tr.card) {
    tr.before = null;
    tr.startedAt = 0;
  } else if (tr.stage === 'revealed' && stage === 'discuss') {
    tr.before = tr.stats;
    tr.startedAt = 0;
  } else if (tr.stage === 'discuss' && stage === 'revealed') {
    tr.startedAt = Date.now();
    tr.kind = tr.allIn && view.opts.auto_reveal ? 'allin' : 'count';
  }
  tr.card = card;
  tr.stage = stage;
  tr.stats = table?.revealed?.stats ?? tr.stats;
  if (stage === 'discuss') {
    const all = voters(view).filter((p) => p.online && !p.seated);
    tr.allIn = all.length > 0 && all.every((p) => p.voted);
  }
  const length = tr.kind === 'allin' ? ALL_IN_MS : 3 * COUNT_IN_STEP_MS;
  const elapsed = tr.startedAt ? Date.now() - tr.startedAt : Infinity;
  const running = elapsed < length;
  useEffect(() => {
    if (!running) return;
    const id = setInterval(() => tick((n) => n + 1), 50);
    return () => clearInterval(id);
  }, [running, tr.startedAt]);
  let step: string | null = null;
  if (running) step = tr.kind === 'allin' ? t('screen.all_in') : String(3 - Math.floor(elapsed / COUNT_IN_STEP_MS));
  return { step, live: tr.startedAt > 0, before: stage === 'revealed' ? tr.before : null };
}

/** The page of the closing summary on screen: the facilitator turns it from the console (`page`). */
function useClosingPage(view: View): number {
  return view.page ?? 0;
}
