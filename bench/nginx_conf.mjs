// nginx_conf.mjs - deploy/nginx.conf for bench/run.sh's proxy runs: the same routing (consistent hash on the room code), on loopback ports.
//
//   node bench/nginx_conf.mjs LISTEN_PORT PREFIX_DIR UPSTREAM_PORT... > nginx.conf
//
// Changes only what must differ on this machine, as
// tests/integration/proxy/cluster.mjs does: the servers verrijk1..3 become
// 127.0.0.1:PORT (as many as given, in both upstream blocks), nginx listens
// on 127.0.0.1:LISTEN_PORT, its temporary files and access log go under
// PREFIX_DIR, and worker_rlimit_nofile goes (it asks for more files than
// the hard limit here allows). worker_processes stays `auto`: one worker
// per core, as deployed. Fails when deploy/nginx.conf no longer has the
// lines it replaces.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [listen, prefix, ...ports] = process.argv.slice(2);
if (!/^\d+$/.test(listen ?? '') || !prefix || ports.length === 0 || !ports.every((p) => /^\d+$/.test(p))) {
  console.error('usage: node bench/nginx_conf.mjs LISTEN_PORT PREFIX_DIR UPSTREAM_PORT...');
  process.exit(1);
}
const conf0 = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'deploy', 'nginx.conf'), 'utf8');

function replace(conf, re, want, fn, what) {
  let n = 0;
  const out = conf.replace(re, (...m) => { n++; return fn(...m); });
  if (n !== want) {
    console.error(`bench/nginx_conf.mjs: deploy/nginx.conf: expected ${want} ${what}, found ${n}`);
    process.exit(1);
  }
  return out;
}

let conf = conf0;
// Each upstream block lists verrijk1..3: the first line becomes all of ours, the other two go.
conf = replace(conf, /^(\s*server\s+)verrijk([123]):8080\b([^;\n]*);\n/gm, 6,
  (_, lead, n, rest) => (n === '1' ? ports.map((p) => `${lead}127.0.0.1:${p}${rest};\n`).join('') : ''),
  'server lines (verrijk1..3 in two upstreams)');
conf = replace(conf, /^(\s*)listen\s+8080\s*;/gm, 1, (_, lead) => `${lead}listen 127.0.0.1:${listen};`, 'listen 8080');
conf = replace(conf, /^worker_rlimit_nofile\s+\S+;\n/gm, 1, () => '', 'worker_rlimit_nofile');
conf = replace(conf, /^(\s*)access_log\s+\S+\s+verrijk;/gm, 1,
  (_, lead) => `${lead}access_log ${path.join(prefix, 'access.log')} verrijk;`, 'access_log');
conf = replace(conf, /^http \{\n/gm, 1, () => [
  'http {',
  ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `    ${k}_temp_path ${path.join(prefix, 'tmp', k)};`),
  '',
].join('\n'), 'http block');
process.stdout.write(conf);
