// The room route (#/room/CODE): the name prompt for newcomers (also from a QR code), then the player's or facilitator's screen.
import { useEffect, useState } from 'preact/hooks';
import { errorText, useLang, useT } from '../i18n';
import { RequestError, type EndReason } from '../net/connection';
import { dropConnection, useRoom } from '../net/session';
import { ConnBadge, ConnNotice } from './parts/connection';
import { RoomHeader } from './parts/layout';
import { PlayerView } from './Player';
import { FacilitatorView } from './Facilitator';

export function RoomPage({ room }: { room: string }) {
  const { conn, snap } = useRoom(room);
  return (
    <>
      <ConnNotice snap={snap} onRetry={() => conn.retryNow()} />
      <RoomBody room={room} />
    </>
  );
}

function RoomBody({ room }: { room: string }) {
  const { t, setRoomLang } = useLang();
  const { conn, snap } = useRoom(room);
  const roomLang = snap.view?.lang ?? null;
  useEffect(() => setRoomLang(roomLang), [roomLang]);
  if (snap.state === 'ended') return <Ended reason={snap.ended} onTakeBack={snap.ended === 'replaced' ? () => {
    dropConnection(room);
    location.reload();
  } : undefined} />;
  const { view, you } = snap;
  if (view && you) {
    if (you.role === 'facilitator') return <FacilitatorView conn={conn} snap={snap} view={view} you={you} />;
    if (you.role === 'screen') {
      location.hash = `#/screen/${room}`;
      return null;
    }
    return <PlayerView conn={conn} snap={snap} view={view} you={you} />;
  }
  if (conn.hasToken() && snap.state !== 'open') {
    return <main class="page"><ConnBadge snap={snap} /></main>;
  }
  return (
    <>
      <RoomHeader view={null} snap={snap} />
      <JoinForm room={room} onJoin={(name) => conn.request({ t: 'join', room, name, role: 'player' })} t={t} />
    </>
  );
}

function JoinForm({ room, onJoin, t }: { room: string; onJoin: (name: string) => Promise<unknown>; t: ReturnType<typeof useT> }) {
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <main class="page narrow">
      <h1>{t('join.title', { code: room })}</h1>
      <form onSubmit={async (e) => {
        e.preventDefault();
        if (!name.trim()) return;
        setBusy(true);
        try {
          await onJoin(name.trim());
          setError(null);
        } catch (err) {
          setError(errorText(t, err instanceof RequestError ? err.code : 'unknown'));
        } finally {
          setBusy(false);
        }
      }}>
        <label class="field">
          <span>{t('join.name')}</span>
          <input name="name" autocomplete="nickname" maxLength={40} required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} autoFocus />
        </label>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary-big" disabled={busy || !name.trim()}>{t('join.button')}</button>
      </form>
      <p><a href={`#/screen/${room}`}>{t('join.screen')}</a></p>
    </main>
  );
}

export function Ended({ reason, onTakeBack }: { reason?: EndReason; onTakeBack?: () => void }) {
  const t = useT();
  return (
    <main class="page narrow">
      <h1>{t('conn.ended')}</h1>
      <p class="lead" role="alert">{reason === 'replaced' ? t('conn.replaced') : t('conn.kicked')}</p>
      {onTakeBack && <p><button type="button" onClick={onTakeBack}>{t('conn.take_back')}</button></p>}
      <p><a href="#/">{t('conn.home')}</a></p>
    </main>
  );
}
