// The frame of a page: the language switch and a room page's top bar.
import type { ComponentChildren } from 'preact';
import { useLang, useT } from '../../i18n';
import type { Snapshot } from '../../net/connection';
import type { Lang, View } from '../../state/types';
import { ConnBadge } from './connection';

export function LangSwitch() {
  const { lang, choose, t } = useLang();
  const other: Lang = lang === 'nl' ? 'en' : 'nl';
  return (
    <button type="button" class="link lang-switch" lang={other} onClick={() => choose(other)}>
      {t('lang.switch')}
    </button>
  );
}

/** The top bar of a room page: title, code, connection state, language. */
export function RoomHeader({ view, snap, children }: { view: View | null; snap: Snapshot; children?: ComponentChildren }) {
  const t = useT();
  return (
    <header class="topbar">
      <div class="topbar-title">
        <strong>{view?.title || t('app.name')}</strong>
        {view && <span class="code-chip" aria-label={`${t('room.code')} ${view.room.split('').join(' ')}`}>{view.room}</span>}
      </div>
      <div class="topbar-tools">
        <ConnBadge snap={snap} />
        {children}
        <LangSwitch />
      </div>
    </header>
  );
}
