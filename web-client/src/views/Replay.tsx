// The replay (#/replay/CODE?key=K): a closed session's public log stepped through with the same reducer as live play.
import { decode } from '@msgpack/msgpack';
import { useEffect, useState } from 'preact/hooks';
import { useLang } from '../i18n';
import { apply } from '../state/reducer';
import type { RoomEvent, View } from '../state/types';
import { LangSwitch } from './parts/layout';
import { useDeck } from './parts/cards';
import { People } from './parts/people';
import { TableArea } from './table';
import { SummaryView } from './Summary';

/** Time per step while playing. */
const STEP_MS = 800;
/** A log larger than this many events is refused rather than freezing a phone. */
const MAX_EVENTS = 200_000;

/** Every View of the session: views[i] is the room after event i. Pure, so it is tested without a browser. */
export function replayViews(events: RoomEvent[]): View[] {
  const out: View[] = [];
  let v: View | null = null;
  for (const ev of events.slice(0, MAX_EVENTS)) {
    v = apply(v, ev, 0);
    out.push(v);
  }
  return out;
}

/** A server time (ms) as the room's wall-clock time, HH:MM:SS, using the room's tz_offset (minutes east of UTC). */
export function roomTime(at: number, tzOffset: number): string {
  return new Date(at + tzOffset * 60_000).toISOString().slice(11, 19);
}

export function ReplayPage({ room, replayKey }: { room: string; replayKey: string }) {
  const { t, setRoomLang } = useLang();
  const [views, setViews] = useState<View[] | null>(null);
  const [times, setTimes] = useState<number[]>([]);
  const [failed, setFailed] = useState(false);
  const [at, setAt] = useState(0);
  const [playing, setPlaying] = useState(false);

  useEffect(() => {
    fetch(`/api/rooms/${room}/log?key=${encodeURIComponent(replayKey)}`)
      .then(async (r) => {
        if (!r.ok) throw new Error(String(r.status));
        const events = decode(new Uint8Array(await r.arrayBuffer())) as RoomEvent[];
        if (!Array.isArray(events) || events.length === 0) throw new Error('empty log');
        const vs = replayViews(events);
        setTimes(events.slice(0, vs.length).map((e) => e.at));
        setViews(vs);
        setRoomLang(vs[0].lang);
      })
      .catch(() => setFailed(true));
  }, [room, replayKey]);

  useEffect(() => {
    if (!playing || !views) return;
    if (at >= views.length - 1) {
      setPlaying(false);
      return;
    }
    const id = setTimeout(() => setAt((i) => Math.min(views.length - 1, i + 1)), STEP_MS);
    return () => clearTimeout(id);
  }, [playing, at, views]);

  const view = views?.[at] ?? null;
  const deck = useDeck(view?.deck.hash);

  return (
    <div class="replay">
      <header class="topbar">
        <div class="topbar-title"><strong>{t('replay.title', { code: room })}</strong></div>
        <div class="topbar-tools"><LangSwitch /></div>
      </header>
      <main class="page page-wide">
        {failed && <p class="error" role="alert">{t('replay.error')}</p>}
        {!failed && !views && <p>{t('replay.loading')}</p>}
        {views && view && (
          <>
            <div class="timeline" role="group" aria-label={t('replay.position', { i: at + 1, n: views.length })}>
              <button type="button" onClick={() => setAt(Math.max(0, at - 1))} disabled={at === 0}>{t('replay.prev')}</button>
              <button type="button" onClick={() => setPlaying(!playing)}>{playing ? t('replay.pause') : t('replay.play')}</button>
              <button type="button" onClick={() => setAt(Math.min(views.length - 1, at + 1))} disabled={at >= views.length - 1}>{t('replay.next')}</button>
              <input type="range" min={0} max={views.length - 1} value={at} aria-label={t('replay.position', { i: at + 1, n: views.length })}
                onInput={(e) => setAt(Number((e.target as HTMLInputElement).value))} />
              <span class="muted" aria-live="polite">{t('replay.position', { i: at + 1, n: views.length })}</span>
              {times[at] !== undefined && <span class="muted">{t('replay.at', { time: roomTime(times[at], view.tz_offset) })}</span>}
            </div>
            {view.phase === 'closed' && view.summary && !view.table ? (
              <SummaryView view={view} summary={view.summary} deck={deck} links={false} />
            ) : (
              <div class="fac-grid">
                <div class="fac-main">
                  <TableArea view={view} deck={deck} me={0} canVote={false} canNote={false} />
                  {view.history.length > 0 && <p class="muted">{t('room.round', { n: view.round })} · {view.history.length}</p>}
                </div>
                <aside class="fac-side">
                  <People view={view} me={0} showVoted={Boolean(view.table && view.table.stage === 'discuss')} />
                </aside>
              </div>
            )}
          </>
        )}
      </main>
    </div>
  );
}
