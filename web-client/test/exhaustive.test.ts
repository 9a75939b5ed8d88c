// The switches over the wire's unions cover every case at compile time: the reducer and the replay's story every
// event kind, the connection every server message type. The real compiler on copies of the files, types.ts edited.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const dirs: string[] = [];
/** The files whose switches are checked, and what they import (under src/). */
const FILES = ['state/reducer.ts', 'views/story.ts', 'net/connection.ts', 'net/codec.ts'];

/** Type-checks FILES against types.ts (changed by `edit`) in a fresh directory; the compiler's exit status and output. */
function check(edit: (types: string) => string): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'verrijk-exhaustive-'));
  dirs.push(dir);
  for (const f of FILES) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    copyFileSync(join(root, 'src', f), join(dir, f));
  }
  writeFileSync(join(dir, 'state', 'types.ts'), edit(readFileSync(join(root, 'src', 'state', 'types.ts'), 'utf8')));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'ESNext', moduleResolution: 'bundler', strict: true, noEmit: true, skipLibCheck: true, types: [],
      lib: ['ES2022', 'DOM'],
      // The codec's MessagePack library, from this package's own node_modules.
      paths: { '@msgpack/msgpack': [join(root, 'node_modules', '@msgpack', 'msgpack')] },
    },
    files: FILES,
  }));
  const r = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the switches are exhaustive over the event kinds and message types', () => {
  it('compiles as it is', () => {
    const r = check((types) => types);
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
  }, 120_000);

  it('a new event kind without a case in the reducer fails to compile', () => {
    const r = check((types) => {
      const withNew = types.replace('export interface EventFields {', 'export interface EventFields {\n  paused: { player: number };');
      expect(withNew).not.toBe(types);
      return withNew;
    });
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/reducer\.ts.*EventOf<"paused">.*never/);
    expect(r.out).toMatch(/story\.ts.*EventOf<"paused">.*never/);
  }, 120_000);

  it('a new server message type without a case in the connection fails to compile', () => {
    const r = check((types) => {
      const withNew = types.replace('export type ServerMessage = Welcome |', "export type ServerMessage = { t: 'bye' } | Welcome |");
      expect(withNew).not.toBe(types);
      return withNew;
    });
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/connection\.ts.*"bye".*never/);
  }, 120_000);
});
