// The connection's pieces on a room page: sending requests with their error, the state badge, the notice after failed reconnects.
import { useState } from 'preact/hooks';
import { errorText, useT } from '../../i18n';
import { FAILURES_BEFORE_NOTICE, RequestError, type RoomConnection, type Snapshot } from '../../net/connection';
import type { Intent } from '../../state/types';

/** Sends requests for a view and keeps the last error as a sentence for a person. */
export function useActions(conn: RoomConnection) {
  const t = useT();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const send = async (msg: Intent): Promise<boolean> => {
    setBusy(true);
    try {
      await conn.request(msg);
      setError(null);
      return true;
    } catch (e) {
      setError(errorText(t, e instanceof RequestError ? e.code : 'unknown'));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { send, error, busy, clear: () => setError(null) };
}

export function ErrorBanner({ error, onClose }: { error: string | null; onClose: () => void }) {
  const t = useT();
  if (!error) return null;
  return (
    <div class="banner banner-error" role="alert">
      <span>{error}</span>
      <button type="button" class="link" onClick={onClose}>{t('error.dismiss')}</button>
    </div>
  );
}

export function ConnBadge({ snap }: { snap: Snapshot }) {
  const t = useT();
  const text = snap.state === 'open' ? t('conn.open') : snap.state === 'reconnecting' ? t('conn.reconnecting')
    : snap.state === 'ended' ? t('conn.ended') : t('conn.connecting');
  return <span class={`conn conn-${snap.state}`} role="status" data-testid="conn-state">{text}</span>;
}

/** After repeated failed reconnects: says so and offers to try at once (the automatic retries back off to a minute). */
export function ConnNotice({ snap, onRetry }: { snap: Snapshot; onRetry: () => void }) {
  const t = useT();
  if (snap.state === 'open' || snap.state === 'ended' || snap.attempts < FAILURES_BEFORE_NOTICE) return null;
  return (
    <div class="conn-notice" role="alert" data-testid="conn-notice">
      <p>{t('conn.failing')}</p>
      <button type="button" onClick={onRetry}>{t('conn.retry')}</button>
    </div>
  );
}
