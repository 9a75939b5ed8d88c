// The facilitator turns the big screen's pages of the closing summary: buttons, and ← / → (never while typing).
import { useEffect, useRef } from 'preact/hooks';
import { useT } from '../../i18n';
import type { Intent, Summary } from '../../state/types';
import { closingPages } from '../screen/Closing';
import { typing } from './keys';

export function ScreenPager({ summary, page, send }: { summary: Summary; page: number; send: (i: Intent) => Promise<boolean> }) {
  const t = useT();
  const count = closingPages(summary).length;
  const at = Math.max(0, Math.min(page, count - 1));
  const go = (p: number) => {
    if (p >= 0 && p < count && p !== at) void send({ t: 'page', page: p });
  };
  const goRef = useRef(go);
  goRef.current = go;
  const atRef = useRef(at);
  atRef.current = at;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
      if (e.key === 'ArrowRight' || e.key === 'PageDown') goRef.current(atRef.current + 1);
      else if (e.key === 'ArrowLeft' || e.key === 'PageUp') goRef.current(atRef.current - 1);
      else return;
      e.preventDefault();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
  return (
    <div class="pager" role="group" aria-label={t('fac.pager')}>
      <span>{t('fac.pager.at', { i: at + 1, n: count })}</span>
      <button type="button" class="secondary" disabled={at === 0} onClick={() => go(at - 1)}>{t('fac.pager.prev')} <kbd>←</kbd></button>
      <button type="button" class="primary" disabled={at >= count - 1} onClick={() => go(at + 1)}>{t('fac.pager.next')} <kbd>→</kbd></button>
    </div>
  );
}
