// test-containers.test.mjs - the image built from the real Dockerfile, run with Podman as docker-compose.yml runs it: one server, and the `scale` profile's three servers behind nginx.
//
// Started by deploy/test-containers.sh, which makes the images and passes:
//   VERRIJK_IMAGE        the image built from ../Dockerfile
//   VERRIJK_NGINX_IMAGE  the stand-in for the nginx image the compose file names
//   VERRIJK_CT_RUN       a label value put on every container and volume made
//                        here; the script removes them all by it at the end
//   VERRIJK_COMPOSE_JSON docker-compose.yml as JSON (read with Debian's PyYAML)
//
// Networks: only the host's loopback. The single server runs in a network
// namespace of its own (slirp4netns, no bridge) with its port published on
// 127.0.0.1, as `docker run -p` would; the scale profile's containers share
// the host's network, each server on a loopback port of its own (compose's
// bridge network and names would put them on private addresses), so
// nginx.conf gets those ports as in tests/integration/proxy.test.mjs.
// Everything else (image, entrypoint, user, volumes, health check, stop
// grace period, nginx.conf) is the compose file's.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, REPO_DIR } from '../tests/integration/harness.mjs';
import { Member, DECK, roomCode } from '../tests/integration/members.mjs';
import { nginxConfig, upgrade, get } from '../tests/integration/proxy/cluster.mjs';

const IMAGE = process.env.VERRIJK_IMAGE;
const NGINX_IMAGE = process.env.VERRIJK_NGINX_IMAGE;
const RUN = process.env.VERRIJK_CT_RUN;
const LABEL = `verrijk.container-test=${RUN}`;
assert.ok(IMAGE && NGINX_IMAGE && RUN && process.env.VERRIJK_COMPOSE_JSON, 'run deploy/test-containers.sh');
const COMPOSE = JSON.parse(await readFile(process.env.VERRIJK_COMPOSE_JSON, 'utf8'));

// crun refuses this machine's hybrid cgroup setup; Podman's default rlimits
// exceed the hard limits here.
const PODMAN = ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs'];
const RUN_FLAGS = ['--label', LABEL, '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];
const TEST_TIMEOUT_MS = 240_000;
const READY_TIMEOUT_MS = 60_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs podman; resolves { code, out, err } (never rejects). */
function podman(args, { timeoutMs = 120_000 } = {}) {
  return new Promise((resolve) => {
    execFile('podman', [...PODMAN, ...args], { timeout: timeoutMs, maxBuffer: 16 << 20 }, (e, out, err) => {
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, out: out.trim(), err: err.trim() });
    });
  });
}

/** Runs podman and asserts success; resolves its stdout. */
async function pm(args, opts) {
  const r = await podman(args, opts);
  assert.equal(r.code, 0, `podman ${args.join(' ')}: ${r.err || r.out}`);
  return r.out;
}

/** compose's stop_grace_period ("20s", "1m30s") in seconds. */
function seconds(s) {
  const m = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(String(s));
  assert.ok(m && (m[1] || m[2]), `stop_grace_period ${s}`);
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

/** The named volume and its mount point of a compose service (the one `NAME:/path` entry). */
function namedVolume(service) {
  const named = (service.volumes ?? []).map((v) => v.split(':')).filter(([src]) => !src.startsWith('.') && !src.startsWith('/'));
  assert.equal(named.length, 1, `one named volume: ${JSON.stringify(service.volumes)}`);
  return { name: named[0][0], target: named[0][1] };
}

/** A compose volume made for this run (labelled, so the script removes it). */
async function volume(name) {
  const v = `${RUN}-${name}`;
  await pm(['volume', 'create', '--label', LABEL, v]);
  return v;
}

/** Asks for /healthz at base until it answers 200 "ok". */
async function waitHttpHealthy(base, what, isGone = async () => false) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    try {
      const r = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200 && (await r.text()) === 'ok') return;
    } catch { /* not listening yet */ }
    if (await isGone()) assert.fail(`${what} stopped during start`);
    if (Date.now() > deadline) assert.fail(`${what}: ${base}/healthz not ok within ${READY_TIMEOUT_MS} ms`);
    await sleep(250);
  }
}

/**
 * The image's HEALTHCHECK, run as its interval would: Podman schedules the
 * interval with systemd timers, and there is no systemd here, so the test
 * runs the check (`podman healthcheck run`) until it passes, and then reads
 * the status Podman recorded.
 */
