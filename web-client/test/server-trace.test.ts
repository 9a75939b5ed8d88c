// The reducer against the server's own game core: events applied to a welcome's View arrive at the server's next View.
// trace.msgpack is made by server-trace/gen_trace.c (see its header), which plays a scripted session through
// game_decide/game_apply and records, for every member with a device, the View after each intent and each event
// exactly as that member receives it (game_pack_event_for, wrapped by vp_pack_ev).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decode } from '@msgpack/msgpack';
import { apply, nextSeqProblem } from '../src/state/reducer';
import type { RoomEvent, View } from '../src/state/types';

interface Trace {
  recipients: { player: number; views: View[]; frames: RoomEvent[] }[];
  replay: RoomEvent[];
}

const trace = decode(readFileSync(new URL('./server-trace/trace.msgpack', import.meta.url))) as Trace;

describe('reducer against the server core', () => {
  it('the trace covers every event type (created only in the replay: the creator starts from its welcome)', () => {
    const kinds = new Set([...trace.recipients.flatMap((r) => r.frames.map((f) => f.e)), ...trace.replay.map((f) => f.e)]);
    for (const e of ['created', 'joined', 'presence', 'left', 'handed', 'locked', 'round', 'dealt', 'order', 'turn',
      'played', 'voted', 'reopened', 'revealed', 'noted', 'hidden', 'done', 'skipped', 'timer', 'closed', 'rekeyed']) {
      expect(kinds, e).toContain(e);
    }
  });

  for (const r of trace.recipients) {
    it(`member ${r.player}: every View the server would send equals the welcome View plus the events received`, () => {
      let view = r.views[0];
      let checked = 0;
      for (const server of r.views.slice(1)) {
        for (const ev of r.frames) {
          if (ev.seq <= view.seq || ev.seq > server.seq) continue;
          expect(nextSeqProblem(view, ev)).toBeNull();
          view = apply(view, ev, r.player);
        }
        expect(view, `after seq ${server.seq}`).toEqual(server);
        checked++;
      }
      expect(checked).toBeGreaterThan(10);
    });
  }

  it('the replay log reduces from nothing to the closed session, with hidden notes and anonymous votes kept out', () => {
    let view: View | null = null;
    for (const ev of trace.replay) view = apply(view, ev, 0);
    expect(view!.phase).toBe('closed');
    expect(view!.summary).not.toBeNull();
    expect(view!.hand).toEqual([]);
    const hiddenIds = new Set(trace.replay.filter((e) => e.e === 'hidden').map((e) => e.note));
    for (const ev of trace.replay) {
      if (ev.e === 'noted' && hiddenIds.has(ev.note)) expect('text' in ev).toBe(false);
      if (ev.e === 'voted') expect('value' in ev).toBe(false);
    }
    for (const ev of trace.replay) if (ev.e === 'rekeyed') expect('replay_key' in ev).toBe(false);
    const anonymousReveal = trace.replay.filter((e) => e.e === 'revealed').at(-1)!;
    expect('votes' in anonymousReveal).toBe(false);
  });

  it('a kick after a close hands the members still there the new replay key, and their summary links use it', () => {
    const withKey = trace.recipients.flatMap((r) => r.frames).filter((f) => f.e === 'rekeyed' && 'replay_key' in f);
    expect(withKey.length).toBeGreaterThan(0);
    for (const r of trace.recipients) {
      const last = r.views.at(-1)!;
      if (last.summary) expect(last.summary.replay_key).toBe(withKey.at(-1)!.replay_key);
    }
  });
});
