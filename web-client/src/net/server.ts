// What the server says about itself (GET /api/server) and the join URL that phones can reach, for the join panel and the big screen.

/** The answer of GET /api/server. */
export interface ServerInfo {
  version: string;
  /** This machine's addresses as phones on the network reach them, best first ("http://192.168.1.20:8080/"). */
  join_urls: string[];
  /** --public-url, when the server sits behind a proxy. */
  public_url?: string;
}

/** The parts of `location` the choice needs (so tests can pass their own). */
export type PageLocation = Pick<Location, 'origin' | 'hostname' | 'pathname'>;

/** True for addresses that only this machine can open: localhost, 127.0.0.0/8, ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(h) || h === '::1' || h === '0:0:0:0:0:0:0:1';
}

/** origin + path of an absolute http(s) URL, ending in '/'; null when it is not one. */
function baseOf(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  const path = u.pathname.endsWith('/') ? u.pathname : `${u.pathname}/`;
  return `${u.origin}${path}`;
}

/**
 * The base (origin and path, ending in '/') of the link that people open to
 * join: --public-url when the server has one; else, when this page was
 * opened on a loopback address (the facilitator's own laptop) and the
 * server knows an address on the network, that address; else this page's
 * own address, which the others can reach as well as this browser did.
 */
export function joinBase(loc: PageLocation, info: ServerInfo | null): string {
  const own = `${loc.origin}${loc.pathname.endsWith('/') ? loc.pathname : loc.pathname.replace(/[^/]*$/, '')}`;
  const pub = info?.public_url ? baseOf(info.public_url) : null;
  if (pub) return pub;
  if (isLoopbackHost(loc.hostname) && info) {
    for (const url of info.join_urls ?? []) {
      const base = baseOf(url);
      if (base && !isLoopbackHost(new URL(base).hostname)) return base;
    }
  }
  return own;
}

/** The link that joins `room` from a base made by joinBase. */
export function joinLinkFrom(base: string, room: string): string {
  return `${base}#/room/${room}`;
}

/** What to say people should open, for "Join at {host}": the host, and the path when it is not '/'. */
export function joinHostFrom(base: string): string {
  const u = new URL(base);
  return u.pathname === '/' ? u.host : `${u.host}${u.pathname.replace(/\/$/, '')}`;
}

let cached: Promise<ServerInfo | null> | null = null;

/**
 * GET /api/server, once per page: null when the server does not answer it
 * (an older server, or the request failed), so callers keep this page's
 * own address.
 */
export function serverInfo(fetcher: typeof fetch = fetch): Promise<ServerInfo | null> {
  if (!cached) {
    cached = fetcher('/api/server')
      .then(async (r) => {
        if (!r.ok) return null;
        const body = (await r.json()) as Partial<ServerInfo>;
        if (!body || !Array.isArray(body.join_urls)) return null;
        return {
          version: String(body.version ?? ''),
          join_urls: body.join_urls.filter((u): u is string => typeof u === 'string'),
          ...(typeof body.public_url === 'string' ? { public_url: body.public_url } : {}),
        };
      })
      .catch(() => null);
  }
  return cached;
}

/** For tests: forget the cached answer. */
export function clearServerInfo(): void {
  cached = null;
}