async function waitHealthcheck(name) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const r = await podman(['healthcheck', 'run', name]);
    if (r.code === 0) break;
    assert.doesNotMatch(r.err, /no defined healthcheck/, `${name}: the image has no HEALTHCHECK (built as OCI, not --format docker?)`);
    if (Date.now() > deadline) assert.fail(`${name}: HEALTHCHECK not passing within ${READY_TIMEOUT_MS} ms: ${r.out} ${r.err}`);
    await sleep(500);
  }
  // Podman 4.3 names it Healthcheck, Docker Health.
  const status = await pm(['inspect', '--format', '{{.State.Healthcheck.Status}}', name]);
  assert.equal(status, 'healthy', `${name}: health status`);
}

async function isGone(name) {
  const r = await podman(['inspect', '--format', '{{.State.Running}}', name]);
  return r.code !== 0 || r.out !== 'true';
}

async function logs(name) {
  const r = await podman(['logs', '--tail', '40', name]);
  return `${r.out}\n${r.err}`;
}

/** A room with a facilitator and two players, a round started and a card voted on. */
async function playRoom(wsBase, room) {
  const server = { wsUrl: (code) => `${wsBase}/ws?room=${code}` };
  const fac = await Member.connect(server, room);
  await fac.must({ t: 'create', room, name: 'Fien', title: 'Container', deck: DECK, lang: 'nl', tz_offset: 0, opts: { hand: 2 } });
  const players = [];
  for (const name of ['Anna', 'Bram']) {
    const p = await Member.connect(server, room);
    await p.must({ t: 'join', room, name, role: 'player' });
    players.push(p);
  }
  await fac.must({ t: 'start' });
  await players[0].until(fac.lastSeq());
  const card = players[0].seen('dealt')[0].cards[0];
  await players[0].must({ t: 'play', card });
  await players[0].must({ t: 'vote', value: 4 });
  await players[1].must({ t: 'vote', value: 5 });
  await fac.until(players[1].lastSeq());
  const played = { room, server, card, seq: fac.lastSeq(), token: fac.token, playerTokens: players.map((p) => p.token) };
  for (const m of [fac, ...players]) await m.close();
  return played;
}

/** Resumes the facilitator of a played room; asserts the View is the one left. */
async function resumeRoom(played) {
  const fac = await Member.connect(played.server, played.room);
  const w = await fac.must({ t: 'resume', room: played.room, token: played.token });
  assert.equal(w.t, 'welcome');
  assert.ok(fac.view.seq >= played.seq, `seq after resume ${fac.view.seq} < ${played.seq}`);
  assert.equal(JSON.stringify(fac.view).includes(played.card), true, `the card ${played.card} on the table is gone`);
  return fac;
}

