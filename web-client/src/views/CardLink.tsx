// A printed card's link (#/card/ID), opened by the facilitator's phone camera: puts that card on the table of the session this device facilitates.
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText, useLang } from '../i18n';
import { RequestError } from '../net/connection';
import { facilitatingRoom } from '../net/facilitating';
import { useRoom } from '../net/session';
import { LangSwitch } from './parts/layout';

export function CardLinkPage({ card }: { card: string }) {
  const { t } = useLang();
  const room = facilitatingRoom();
  return (
    <main class="page narrow">
      <div class="row-between"><span /><LangSwitch /></div>
      <h1>{t('cardlink.title')}</h1>
      {room ? <PutOnTable room={room} card={card} /> : <p class="notice" role="alert">{t('cardlink.no_session')}</p>}
      <p><a href="#/">{t('conn.home')}</a></p>
    </main>
  );
}

type Outcome = { kind: 'waiting' } | { kind: 'refused'; text: string };

function PutOnTable({ room, card }: { room: string; card: string }) {
  const { t } = useLang();
  const { conn, snap } = useRoom(room);
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'waiting' });
  const sent = useRef(false);
  const { view, you } = snap;

  useEffect(() => {
    if (sent.current || !view || !you) return;
    sent.current = true;
    if (you.role !== 'facilitator') {
      setOutcome({ kind: 'refused', text: t('cardlink.not_facilitator') });
      return;
    }
    if (view.phase !== 'playing' || view.opts.mode !== 'deck') {
      setOutcome({ kind: 'refused', text: t('cardlink.not_deck_round') });
      return;
    }
    if (view.table) {
      setOutcome({ kind: 'refused', text: t('cardlink.table_busy') });
      return;
    }
    conn.request({ t: 'draw', card }).then(
      () => { location.hash = `#/room/${room}`; },
      (e) => setOutcome({ kind: 'refused', text: e instanceof RequestError && e.code === 'no_card' ? t('cardlink.not_in_pile') : errorText(t, e instanceof RequestError ? e.code : 'unknown') }),
    );
  }, [view, you]);

  if (outcome.kind === 'refused') {
    return (
      <>
        <p class="error" role="alert">{outcome.text}</p>
        <p><a href={`#/room/${room}`}>{t('cardlink.to_session', { code: room })}</a></p>
      </>
    );
  }
  if (snap.state === 'ended' || (!conn.hasToken() && snap.state === 'open' && !view)) {
    return <p class="notice" role="alert">{t('cardlink.no_session')}</p>;
  }
  return <p aria-busy="true">{t('cardlink.busy', { code: room })}</p>;
}
