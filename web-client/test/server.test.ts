// The join URL shown on the join panel and the big screen: a LAN address instead of localhost, --public-url first, this page's own address otherwise.
import { beforeEach, describe, expect, it } from 'vitest';
import { clearServerInfo, isLoopbackHost, joinBase, joinHostFrom, joinLinkFrom, serverInfo, type PageLocation, type ServerInfo } from '../src/net/server';

function page(url: string): PageLocation {
  const u = new URL(url);
  return { origin: u.origin, hostname: u.hostname, pathname: u.pathname };
}

const lan: ServerInfo = { version: '0.1.0', join_urls: ['http://192.168.1.20:8080/', 'http://[2001:db8::20]:8080/'] };

describe('joinBase', () => {
  it('uses the LAN address when the page was opened on localhost', () => {
    expect(joinBase(page('http://localhost:8080/'), lan)).toBe('http://192.168.1.20:8080/');
    expect(joinBase(page('http://127.0.0.1:8080/#/room/K7M4QX'), lan)).toBe('http://192.168.1.20:8080/');
    expect(joinBase(page('http://[::1]:8080/'), lan)).toBe('http://192.168.1.20:8080/');
  });

  it('keeps the page address when it was opened via a real address', () => {
    expect(joinBase(page('http://10.0.0.5:8080/'), lan)).toBe('http://10.0.0.5:8080/');
    expect(joinBase(page('https://verrijk.school.example/'), lan)).toBe('https://verrijk.school.example/');
  });

  it('prefers --public-url wherever the page was opened', () => {
    const behindProxy: ServerInfo = { version: '0.1.0', join_urls: ['https://verrijk.example.org/sessies'], public_url: 'https://verrijk.example.org/sessies' };
    expect(joinBase(page('http://localhost:8080/'), behindProxy)).toBe('https://verrijk.example.org/sessies/');
    expect(joinBase(page('http://10.0.0.5:8080/'), behindProxy)).toBe('https://verrijk.example.org/sessies/');
  });

  it('keeps localhost when the server knows no other address, or did not answer', () => {
    expect(joinBase(page('http://localhost:8080/'), { version: '0.1.0', join_urls: [] })).toBe('http://localhost:8080/');
    expect(joinBase(page('http://localhost:8080/'), null)).toBe('http://localhost:8080/');
    // A loopback or malformed entry is never offered to phones.
    expect(joinBase(page('http://localhost:8080/'), { version: '0.1.0', join_urls: ['http://127.0.0.1:8080/', 'not a url', 'ftp://x/'] })).toBe('http://localhost:8080/');
  });

  it('drops a file name from the page path', () => {
    expect(joinBase(page('http://10.0.0.5:8080/index.html'), null)).toBe('http://10.0.0.5:8080/');
  });
});

describe('join link and host', () => {
  it('puts the room in the hash route and names the host to type', () => {
    expect(joinLinkFrom('http://192.168.1.20:8080/', 'K7M4QX')).toBe('http://192.168.1.20:8080/#/room/K7M4QX');
    expect(joinHostFrom('http://192.168.1.20:8080/')).toBe('192.168.1.20:8080');
    expect(joinHostFrom('https://verrijk.example.org/sessies/')).toBe('verrijk.example.org/sessies');
  });

  it('knows which hosts only this machine can open', () => {
    for (const h of ['localhost', 'LOCALHOST', 'app.localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['192.168.1.20', '10.0.0.5', 'verrijk.example.org', '2001:db8::20', '127.example.org']) expect(isLoopbackHost(h), h).toBe(false);
  });
});

describe('serverInfo', () => {
  beforeEach(() => clearServerInfo());

  it('asks GET /api/server once and keeps the answer', async () => {
    const asked: string[] = [];
    const fetcher = (async (url: string) => {
      asked.push(url);
      return new Response(JSON.stringify(lan), { status: 200 });
    }) as unknown as typeof fetch;
    expect(await serverInfo(fetcher)).toEqual(lan);
    expect(await serverInfo(fetcher)).toEqual(lan);
    expect(asked).toEqual(['/api/server']);
  });

  it('answers null when the server does not know the route or the request fails', async () => {
    const notFound = (async () => new Response('Not found', { status: 404 })) as unknown as typeof fetch;
    expect(await serverInfo(notFound)).toBeNull();
    clearServerInfo();
    const down = (async () => { throw new TypeError('network'); }) as unknown as typeof fetch;
    expect(await serverInfo(down)).toBeNull();
    clearServerInfo();
    const odd = (async () => new Response('{"version":"1"}', { status: 200 })) as unknown as typeof fetch;
    expect(await serverInfo(odd)).toBeNull();
  });
});
