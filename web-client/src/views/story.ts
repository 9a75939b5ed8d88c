// The replay as a story: a closed session's public events told as steps in words, grouped in chapters per card. Pure, so it is tested without a browser.
import { agreementOf } from '../state/reducer';
import type { Agreement, RoomEvent, Stats } from '../state/types';

/**
 * One step of the story: an event worth telling, by its index in the log
 * (the replay shows the room as it was after that event). Joins, presence,
 * single votes, deals, turns and timers are folded away: they move the room
 * along but tell nothing on their own.
 */
export type StoryStep =
  | { kind: 'created'; i: number; by: number }
  | { kind: 'round'; i: number; round: number; players: number }
  | { kind: 'played'; i: number; by: number | null; card: string }
  | { kind: 'revealed'; i: number; card: string; stats: Stats; agreement: Agreement; revote: boolean }
  | { kind: 'noted'; i: number; player?: number; text?: string }
  | { kind: 'reopened'; i: number; card: string }
  | { kind: 'skipped'; i: number; player: number }
  | { kind: 'closed'; i: number; round: number; cards: number };

/** A chapter: the opening of a round, one card from its play to the next, or the close. `first` is its first step. */
export type Chapter =
  | { kind: 'opening'; round: number; first: number }
  | { kind: 'card'; round: number; card: string; by: number | null; first: number }
  | { kind: 'closing'; round: number; first: number };

export interface Story {
  steps: StoryStep[];
  chapters: Chapter[];
}

export function story(events: RoomEvent[]): Story {
  const steps: StoryStep[] = [];
  const chapters: Chapter[] = [];
  let round = 0;
  // A card revealed a second time (after `reopened`) is a revote.
  const revealedBefore = new Set<string>();
  const chapter = (c: Chapter) => chapters.push(c);
  events.forEach((ev, i) => {
    switch (ev.e) {
      case 'created':
        chapter({ kind: 'opening', round: 0, first: steps.length });
        steps.push({ kind: 'created', i, by: ev.by });
        break;
      case 'round':
        round = ev.round;
        if (round > 1) chapter({ kind: 'opening', round, first: steps.length });
        steps.push({ kind: 'round', i, round, players: ev.order.length });
        break;
      case 'played':
        chapter({ kind: 'card', round, card: ev.card, by: ev.player, first: steps.length });
        steps.push({ kind: 'played', i, by: ev.player, card: ev.card });
        break;
      case 'revealed': {
        const key = `${round}:${ev.card}`;
        steps.push({ kind: 'revealed', i, card: ev.card, stats: ev.stats, agreement: agreementOf(ev.stats), revote: revealedBefore.has(key) });
        revealedBefore.add(key);
        break;
      }
      case 'noted': {
        const s: StoryStep = { kind: 'noted', i };
        if (typeof ev.player === 'number') s.player = ev.player;
        if (typeof ev.text === 'string') s.text = ev.text;
        steps.push(s);
        break;
      }
      case 'reopened':
        steps.push({ kind: 'reopened', i, card: ev.card });
        break;
      case 'skipped':
        steps.push({ kind: 'skipped', i, player: ev.player });
        break;
      case 'closed':
        chapter({ kind: 'closing', round: ev.round, first: steps.length });
        steps.push({ kind: 'closed', i, round: ev.round, cards: ev.summary.cards.length });
        break;
      case 'joined':
      case 'presence':
      case 'left':
      case 'handed':
      case 'locked':
      case 'dealt':
      case 'order':
      case 'turn':
      case 'voted':
      case 'hidden':
      case 'done':
      case 'timer':
      case 'rekeyed':
      case 'windowed':
      case 'paged':
        break;
      default: {
        const never: never = ev;
        void never;
      }
    }
  });
  return { steps, chapters };
}

/** The chapter a step belongs to: the last one starting at or before it. */
export function chapterOf(chapters: Chapter[], step: number): number {
  let c = 0;
  for (let k = 0; k < chapters.length; k++) if (chapters[k].first <= step) c = k;
  return c;
}
