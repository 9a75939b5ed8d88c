// The facilitator's keyboard shortcuts: one table of keys and what they do, read by the handler and by the help.
import type { StringKey } from '../../i18n';

export type ConsoleAction = 'reveal' | 'next' | 'revote' | 'timer' | 'skip' | 'help';

/** Each shortcut: the key as KeyboardEvent.key (lower case for letters), how the help writes it, what it does. */
export const SHORTCUTS: { key: string; shown: string; action: ConsoleAction; label: StringKey }[] = [
  { key: ' ', shown: 'spatie', action: 'reveal', label: 'fac.reveal' },
  { key: 'ArrowRight', shown: '→', action: 'next', label: 'fac.next' },
  { key: 'r', shown: 'R', action: 'revote', label: 'fac.revote' },
  { key: 't', shown: 'T', action: 'timer', label: 'fac.keys.timer' },
  { key: 's', shown: 'S', action: 'skip', label: 'fac.skip' },
  { key: '?', shown: '?', action: 'help', label: 'fac.keys.help' },
];

/** Is the person typing (a field, a list, editable text)? Then a key is theirs, not a shortcut. */
export function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  const tag = el.tagName.toLowerCase();
  if (tag === 'textarea' || tag === 'select' || el.isContentEditable) return true;
  if (tag !== 'input') return false;
  const type = (el as HTMLInputElement).type;
  // A checkbox or radio takes space itself; every other input takes text.
  return type !== 'checkbox' && type !== 'radio' && type !== 'button' && type !== 'submit';
}

/** The action a key press asks for, or null: never while typing, never with a modifier (but Shift for ?). */
export function actionFor(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'target'>): ConsoleAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return null;
  // Space on a focused button or link presses that one.
  const tag = (e.target as HTMLElement | null)?.tagName?.toLowerCase();
  if (e.key === ' ' && (tag === 'button' || tag === 'a' || tag === 'summary')) return null;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  return SHORTCUTS.find((s) => s.key === key)?.action ?? null;
}
