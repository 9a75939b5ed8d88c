// The app shell: follows the hash route and shows one page.
import { useEffect, useState } from 'preact/hooks';
import { parseRoute, type Route } from './route';
import { PingPage } from './views/Ping';

export function App() {
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  switch (route.page) {
    case 'ping':
      return <PingPage />;
    default:
      return <PingPage />;
  }
}
