// The reducer covers every event kind at compile time: the real compiler on copies of types.ts and reducer.ts.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const dirs: string[] = [];

/** Type-checks reducer.ts against types.ts (changed by `edit`) in a fresh directory; the compiler's exit status and output. */
function check(edit: (types: string) => string): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'verrijk-exhaustive-'));
  dirs.push(dir);
  copyFileSync(join(root, 'src', 'state', 'reducer.ts'), join(dir, 'reducer.ts'));
  writeFileSync(join(dir, 'types.ts'), edit(readFileSync(join(root, 'src', 'state', 'types.ts'), 'utf8')));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'bundler', strict: true, noEmit: true, skipLibCheck: true, types: [] },
    files: ['reducer.ts'],
  }));
  const r = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the reducer is exhaustive over the event kinds', () => {
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
  }, 120_000);
});
