// The replay (#/replay/CODE?key=K): a closed session told as a story: chapters per card, each step in words; the room as it was at each step, with the same reducer as live play.
import { decode } from '@msgpack/msgpack';
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useLang } from '../i18n';
import { apply } from '../state/reducer';
import type { Deck, RoomEvent, View } from '../state/types';
import { LangSwitch } from './parts/layout';
import { cardTitle, useDeck } from './parts/cards';
import { memberName } from './parts/people';
import { fmt } from './parts/votes';
import { roomClock } from './parts/dates';
import { TableArea } from './table';
import { SummaryView } from './Summary';
import { chapterOf, story, type Chapter, type Story, type StoryStep } from './story';
import './story.css';

/** Time per step while playing. */
const STEP_MS = 1600;
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

/** A closed session's public log, its Views and its story; null while loading. Shared by the replay and the read-only summary page. */
export function useReplay(room: string, replayKey: string): { views: View[]; times: number[]; story: Story } | 'failed' | null {
  const { setRoomLang } = useLang();
  const [got, setGot] = useState<{ views: View[]; times: number[]; story: Story } | 'failed' | null>(null);
  useEffect(() => {
    fetch(`/api/rooms/${room}/log?key=${encodeURIComponent(replayKey)}`)
      .then(async (r) => {
        if (!r.ok) throw new Error(String(r.status));
        const events = decode(new Uint8Array(await r.arrayBuffer())) as RoomEvent[];
        if (!Array.isArray(events) || events.length === 0) throw new Error('empty log');
        const views = replayViews(events);
        const told = events.slice(0, views.length);
        setGot({ views, times: told.map((e) => e.at), story: story(told) });
        setRoomLang(views[0].lang);
      })
      .catch(() => setGot('failed'));
  }, [room, replayKey]);
  return got;
}

/** One step in words: "Anna speelt *Burgerpraktijken*", "5 stemmen — gemiddeld 3,2 — tegengesteld". */
function StepWords({ step, names, deck }: { step: StoryStep; names: View; deck: Deck | null }) {
  const { t, lang } = useLang();
  const card = (id: string) => <em>{cardTitle(deck, id, lang)}</em>;
  const who = (id: number) => memberName(names, id);
  switch (step.kind) {
    case 'created':
      return <>{t('story.created', { name: who(step.by) })}</>;
    case 'round':
      return <>{t('story.round', { n: step.round, players: step.players })}</>;
    case 'played':
      return step.by === null ? <>{card(step.card)} {t('story.drawn')}</> : <>{t('story.plays', { name: who(step.by) })} {card(step.card)}</>;
    case 'revealed': {
      const parts = [step.stats.n === 1 ? t('vote.count.one') : t('vote.count', { n: step.stats.n })];
      if (step.stats.mean !== null) parts.push(t('vote.mean', { x: fmt(step.stats.mean, lang) }));
      if (step.stats.pass > 0) parts.push(step.stats.pass === 1 ? t('vote.passes.one') : t('vote.passes', { n: step.stats.pass }));
      if (step.agreement) parts.push(t(`agreement.${step.agreement}`));
      return <>{step.revote ? `${t('story.revote')}: ` : ''}{parts.join(' — ')}</>;
    }
    case 'noted':
      // A note hidden at any time comes without text and author (SPEC.md §5): so it is told.
      return step.text !== undefined && step.player !== undefined
        ? <>{t('story.noted', { name: who(step.player) })} “{step.text}”</>
        : <>{t('notes.hidden')}</>;
    case 'reopened':
      return <>{t('story.reopened')} {card(step.card)}</>;
    case 'skipped':
      return <>{t('story.skipped', { name: who(step.player) })}</>;
    case 'closed':
      return <>{t('story.closed', { n: step.round })}</>;
  }
}

function ChapterTitle({ chapter, names, deck }: { chapter: Chapter; names: View; deck: Deck | null }) {
  const { t, lang } = useLang();
  switch (chapter.kind) {
    case 'opening':
      return <>{chapter.round <= 1 ? t('story.ch.opening') : t('story.ch.round', { n: chapter.round })}</>;
    case 'card':
      return <>{cardTitle(deck, chapter.card, lang)}{chapter.by !== null && <span class="muted small"> · {memberName(names, chapter.by)}</span>}</>;
    case 'closing':
      return <>{t('story.ch.closing', { n: chapter.round })}</>;
  }
}

