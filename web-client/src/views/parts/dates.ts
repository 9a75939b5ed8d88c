// Dates as people read them, on the room's own clock (tz_offset, minutes east of UTC), whatever the device's time zone.
import type { Lang } from '../../state/types';

/** "4 december 2026" / "4 December 2026": the day of server time `at` on the room's clock. */
export function roomDate(at: number, tzOffset: number, lang: Lang): string {
  return new Date(at + tzOffset * 60_000).toLocaleDateString(lang === 'nl' ? 'nl-NL' : 'en-GB', {
    day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC',
  });
}

/** "14:05": the time of day of server time `at` on the room's clock. */
export function roomClock(at: number, tzOffset: number): string {
  return new Date(at + tzOffset * 60_000).toISOString().slice(11, 16);
}
