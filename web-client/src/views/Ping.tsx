// A page that shows the server is alive: one WebSocket, a ping, and the measured round trip.
import { useEffect, useRef, useState } from 'preact/hooks';
import { encodeMessage, decodeFrame } from '../net/codec';
import { randomRoomCode } from '../state/roomcode';
import { useT } from '../i18n';
import { LangSwitch } from './parts/layout';

type Conn = 'connecting' | 'open' | 'closed';

export function PingPage() {
  const t = useT();
  const [conn, setConn] = useState<Conn>('connecting');
  const [rtt, setRtt] = useState<number | null>(null);
  const [note, setNote] = useState('');
  const sock = useRef<WebSocket | null>(null);
  const sentAt = useRef<number | null>(null);

  const ping = () => {
    const ws = sock.current;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    sentAt.current = performance.now();
    ws.send(encodeMessage({ t: 'ping' }));
  };

  useEffect(() => {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    // A room code is required in the URL (for proxy routing); a ping needs no room, so any valid code will do.
    const ws = new WebSocket(`${proto}//${location.host}/ws?room=${randomRoomCode()}`, 'verrijk.v1');
    ws.binaryType = 'arraybuffer';
    sock.current = ws;
    ws.onopen = () => { setConn('open'); ping(); };
    ws.onclose = (ev) => { setConn('closed'); setNote(`close ${ev.code}`); };
    ws.onmessage = (ev) => {
      if (!(ev.data instanceof ArrayBuffer)) return;
      for (const msg of decodeFrame(ev.data)) {
        if (msg.t === 'pong' && sentAt.current !== null) {
          setRtt(performance.now() - sentAt.current);
          sentAt.current = null;
        }
      }
    };
    return () => ws.close();
  }, []);

  return (
    <main class="page">
      <div class="row-between"><h1>{t('app.name')}</h1><LangSwitch /></div>
      <p>{t('ping.title')}</p>
      <dl class="facts">
        <dt>{t('ping.conn')}</dt>
        <dd data-testid="conn">{t(`ping.${conn}`)}{note && ` (${note})`}</dd>
        <dt>{t('ping.rtt')}</dt>
        <dd data-testid="rtt" aria-live="polite">{rtt === null ? '—' : `${rtt.toFixed(1)} ms`}</dd>
      </dl>
      <button type="button" onClick={ping} disabled={conn !== 'open'}>{t('ping.again')}</button>
    </main>
  );
}
