// Client routes of SPEC.md §8, parsed from location.hash.
import { describe, expect, it } from 'vitest';
import { parseRoute } from '../src/route';

describe('parseRoute', () => {
  it('reads the four routes of the protocol', () => {
    expect(parseRoute('')).toEqual({ page: 'home' });
    expect(parseRoute('#/')).toEqual({ page: 'home' });
    expect(parseRoute('#/room/K7M4QX')).toEqual({ page: 'room', room: 'K7M4QX' });
    expect(parseRoute('#/screen/K7M4QX')).toEqual({ page: 'screen', room: 'K7M4QX' });
    expect(parseRoute('#/replay/K7M4QX?key=abc123')).toEqual({ page: 'replay', room: 'K7M4QX', key: 'abc123' });
  });
  it('accepts a code typed in lower case in a link, and sends a bad code home', () => {
    expect(parseRoute('#/room/k7m4qx')).toEqual({ page: 'room', room: 'K7M4QX' });
    expect(parseRoute('#/room/K7M0QX')).toEqual({ page: 'home' });
    expect(parseRoute('#/room/')).toEqual({ page: 'home' });
  });
  it('knows the server check and nothing else', () => {
    expect(parseRoute('#/ping')).toEqual({ page: 'ping' });
    expect(parseRoute('#/nonsense')).toEqual({ page: 'unknown' });
  });
});
