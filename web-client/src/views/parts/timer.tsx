// The countdown everyone sees.
import { useEffect, useState } from 'preact/hooks';
import { useT } from '../../i18n';

/** The timer; `offset` is the server's clock minus this device's (Snapshot.clockOffset), unknown → 0. */
export function Countdown({ endsAt, offset = 0 }: { endsAt: number | null; offset?: number }) {
  const t = useT();
  const skew = Number.isFinite(offset) ? offset : 0;
  const [now, setNow] = useState(Date.now() + skew);
  useEffect(() => {
    if (endsAt === null) return;
    setNow(Date.now() + skew);
    const id = setInterval(() => setNow(Date.now() + skew), 500);
    return () => clearInterval(id);
  }, [endsAt, skew]);
  if (endsAt === null) return null;
  const left = Math.max(0, Math.ceil((endsAt - now) / 1000));
  const text = left === 0 ? t('timer.over') : t('timer.left', { time: `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}` });
  return <div class={`timer ${left === 0 ? 'timer-over' : ''}`} role="timer" aria-live={left === 0 ? 'assertive' : 'off'}>{text}</div>;
}
