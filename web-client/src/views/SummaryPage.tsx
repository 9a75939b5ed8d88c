// The read-only summary (#/summary/CODE?key=K): what a facilitator's share link opens, for anyone who holds the replay key.
import { useLang } from '../i18n';
import { LangSwitch } from './parts/layout';
import { useDeck } from './parts/cards';
import { useReplay } from './Replay';
import { SummaryView } from './Summary';

export function SummaryPage({ room, replayKey }: { room: string; replayKey: string }) {
  const { t } = useLang();
  const got = useReplay(room, replayKey);
  const last = got && got !== 'failed' ? got.views[got.views.length - 1] : null;
  const deck = useDeck(last?.deck.hash);
  return (
    <div class="summary-page">
      <header class="topbar no-print">
        <div class="topbar-title"><strong>{t('app.name')}</strong></div>
        <div class="topbar-tools"><LangSwitch /></div>
      </header>
      <main class="page">
        {got === 'failed' && <p class="error" role="alert">{t('replay.error')}</p>}
        {got === null && <p>{t('replay.loading')}</p>}
        {last && (last.summary ? <SummaryView view={last} summary={last.summary} deck={deck} /> : <p class="error">{t('replay.error')}</p>)}
      </main>
    </div>
  );
}
