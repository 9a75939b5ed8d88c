// The presenter's lobby: the QR code and the room code as the main thing, and a wall of the names of those who joined.
import { useT } from '../../i18n';
import type { View } from '../../state/types';
import { QrCode, useJoin } from '../parts/join';
import { participants, spacedCode } from './common';

/**
 * How the wall of names is laid out for a number of people: columns filled
 * top-down, smaller type as it fills, so 100 names fit without scrolling.
 */
export function wallLayout(n: number): { cols: number; rows: number; size: string } {
  if (n <= 12) return { cols: 2, rows: 6, size: 'xl' };
  if (n <= 30) return { cols: 3, rows: 10, size: 'l' };
  if (n <= 60) return { cols: 4, rows: 15, size: 'm' };
  return { cols: 5, rows: 20, size: 's' };
}

export function Lobby({ view, room }: { view: View | null; room: string }) {
  const t = useT();
  const join = useJoin(room);
  const people = view ? participants(view) : [];
  const wall = wallLayout(people.length);
  return (
    <main class="stage-lobby">
      <div class="lobby-join">
        <QrCode text={join.link} label={t('fac.join.qr', { code: room })} size={0} />
        <p class="lobby-host">{t('screen.join', { host: join.host })}</p>
        <p class="lobby-code" aria-label={`${t('room.code')} ${room.split('').join(' ')}`}>{spacedCode(room)}</p>
      </div>
      <div class="lobby-people">
        <p class="lobby-count" role="status">
          {people.length === 0 ? t('screen.nobody') : people.length === 1 ? t('screen.joined.one') : t('screen.joined', { n: people.length })}
        </p>
        <ul class={`wall wall-${wall.size}`} style={`--cols:${wall.cols};--rows:${wall.rows}`} aria-label={t('room.people')}>
          {people.map((p) => <li class={`wall-name ${p.online || p.seated ? '' : 'is-away'}`}>{p.name}</li>)}
        </ul>
      </div>
    </main>
  );
}
