// The app shell: the language provider and the hash route, one page at a time.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { LangContext, browserLang, chosenLang, rememberLang, translate, type LangState } from './i18n';
import { parseRoute, type Route } from './route';
import type { Lang } from './state/types';
import { HomePage } from './views/Home';
import { PingPage } from './views/Ping';
import { RoomPage } from './views/Room';
import { ScreenPage } from './views/Screen';
import { ReplayPage } from './views/Replay';
import { PrintPage } from './views/Print';
import { CardLinkPage } from './views/CardLink';
import { EditorPage } from './views/Editor';
import { SummaryPage } from './views/SummaryPage';
import { ClaimPage } from './views/parts/handoff';

export function App() {
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash));
  const [chosen, setChosen] = useState<Lang | null>(chosenLang);
  const [roomLang, setRoomLang] = useState<Lang | null>(null);

  useEffect(() => {
    let shown = parseRoute(location.hash);
    const on = () => {
      const next = parseRoute(location.hash);
      // Another page starts at its top, as a page load would: the home page scrolled down to "Sessie aanmaken" left the console scrolled past its start button.
      if (pageKey(next) !== pageKey(shown)) scrollTo(0, 0);
      shown = next;
      setRoute(next);
    };
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);

  // A person's own choice wins; otherwise the room's language; otherwise the browser's.
  const lang: Lang = chosen ?? roomLang ?? browserLang();
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const state = useMemo<LangState>(() => ({
    lang,
    t: (k, p) => translate(lang, k, p),
    choose: (l) => {
      rememberLang(l);
      setChosen(l);
    },
    setRoomLang,
  }), [lang]);

  return <LangContext.Provider value={state}>{page(route)}</LangContext.Provider>;
}

/** Which page a route shows: the same page with another query (a key, a deck) keeps its scroll. */
function pageKey(route: Route): string {
  return `${route.page}/${'room' in route ? route.room : ''}`;
}

function page(route: Route) {
  switch (route.page) {
    case 'home':
      return <HomePage deck={route.deck} />;
    case 'print':
      return <PrintPage hash={route.hash} />;
    case 'card':
      return <CardLinkPage card={route.card} />;
    case 'editor':
      return <EditorPage from={route.from} />;
    case 'room':
      return <RoomPage room={route.room} />;
    case 'screen':
      return <ScreenPage room={route.room} />;
    case 'replay':
      return <ReplayPage room={route.room} replayKey={route.key} />;
    case 'claim':
      return <ClaimPage room={route.room} code={route.code} />;
    case 'summary':
      return <SummaryPage room={route.room} replayKey={route.key} />;
    case 'ping':
      return <PingPage />;
    case 'unknown':
      return <HomePage />;
    default: {
      // Every page of Route has its case: a page added there without one does not compile.
      const missing: never = route;
      return missing;
    }
  }
}
