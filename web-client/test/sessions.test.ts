// "Mijn sessies": what a device remembers of its sessions beside its tokens, and forgetting one.
import { describe, expect, it } from 'vitest';
import { forgetSession, knownSessions, rememberSession, sessionSettings, MAX_KNOWN } from '../src/net/sessions';
import type { View } from '../src/state/types';

class MemoryStorage {
  private m = new Map<string, string>();
  get length() { return this.m.size; }
  key(i: number) { return [...this.m.keys()][i] ?? null; }
  getItem(k: string) { return this.m.has(k) ? this.m.get(k)! : null; }
  setItem(k: string, v: string) { this.m.set(k, v); }
  removeItem(k: string) { this.m.delete(k); }
}

const view = (room: string, over: Partial<View> = {}): View => ({
  room, title: `Sessie ${room}`, lang: 'nl', tz_offset: 60, opts: { hand: 4 }, deck: { id: 'verrijkte-leeromgevingen', version: 1, hash: 'h' },
  phase: 'playing', locked: false, round: 1, players: [], order: [], turn: null, table: null, hand: [], pile: 0, history: [],
  timer: null, summary: null, seq: 1, ...over,
});

describe('known sessions', () => {
  it('lists the sessions with a stored token, newest first, with role, state and settings', () => {
    const s = new MemoryStorage();
    s.setItem('verrijk.token.AAAAAA', 't1');
    s.setItem('verrijk.token.BBBBBB', 't2');
    rememberSession('AAAAAA', '', view('AAAAAA'), { role: 'facilitator', name: 'Fien' }, 1000, s);
    rememberSession('BBBBBB', '', view('BBBBBB'), { role: 'player', name: 'Anna' }, 2000, s);
    // A later change keeps the first date and takes the new state and the replay key.
    const summary = { round: 1, cards: [], categories: [], text: '', actions: [], started_at: 0, closed_at: 0, replay_key: 'k'.repeat(32) };
    rememberSession('AAAAAA', '', view('AAAAAA', { phase: 'closed', summary }), { role: 'facilitator', name: 'Fien' }, 5000, s);
    const list = knownSessions(s);
    expect(list.map((x) => [x.room, x.role, x.phase, x.first_seen])).toEqual([['BBBBBB', 'player', 'playing', 2000], ['AAAAAA', 'facilitator', 'closed', 1000]]);
    expect(list[1].replay_key).toBe('k'.repeat(32));
    expect(sessionSettings('AAAAAA', s)).toEqual({ title: 'Sessie AAAAAA', deck: 'verrijkte-leeromgevingen', lang: 'nl', opts: { hand: 4 } });
  });
  it('shows a token stored before the list existed, and not a session whose token is gone', () => {
    const s = new MemoryStorage();
    s.setItem('verrijk.token.CCCCCC:screen', 't');
    rememberSession('DDDDDD', '', view('DDDDDD'), { role: 'player', name: 'Bo' }, 1, s);
    expect(knownSessions(s).map((x) => [x.room, x.slot, x.role])).toEqual([['CCCCCC', 'screen', 'screen']]);
  });
  it('forgets a session in one call: its entry and every token of the room', () => {
    const s = new MemoryStorage();
    s.setItem('verrijk.token.AAAAAA', 't1');
    s.setItem('verrijk.token.AAAAAA:screen', 't2');
    s.setItem('verrijk.token.BBBBBB', 't3');
    rememberSession('AAAAAA', '', view('AAAAAA'), { role: 'facilitator', name: 'Fien' }, 1, s);
    forgetSession('AAAAAA', s);
    expect(s.getItem('verrijk.token.AAAAAA')).toBeNull();
    expect(s.getItem('verrijk.token.AAAAAA:screen')).toBeNull();
    expect(s.getItem('verrijk.token.BBBBBB')).toBe('t3');
    expect(knownSessions(s).map((x) => x.room)).toEqual(['BBBBBB']);
  });
  it('remembers at most MAX_KNOWN sessions', () => {
    const s = new MemoryStorage();
    for (let i = 0; i < MAX_KNOWN + 5; i++) {
      const letters = 'DEFGHJKMNPQRSTUVWXYZ';
      const room = `ABC${letters[i % 20]}${letters[Math.floor(i / 20)]}X`;
      rememberSession(room, '', view(room), { role: 'player', name: 'x' }, i, s);
    }
    expect(JSON.parse(s.getItem('verrijk.sessions')!).length).toBe(MAX_KNOWN);
  });
});
