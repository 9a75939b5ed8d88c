// The server's deck validation messages (short English phrases from its checker) in the reader's language, so the
// editor says "Vul hier iets in" next to a field instead of "empty text". A message not known here is shown as sent.
import type { StringKey } from '../i18n/strings';

type Translate = (key: StringKey, params?: Record<string, string | number>) => string;

/** Known messages: a pattern over the server's text and the string that says it for people. */
const KNOWN: [RegExp, StringKey][] = [
  [/^empty text$/, 'deckmsg.empty'],
  [/^a text is at most (?<max>\d+) bytes, got \d+$/, 'deckmsg.too_long'],
  [/^control character at byte \d+$/, 'deckmsg.control'],
  [/^a color is "#rrggbb", got ".*"$/, 'editor.color_invalid'],
  [/^duplicate card ".*"$/, 'deckmsg.duplicate_card'],
  [/^duplicate category ".*"$/, 'deckmsg.duplicate_category'],
  [/^unknown category ".*"$/, 'deckmsg.unknown_category'],
  [/^a deck has 1\.\.(?<max>\d+) cards, got \d+$/, 'deckmsg.cards'],
  [/^a deck has 1\.\.(?<max>\d+) categories, got \d+$/, 'deckmsg.categories'],
  [/^the scale has \d+ values but there are \d+ labels$/, 'deckmsg.labels'],
  [/^a scale has (?<min>\d+)\.\.(?<max>\d+) values, .*$/, 'deckmsg.scale'],
];

/** The server's `message` for a deck, said in the reader's language when it is one we know. */
export function deckMessage(t: Translate, message: string): string {
  for (const [re, key] of KNOWN) {
    const m = re.exec(message);
    if (m) return t(key, m.groups ?? {});
  }
  return message;
}