describe('the image, run as docker-compose.yml runs `verrijk`', { timeout: TEST_TIMEOUT_MS }, () => {
  const svc = COMPOSE.services.verrijk;
  const name = `${RUN}-verrijk`;
  let port;
  let base;
  let runArgs;
  let played;

  before(async () => {
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const vol = namedVolume(svc);
    const published = String(svc.ports[0]).split(':').at(-1);
    // The compose service: its image, its volume, its published port (on
    // loopback only), nothing else given.
    runArgs = ['run', '-d', '--name', name, ...RUN_FLAGS, '--network', 'slirp4netns',
      '-p', `127.0.0.1:${port}:${published}`, '-v', `${await volume(vol.name)}:${vol.target}`, IMAGE];
    await pm(runArgs);
    await waitHttpHealthy(base, name, () => isGone(name));
  });

  after(async () => {
    if (process.exitCode) console.log(await logs(name));
    await podman(['rm', '-f', '-t', '0', name]);
  });

  it('runs the server as the unprivileged user verrijk', async () => {
    assert.equal(await pm(['inspect', '--format', '{{.Config.User}}', name]), 'verrijk');
    const top = await pm(['top', name, 'user', 'comm']);
    const server = top.split('\n').find((l) => /\bverrijk$/.test(l.trim()));
    assert.ok(server, `no verrijk process in:\n${top}`);
    assert.match(server, /^verrijk\s/, `the server's user:\n${top}`);
    assert.notEqual(await pm(['exec', name, 'id', '-u']), '0');
  });

  it('answers /healthz on the published port, and its HEALTHCHECK reports healthy', async () => {
    const r = await fetch(`${base}/healthz`);
    assert.equal(r.status, 200);
    assert.equal(await r.text(), 'ok');
    const page = await fetch(`${base}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<script[^>]+type="module"/, 'the built web client is served');
    await waitHealthcheck(name);
  });

  it('a room played over the published port survives `podman restart`, and a new container on the same volume', async () => {
    played = await playRoom(`ws://127.0.0.1:${port}`, roomCode());
    await pm(['restart', '-t', String(seconds(svc.stop_grace_period)), name]);
    await waitHttpHealthy(base, name, () => isGone(name));
    (await resumeRoom(played)).close();
    // An upgrade: the container goes, the volume stays.
    await pm(['rm', '-f', '-t', String(seconds(svc.stop_grace_period)), name]);
    await pm(runArgs);
    await waitHttpHealthy(base, name, () => isGone(name));
    (await resumeRoom(played)).close();
    await pm(['exec', name, 'test', '-s', `/var/lib/verrijk/rooms/${played.room}.log`]);
  });

  it('SIGTERM (`podman stop`) closes every WebSocket with 1001 and exits 0 within the stop grace period', async () => {
    assert.ok(played, 'needs the room of the test before');
    const grace = seconds(svc.stop_grace_period);
    const fac = await resumeRoom(played);
    const t0 = Date.now();
    const stopped = podman(['stop', '-t', String(grace), name], { timeoutMs: (grace + 30) * 1000 });
    const closed = await Promise.race([fac.client.closed, sleep(grace * 1000).then(() => null)]);
    assert.ok(closed, `no close within the grace period of ${grace} s`);
    assert.equal(closed.code, 1001, `close code (reason "${closed.reason}")`);
    const r = await stopped;
    const took = (Date.now() - t0) / 1000;
    assert.equal(r.code, 0, r.err);
    assert.ok(took < grace, `podman stop took ${took} s, the grace period is ${grace} s`);
    // A server killed at the end of the grace period would exit 137.
    assert.equal(await pm(['inspect', '--format', '{{.State.ExitCode}}', name]), '0');
  });
});

describe('the `scale` profile: three servers from the image behind nginx', { timeout: TEST_TIMEOUT_MS }, () => {
  const names = Object.keys(COMPOSE.services).filter((s) => (COMPOSE.services[s].profiles ?? []).includes('scale'));
  const serverNames = names.filter((s) => COMPOSE.services[s].image === COMPOSE.services.verrijk.image);
  const proxySvc = COMPOSE.services.proxy;
  const servers = []; // { service, name, port }
  let proxyName;
  let proxyUrl;
  let prefix;

  before(async () => {
    assert.deepEqual(serverNames, ['verrijk1', 'verrijk2', 'verrijk3'], `the profile's servers: ${names}`);
    assert.deepEqual(names.filter((s) => !serverNames.includes(s)), ['proxy']);
    for (const service of serverNames) {
      const s = { service, name: `${RUN}-${service}`, port: await freePort() };
      const vol = namedVolume(COMPOSE.services[service]);
      await pm(['run', '-d', '--name', s.name, ...RUN_FLAGS, '--network', 'host',
        '-v', `${await volume(vol.name)}:${vol.target}`, IMAGE, ...serverArgs(service, s.port)]);
      servers.push(s);
    }
    // depends_on: service_healthy, for each server.
    for (const s of servers) {
      await waitHttpHealthy(`http://127.0.0.1:${s.port}`, s.name, () => isGone(s.name));
      await waitHealthcheck(s.name);
    }
    // The compose file mounts deploy/nginx.conf as the whole nginx.conf.
    const mount = proxySvc.volumes.map((v) => v.split(':')).find(([src]) => src === './deploy/nginx.conf');
    assert.ok(mount, `proxy volumes: ${proxySvc.volumes}`);
    prefix = await mkdtemp(path.join(os.tmpdir(), 'verrijk-ct-nginx-'));
    await mkdir(path.join(prefix, 'tmp'));
    const listenPort = await freePort();
    await writeFile(path.join(prefix, 'nginx.conf'), nginxConfig({ listenPort, ports: servers.map((s) => s.port), prefix }));
    proxyName = `${RUN}-proxy`;
    proxyUrl = `http://127.0.0.1:${listenPort}`;
    await pm(['run', '-d', '--name', proxyName, ...RUN_FLAGS, '--network', 'host',
      '-v', `${path.join(prefix, 'nginx.conf')}:${mount[1]}:ro`, '-v', `${prefix}:${prefix}`, NGINX_IMAGE]);
    await waitHttpHealthy(proxyUrl, proxyName, () => isGone(proxyName));
  });

  after(async () => {
    if (process.exitCode) for (const n of [proxyName, ...servers.map((s) => s.name)]) if (n) console.log(await logs(n));
    for (const n of [proxyName, ...servers.map((s) => s.name)]) if (n) await podman(['rm', '-f', '-t', '0', n]);
    if (prefix) await rm(prefix, { recursive: true, force: true });
  });

  const serverAt = (upstream) => servers.find((s) => upstream === `127.0.0.1:${s.port}`);

  /**
   * A server's arguments: its compose `command` (else the image's CMD),
   * with this host's loopback for --host and --trust-proxy (nginx reaches
   * the servers from 127.0.0.1 here; the compose file names the proxy's
   * fixed address on its network, which must be the proxy's) and its own
   * port.
   */
  function serverArgs(service, port) {
    const cmd = COMPOSE.services[service].command ?? ['--host', '0.0.0.0', '--port', '8080'];
    assert.ok(Array.isArray(cmd), `${service}: command as a list`);
    const args = [...cmd];
    const fixed = proxySvc.networks?.default?.ipv4_address;
    for (let i = 0; i < args.length - 1; i++) {
      if (args[i] === '--host') args[++i] = '127.0.0.1';
      else if (args[i] === '--port') args[++i] = String(port);
      else if (args[i] === '--trust-proxy') {
        assert.equal(args[i + 1], fixed, `${service} trusts ${args[i + 1]}, the proxy's address is ${fixed}`);
        args[++i] = '127.0.0.1';
      }
    }
    assert.ok(args.includes(String(port)), `${service}: no --port in ${cmd}`);
    return args;
  }

  it('a room is reachable through the proxy, and its log is on one server only', async () => {
    const played = await playRoom(proxyUrl.replace('http', 'ws'), roomCode());
    const u = await upgrade(`${proxyUrl.replace('http', 'ws')}/ws?room=${played.room}`);
    assert.ok(u.opened, u.why);
    await u.client.close();
    const home = serverAt(u.upstream);
    assert.ok(home, `upstream ${u.upstream} is none of the servers`);
    for (const s of servers) {
      const r = await podman(['exec', s.name, 'test', '-s', `/var/lib/verrijk/rooms/${played.room}.log`]);
      assert.equal(r.code === 0, s === home, `${played.room}.log on ${s.service}: ${r.code === 0}`);
    }
  });

  it('a stopped server makes only its own rooms unavailable, and they come back with it', async () => {
    const wsBase = proxyUrl.replace('http', 'ws');
    // Rooms until every server holds one.
    const rooms = new Map(); // service -> played room
    for (let i = 0; i < 60 && rooms.size < servers.length; i++) {
      const code = roomCode();
      const r = await get(`${proxyUrl}/api/rooms/${code}/log?key=00`);
      const s = serverAt(r.upstream);
      assert.ok(s, `${code}: upstream ${r.upstream}`);
      if (!rooms.has(s.service)) rooms.set(s.service, await playRoom(wsBase, code));
    }
    assert.equal(rooms.size, servers.length, 'no room code reached some server');
    const down = servers[1];
    await pm(['stop', '-t', String(seconds(COMPOSE.services[down.service].stop_grace_period)), down.name]);
    for (const s of servers) {
      const played = rooms.get(s.service);
      const u = await upgrade(`${wsBase}/ws?room=${played.room}`);
      if (s === down) {
        assert.equal(u.opened, false, `${played.room} (on the stopped ${s.service}) opened on ${u.upstream}`);
        assert.equal(u.status, 502, `${played.room}: ${u.why}`);
        assert.equal(u.upstream, `127.0.0.1:${s.port}`, `${played.room} was tried on ${u.upstream}`);
      } else {
        assert.ok(u.opened, `${played.room} on ${s.service}: ${u.why}`);
        await u.client.close();
        const fac = await resumeRoom(played);
        await fac.must({ t: 'next' });
        played.seq = fac.lastSeq();
        await fac.close();
      }
    }
    await pm(['start', down.name]);
    await waitHttpHealthy(`http://127.0.0.1:${down.port}`, down.name, () => isGone(down.name));
    (await resumeRoom(rooms.get(down.service))).close();
  });
});
