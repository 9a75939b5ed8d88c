// Translation: one table (strings.ts), the room's language by default, switchable and remembered per device.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { en, nl, type StringKey } from './strings';
import type { Lang } from '../state/types';

export type { StringKey };
export type Translate = (key: StringKey, params?: Record<string, string | number>) => string;

const tables: Record<Lang, Record<StringKey, string>> = { nl, en };
const CHOICE_KEY = 'verrijk.lang';

/** The text for `key` in `lang`, with {name} placeholders filled in. */
export function translate(lang: Lang, key: StringKey, params?: Record<string, string | number>): string {
  const text = tables[lang][key] ?? nl[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** An error code from the server (or the connection) as a sentence for a person. */
export function errorText(t: Translate, code: string): string {
  const key = `error.${code}` as StringKey;
  return key in nl ? t(key) : t('error.unknown', { code });
}

/** The language a person chose on this device, if any. */
export function chosenLang(): Lang | null {
  try {
    const v = localStorage.getItem(CHOICE_KEY);
    return v === 'nl' || v === 'en' ? v : null;
  } catch {
    return null;
  }
}

export function rememberLang(lang: Lang): void {
  try {
    localStorage.setItem(CHOICE_KEY, lang);
  } catch {
    // Without storage the choice lasts until the page reloads.
  }
}

/** The browser's language when nothing else decides: Dutch for nl*, otherwise English. */
export function browserLang(): Lang {
  return typeof navigator !== 'undefined' && /^nl\b/i.test(navigator.language) ? 'nl' : 'en';
}

export interface LangState {
  lang: Lang;
  t: Translate;
  /** Sets the language for this device (overrides the room's). */
  choose: (lang: Lang) => void;
  /** Tells the provider the room's language, used when the person chose none. */
  setRoomLang: (lang: Lang | null) => void;
}

export const LangContext = createContext<LangState>({
  lang: 'nl',
  t: (k, p) => translate('nl', k, p),
  choose: () => {},
  setRoomLang: () => {},
});

export function useLang(): LangState {
  return useContext(LangContext);
}

export function useT(): Translate {
  return useContext(LangContext).t;
}
