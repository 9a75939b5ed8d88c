// The console to another device of the facilitator's own: a one-time link (and its QR code) made here, opened there (SPEC.md §8, handoff and claim).
import { useEffect, useState } from 'preact/hooks';
import { useT } from '../../i18n';
import { tokenKey } from '../../net/connection';
import { QrCode } from './join';

/** The link the other device opens: the one-time code in the fragment, so it never reaches a server log. */
export function claimLink(room: string, code: string, loc: Pick<Location, 'origin' | 'pathname'> = location): string {
  return `${loc.origin}${loc.pathname}#/claim/${room}?code=${code}`;
}

export function HandoffPanel({ room }: { room: string }) {
  const t = useT();
  const [link, setLink] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  return (
    <details class="handoff box">
      <summary>{t('handoff.title')}</summary>
      <p class="muted small">{t('handoff.what')}</p>
      <button type="button" class="secondary" onClick={async () => {
        setFailed(false);
        const token = localStorage.getItem(tokenKey(room));
        const r = token ? await fetch(`/api/rooms/${room}/handoff`, { headers: { Authorization: `Bearer ${token}` } }).catch(() => null) : null;
        if (!r || !r.ok) return setFailed(true);
        setLink(claimLink(room, (await r.json()).code));
      }}>{t('handoff.make')}</button>
      {failed && <p class="error" role="alert">{t('handoff.failed')}</p>}
      {link && (
        <>
          <QrCode text={link} label={t('handoff.qr')} size={180} />
          <p class="small"><a href={link}>{link}</a></p>
          <p class="muted small">{t('handoff.once')}</p>
        </>
      )}
    </details>
  );
}

/** #/claim/CODE?code=C on the other device: take the token once, then open the console as the facilitator. */
export function ClaimPage({ room, code }: { room: string; code: string }) {
  const t = useT();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    fetch(`/api/rooms/${room}/claim?code=${encodeURIComponent(code)}`)
      .then(async (r) => {
        if (!r.ok) throw new Error(String(r.status));
        const { token } = await r.json();
        localStorage.setItem(tokenKey(room), token);
        location.replace(`#/room/${room}`);
      })
      .catch(() => setFailed(true));
  }, [room, code]);
  return (
    <main class="page">
      {failed ? <p class="error" role="alert">{t('handoff.claim.failed')}</p> : <p>{t('handoff.claim.busy')}</p>}
    </main>
  );
}
