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

/** EventFields of src/state/types.ts read as text: kind → its field names, each marked required or optional. */
function declaredEventFields(): Map<string, Map<string, boolean>> {
  const src = readFileSync(new URL('../src/state/types.ts', import.meta.url), 'utf8');
  const block = src.slice(src.indexOf('export interface EventFields {'));
  const out = new Map<string, Map<string, boolean>>();
  for (const m of block.slice(0, block.indexOf('\n}')).matchAll(/^  (\w+): \{(.*)\};$/gm)) {
    const fields = new Map<string, boolean>();
    for (const f of m[2].split(';')) {
      const name = /^\s*(\w+)(\??):/.exec(f);
      if (name) fields.set(name[1], name[2] !== '?');
    }
    out.set(m[1], fields);
  }
  return out;
}

describe('reducer against the server core', () => {
  it('the trace covers every event type (created only in the replay: the creator starts from its welcome)', () => {
    const kinds = new Set([...trace.recipients.flatMap((r) => r.frames.map((f) => f.e)), ...trace.replay.map((f) => f.e)]);
    for (const e of ['created', 'joined', 'presence', 'left', 'handed', 'locked', 'round', 'dealt', 'order', 'turn',
      'played', 'voted', 'reopened', 'revealed', 'noted', 'hidden', 'done', 'skipped', 'timer', 'closed', 'rekeyed']) {
      expect(kinds, e).toContain(e);
    }
  });

  it('every event the server sends has the fields its kind declares in the client\'s types, and no others', () => {
    const declared = declaredEventFields();
    const all = [...trace.recipients.flatMap((r) => r.frames), ...trace.replay];
    // The kinds declared are exactly the kinds the server sends.
    expect([...declared.keys()].sort()).toEqual([...new Set(all.map((ev) => ev.e))].sort());
    for (const ev of all) {
      const fields = declared.get(ev.e);
      expect(fields, `kind ${ev.e}`).toBeDefined();
      for (const k of Object.keys(ev)) {
        if (k === 't' || k === 'seq' || k === 'at' || k === 'e') continue;
        expect(fields!.has(k), `${ev.e}.${k} is declared`).toBe(true);
      }
      for (const [k, required] of fields!) if (required) expect(k in ev, `${ev.e}.${k} is sent`).toBe(true);
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
