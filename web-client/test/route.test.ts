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
    expect(parseRoute('#/summary/K7M4QX?key=abc123')).toEqual({ page: 'summary', room: 'K7M4QX', key: 'abc123' });
    expect(parseRoute('#/claim/K7M4QX?code=c0de')).toEqual({ page: 'claim', room: 'K7M4QX', code: 'c0de' });
  });
  it('accepts a code typed in lower case in a link, and sends a bad code home', () => {
    expect(parseRoute('#/room/k7m4qx')).toEqual({ page: 'room', room: 'K7M4QX' });
    expect(parseRoute('#/room/K7M0QX')).toEqual({ page: 'home' });
    expect(parseRoute('#/room/')).toEqual({ page: 'home' });
  });
  it('reads the card set routes: an unlisted deck link, print, a printed card, the editor', () => {
    expect(parseRoute('#/?deck=31ee8fdf1146bd52')).toEqual({ page: 'home', deck: '31ee8fdf1146bd52' });
    expect(parseRoute('#/?deck=<script>')).toEqual({ page: 'home' });
    expect(parseRoute('#/print/31ee8fdf1146bd52')).toEqual({ page: 'print', hash: '31ee8fdf1146bd52' });
    expect(parseRoute('#/print/nope')).toEqual({ page: 'home' });
    expect(parseRoute('#/card/venster-burger')).toEqual({ page: 'card', card: 'venster-burger' });
    expect(parseRoute('#/card/%3Cb%3E')).toEqual({ page: 'home' });
    expect(parseRoute('#/editor')).toEqual({ page: 'editor' });
    expect(parseRoute('#/editor?from=31ee8fdf1146bd52')).toEqual({ page: 'editor', from: '31ee8fdf1146bd52' });
  });
  it('knows the server check and nothing else', () => {
    expect(parseRoute('#/ping')).toEqual({ page: 'ping' });
    expect(parseRoute('#/nonsense')).toEqual({ page: 'unknown' });
  });
});
