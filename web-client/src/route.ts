// Client-side routes (SPEC.md §8): parses location.hash into a route.
import { isRoomCode } from './state/roomcode';

export type Route =
  | { page: 'home' }
  | { page: 'room'; room: string }
  | { page: 'screen'; room: string }
  | { page: 'replay'; room: string; key: string }
  | { page: 'ping' }
  | { page: 'unknown' };

export function parseRoute(hash: string): Route {
  const h = hash.replace(/^#/, '') || '/';
  const [path, query = ''] = h.split('?', 2);
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0) return { page: 'home' };
  const code = (parts[1] ?? '').toUpperCase();
  switch (parts[0]) {
    case 'room':
      return isRoomCode(code) ? { page: 'room', room: code } : { page: 'home' };
    case 'screen':
      return isRoomCode(code) ? { page: 'screen', room: code } : { page: 'home' };
    case 'replay': {
      const key = new URLSearchParams(query).get('key') ?? '';
      return isRoomCode(code) ? { page: 'replay', room: code, key } : { page: 'home' };
    }
    case 'ping':
      return { page: 'ping' };
    default:
      return { page: 'unknown' };
  }
}

export function go(hash: string): void {
  location.hash = hash;
}