export function ReplayPage({ room, replayKey }: { room: string; replayKey: string }) {
  const { t } = useLang();
  const got = useReplay(room, replayKey);
  // -1: the cover (title, date, ranking); otherwise a step of the story.
  const [pos, setPos] = useState(-1);
  const [playing, setPlaying] = useState(false);
  const loaded = got && got !== 'failed' ? got : null;
  const steps = loaded?.story.steps ?? [];

  useEffect(() => {
    if (!playing || !loaded) return;
    if (pos >= steps.length - 1) {
      setPlaying(false);
      return;
    }
    const id = setTimeout(() => setPos((i) => Math.min(steps.length - 1, i + 1)), STEP_MS);
    return () => clearTimeout(id);
  }, [playing, pos, loaded]);

  const last = loaded ? loaded.views[loaded.views.length - 1] : null;
  const deck = useDeck(last?.deck.hash);

  return (
    <div class="replay">
      <header class="topbar">
        <div class="topbar-title"><strong>{t('replay.title', { code: last?.title || room })}</strong></div>
        <div class="topbar-tools"><LangSwitch /></div>
      </header>
      <main class="page page-wide">
        {got === 'failed' && <p class="error" role="alert">{t('replay.error')}</p>}
        {got === null && <p>{t('replay.loading')}</p>}
        {loaded && last && (
          <Story views={loaded.views} times={loaded.times} story={loaded.story} names={last} deck={deck} pos={pos} setPos={(p) => { setPlaying(false); setPos(p); }}
            controls={
              <>
                <button type="button" onClick={() => { setPlaying(false); setPos(Math.max(-1, pos - 1)); }} disabled={pos < 0}>{t('replay.prev')}</button>
                <button type="button" onClick={() => { if (pos >= steps.length - 1) setPos(-1); setPlaying(!playing); }}>{playing ? t('replay.pause') : t('replay.play')}</button>
                <button type="button" onClick={() => { setPlaying(false); setPos(Math.min(steps.length - 1, pos + 1)); }} disabled={pos >= steps.length - 1}>{t('replay.next')}</button>
              </>
            } />
        )}
      </main>
    </div>
  );
}

function Story({ views, times, story: told, names, deck, pos, setPos, controls }: {
  views: View[]; times: number[]; story: Story; names: View; deck: Deck | null; pos: number; setPos: (p: number) => void; controls: ComponentChildren;
}) {
  const { t } = useLang();
  const { steps, chapters } = told;
  const step = pos >= 0 ? steps[pos] : null;
  const current = step ? chapterOf(chapters, pos) : -1;
  const chapter = current >= 0 ? chapters[current] : null;
  const view = step ? views[step.i] : names;
  // The chapter's steps so far: the story of this card up to now.
  const end = current >= 0 && current + 1 < chapters.length ? chapters[current + 1].first : steps.length;
  const told_ = chapter ? steps.slice(chapter.first, Math.min(end, pos + 1)) : [];
  return (
    <div class="story">
      <nav class="chapters" aria-label={t('story.chapters')}>
        <h2 class="small">{t('story.chapters')}</h2>
        <ol>
          <li><button type="button" class="link" aria-current={pos < 0 ? 'step' : undefined} onClick={() => setPos(-1)}>{t('story.cover')}</button></li>
          {chapters.map((c, k) => (
            <li><button type="button" class="link" aria-current={k === current ? 'step' : undefined} onClick={() => setPos(c.first)}>
              <ChapterTitle chapter={c} names={names} deck={deck} />
            </button></li>
          ))}
        </ol>
      </nav>
      <div class="story-main">
        <div class="timeline" role="group" aria-label={t('story.controls')}>
          {controls}
          <span class="muted" aria-live="polite">
            {step ? t('story.position', { i: pos + 1, n: steps.length }) : t('story.cover')}
            {step && times[step.i] !== undefined && ` · ${roomClock(times[step.i], names.tz_offset)}`}
          </span>
        </div>
        {chapter && (
          <section class="story-now" aria-live="polite">
            <h2><ChapterTitle chapter={chapter} names={names} deck={deck} /></h2>
            <ol class="story-steps">
              {told_.map((s) => <li class={s === step ? 'story-step current' : 'story-step'}><StepWords step={s} names={names} deck={deck} /></li>)}
            </ol>
          </section>
        )}
        {!step || step.kind === 'closed' ? (
          view.summary ? <SummaryView view={view} summary={view.summary} deck={deck} links={false} /> : null
        ) : (
          view.table || step.kind !== 'created' ? <TableArea view={view} deck={deck} me={0} canVote={false} canNote={false} /> : null
        )}
      </div>
    </div>
  );
}
