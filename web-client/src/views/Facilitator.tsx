// The facilitator's screen (laptop): what a player sees plus every control of the session and the join panel.
import { useEffect, useState } from 'preact/hooks';
import { useLang, useT } from '../i18n';
import type { RoomConnection, Snapshot } from '../net/connection';
import type { Deck, Member, Opts, View, You } from '../state/types';
import { ErrorBanner, useActions } from './parts/connection';
import { RoomHeader } from './parts/layout';
import { CardFace, FollowUps, cardTitle, deckText, useDeck } from './parts/cards';
import { VoteButtons } from './parts/votes';
import { People, TurnLine } from './parts/people';
import { QrCode, useJoin } from './parts/join';
import { TableArea } from './table';
import { rememberFacilitating } from '../net/facilitating';
import { cardIndexOfCode } from '../deck/print';
import { HandoffPanel } from './parts/handoff';
import { Controls, NextHint } from './console/Controls';
import { ScreenPager } from './console/Pager';
import { SummaryView } from './Summary';
import { WindowPicker } from './parts/windows';
import { CARD_KINDS, cardChoiceText, fitRoundOpts } from './parts/roundopts';
import { participants } from './screen/common';

/** Limits of SPEC.md §3 for `close`. */
const CLOSE_TEXT_MAX = 4000;
const CLOSE_ACTIONS_MAX = 20;
const CLOSE_ACTION_MAX = 200;

export function FacilitatorView({ conn, snap, view, you }: { conn: RoomConnection; snap: Snapshot; view: View; you: You }) {
  const { t, lang } = useLang();
  const deck = useDeck(view.deck.hash);
  const act = useActions(conn);
  const table = view.table;
  const plays = Boolean(view.opts.facilitator_plays);
  const myTurn = plays && view.phase === 'playing' && view.turn === you.player && !table && view.opts.mode !== 'deck';
  const seated = view.players.filter((p) => p.present && p.seated);
  // A printed card's link opened on this device finds this session.
  useEffect(() => rememberFacilitating(view.room), [view.room]);

  const kick = (m: Member) => {
    if (confirm(t('fac.kick.confirm', { name: m.name }))) void act.send({ t: 'kick', player: m.player });
  };
  const handover = (m: Member) => {
    if (confirm(t('fac.handover.confirm', { name: m.name }))) void act.send({ t: 'handover', player: m.player });
  };

  return (
    <div class="room room-facilitator">
      <RoomHeader view={view} snap={snap} />
      <main class="page page-wide">
        <ErrorBanner error={act.error} onClose={act.clear} />
        <div class="fac-grid">
          <div class="fac-main">
            {view.phase === 'playing' && (
              <>
                {/* The countdown is in the control bar, next to reveal and next. */}
                <TurnLine view={view} me={you.player} />
                <TableArea
                  view={view} deck={deck} me={you.player}
                  canVote={plays} onVote={(value) => act.send({ t: 'vote', value })}
                  canNote onNote={(text) => act.send({ t: 'note', text })}
                  onHide={(note) => act.send({ t: 'hide', note })}
                >
                  <Controls view={view} deck={deck} busy={act.busy} send={act.send} offset={snap.clockOffset} hold={snap.awayHold} />
                  {view.phase === 'playing' && view.opts.mode === 'deck' && !table && deck && (
                    <CodeDraw disabled={act.busy || view.pile === 0} count={deck.cards.length}
                      onDraw={(i) => act.send({ t: 'draw', card: deck.cards[i].id })} />
                  )}
                  {table && deck?.windows && deck.windows.length > 0 && (
                    <WindowPicker deck={deck} value={table.chair ?? ''} label={t('window.chair.pick')}
                      exclude={view.players.filter((p) => p.present && p.window).map((p) => p.window!)}
                      onPick={(w) => void act.send({ t: 'window', window: w, chair: true })} />
                  )}
                  {table && <FollowUps deck={deck} card={table.card} />}
                </TableArea>
                {table?.stage === 'discuss' && seated.map((p) => (
                  <div class="vote-for">
                    <h3>{t('fac.vote_for', { name: p.name })}</h3>
                    <VoteButtons deck={deck} mine={table.seated_votes?.find(([who]) => who === p.player)?.[1]} disabled={false} label={t('fac.vote_for', { name: p.name })}
                      onVote={(value) => act.send({ t: 'vote', value, for: p.player })} />
                    {p.voted && <p class="muted">✓ {t('vote.who')}</p>}
                  </div>
                ))}
                {plays && view.opts.mode !== 'deck' && (
                  <section class="hand" aria-labelledby="hand-h">
                    <h2 id="hand-h">{t('room.hand')}</h2>
                    <ul class="hand-cards">
                      {view.hand.map((card) => (
                        <li>
                          <CardFace deck={deck} card={card}>
                            {myTurn && <button type="button" class="play" aria-label={`${t('room.play')}: ${cardTitle(deck, card, lang)}`} onClick={() => act.send({ t: 'play', card })}>{t('room.play')}</button>}
                          </CardFace>
                        </li>
                      ))}
                    </ul>
                  </section>
                )}
                <CloseForm onClose={(text, actions) => act.send({ t: 'close', text, actions })} />
              </>
            )}
            {view.phase !== 'playing' && (
              <>
                <NextHint view={view} />
                {view.phase === 'closed' && view.summary && <ScreenPager summary={view.summary} page={view.page ?? 0} send={act.send} />}
                <StartForm view={view} deck={deck} again={view.phase === 'closed'} onStart={(opts) => act.send({ t: 'start', opts })} />
                {view.phase === 'closed' && view.summary && <SummaryView view={view} summary={view.summary} deck={deck} />}
                {view.phase === 'closed' && (
                  <p>
                    <button type="button" class="danger" onClick={async () => {
                      if (confirm(t('fac.purge.confirm')) && (await act.send({ t: 'purge' }))) location.hash = '#/';
                    }}>{t('fac.purge')}</button>
                  </p>
                )}
              </>
            )}
          </div>
          <aside class="fac-side">
            <JoinPanel room={view.room} />
            <section aria-labelledby="people-h">
              <h2 id="people-h">{t('room.people')} <span class="people-count">({participants(view).length})</span></h2>
              {view.locked && <p class="notice">{t('fac.locked')}</p>}
              <People view={view} me={you.player} showVoted={table?.stage === 'discuss'}
                actions={(m) => m.player === you.player ? (
                  // The facilitator speaks from a window too (counted when they vote), chosen like anyone's: between cards.
                  deck?.windows && deck.windows.length > 0 && !table ? (
                    <WindowPicker deck={deck} value={m.window ?? ''} label={t('window.mine')} disabled={act.busy}
                      onPick={(w) => void act.send({ t: 'window', window: w })} />
                  ) : null
                ) : (
                  <>
                    {deck?.windows && deck.windows.length > 0 && m.role !== 'screen' && !table && (
                      <WindowPicker deck={deck} value={m.window ?? ''} label={t('window.for', { name: m.name })}
                        onPick={(w) => void act.send({ t: 'window', window: w, for: m.player })} />
                    )}
                    {m.role === 'player' && !m.seated && m.online && (
                      <button type="button" class="link small" onClick={() => handover(m)}>{t('fac.handover')}</button>
                    )}
                    <button type="button" class="link small danger-link" onClick={() => kick(m)} aria-label={`${t('fac.kick')}: ${m.name}`}>{t('fac.kick')}</button>
                  </>
                )} />
              <button type="button" class="secondary" onClick={() => act.send({ t: 'lock', locked: !view.locked })}>
                {view.locked ? t('fac.unlock') : t('fac.lock')}
              </button>
              <SeatForm onSeat={(name) => act.send({ t: 'seat', name })} />
            </section>
            {/* Far from the join QR code, so nobody in the room scans the wrong one. */}
            <HandoffPanel room={view.room} />
          </aside>
        </div>
      </main>
    </div>
  );
}

function JoinPanel({ room }: { room: string }) {
  const t = useT();
  const { link } = useJoin(room);
  return (
    <section class="join-panel" aria-labelledby="join-h">
      <h2 id="join-h">{t('fac.join.title')}</h2>
      <p class="big-code" aria-label={`${t('room.code')} ${room.split('').join(' ')}`}>{room}</p>
      <QrCode text={link} label={t('fac.join.qr', { code: room })} size={180} />
      <p><span class="muted">{t('fac.join.link')}:</span> <a href={link} class="join-link">{linkParts(link).map((part, i) => <>{i > 0 && <wbr />}<span>{part}</span></>)}</a></p>
      <p><a href={`#/screen/${room}`} target="_blank" rel="noopener">{t('fac.join.screen')}</a></p>
    </section>
  );
}

/** A link in pieces that may each stand on a line of their own: scheme and host with the port, then the path. */
function linkParts(link: string): string[] {
  const m = /^([a-z]+:\/\/[^/]+)(\/.*)?$/i.exec(link);
  return m ? [m[1], ...(m[2] ? [m[2]] : [])] : [link];
}

export function OptionsFields({ opts, setOpts, deck, showCategories }: { opts: Opts; setOpts: (o: Opts) => void; deck: Deck | null; showCategories: boolean }) {
  const { t, lang } = useLang();
  const cats = opts.categories ?? [];
  const check = (key: 'anonymous' | 'auto_reveal' | 'facilitator_plays', label: string) => (
    <label class="check">
      <input type="checkbox" checked={Boolean(opts[key])} onChange={(e) => setOpts({ ...opts, [key]: (e.target as HTMLInputElement).checked })} />
      <span>{label}</span>
    </label>
  );
  return (
    <>
      <fieldset>
        <legend>{t('opts.mode')}</legend>
        {(['hands', 'deck'] as const).map((m) => (
          <label class="check">
            <input type="radio" name="mode" value={m} checked={(opts.mode ?? 'hands') === m} onChange={() => setOpts({ ...opts, mode: m })} />
            <span>{t(m === 'hands' ? 'opts.mode.hands' : 'opts.mode.deck')}</span>
          </label>
        ))}
      </fieldset>
      {(opts.mode ?? 'hands') === 'hands' && (
        <label class="field">
          <span>{t('opts.hand')}</span>
          <select value={String(opts.hand ?? 3)} onChange={(e) => setOpts({ ...opts, hand: Number((e.target as HTMLSelectElement).value) })}>
            {[1, 2, 3, 4, 5, 6, 7].map((n) => <option value={n}>{n}</option>)}
          </select>
        </label>
      )}
      {check('anonymous', t('opts.anonymous'))}
      {check('auto_reveal', t('opts.auto_reveal'))}
      {check('facilitator_plays', t('opts.facilitator_plays'))}
      {showCategories && deck && (
        <fieldset>
          <legend>{t('opts.categories')}</legend>
          <label class="check">
            <input type="checkbox" checked={cats.length === 0} onChange={() => setOpts({ ...opts, categories: [] })} />
            <span>{t('opts.categories.all')}</span>
          </label>
          {deck.categories.map((c) => (
            <label class="check">
              <input type="checkbox" checked={cats.includes(c.id)} onChange={(e) => {
                const on = (e.target as HTMLInputElement).checked;
                setOpts({ ...opts, categories: on ? [...cats, c.id] : cats.filter((x) => x !== c.id) });
              }} />
              <span class="swatch" style={{ backgroundColor: c.color }} aria-hidden="true" />
              <span>{deckText(c.title, lang)}</span>
            </label>
          ))}
        </fieldset>
      )}
      {showCategories && deck?.format === 2 && <FormatTwoFields opts={opts} setOpts={setOpts} deck={deck} />}
    </>
  );
}

/** The round options of a format 2 deck (SPEC.md §3): card kinds, audience, openers first and closers last. */
export function FormatTwoFields({ opts, setOpts, deck }: { opts: Opts; setOpts: (o: Opts) => void; deck: Deck }) {
  const { t, lang } = useLang();
  const kinds = opts.kinds ?? [];
  const present = CARD_KINDS.filter((k) => deck.cards.some((c) => (c.kind ?? 'topic') === k));
  return (
    <>
      {present.length > 1 && (
        <fieldset>
          <legend>{t('opts.kinds')}</legend>
          <label class="check">
            <input type="checkbox" checked={kinds.length === 0} onChange={() => setOpts({ ...opts, kinds: [] })} />
            <span>{t('opts.kinds.all')}</span>
          </label>
          {present.map((k) => (
            <label class="check">
              <input type="checkbox" checked={kinds.includes(k)} onChange={(e) => {
                const on = (e.target as HTMLInputElement).checked;
                setOpts({ ...opts, kinds: on ? [...kinds, k] : kinds.filter((x) => x !== k) });
              }} />
              <span>{t(`card.kind.${k}` as 'card.kind.topic')}</span>
            </label>
          ))}
        </fieldset>
      )}
      {deck.audiences && deck.audiences.length > 0 && (
        <label class="field">
          <span>{t('opts.audience')}</span>
          <select name="audience" value={opts.audience ?? ''} onChange={(e) => setOpts({ ...opts, audience: (e.target as HTMLSelectElement).value })}>
            <option value="">{t('opts.audience.all')}</option>
            {deck.audiences.map((a) => <option value={a.id}>{deckText(a.title, lang)}</option>)}
          </select>
        </label>
      )}
      {present.includes('opener') || present.includes('closer') ? (
        <label class="check">
          <input type="checkbox" name="bookends" checked={Boolean(opts.bookends)} onChange={(e) => setOpts({ ...opts, bookends: (e.target as HTMLInputElement).checked })} />
          <span>{t('opts.bookends')}</span>
        </label>
      ) : null}
    </>
  );
}

function StartForm({ view, deck, again, onStart }: { view: View; deck: Deck | null; again: boolean; onStart: (o: Opts) => Promise<boolean> }) {
  const { t, lang } = useLang();
  const [opts, setOpts] = useState<Opts>({ ...view.opts, categories: view.opts.categories ?? [] });
  // The options were asked when the session was created: here they are shown, and can be changed.
  return (
    <form class="start-form" onSubmit={(e) => {
      e.preventDefault();
      void onStart(fitRoundOpts(opts, deck, view.opts));
    }}>
      <button type="submit" class="primary-big">{again ? t('fac.start.again') : t('fac.start')}</button>
      <p class="opts-summary">{optsSummary(t, opts)}</p>
      {deck?.format === 2 && <p class="opts-summary">{t('opts.cards', { what: cardChoiceText(t, lang, opts, deck) })}</p>}
      <details class="options">
        <summary>{t('fac.opts.change')}</summary>
        <OptionsFields opts={opts} setOpts={setOpts} deck={deck} showCategories />
      </details>
    </form>
  );
}

/** The round's options in one line. */
function optsSummary(t: ReturnType<typeof useT>, o: Opts): string {
  const parts = [
    o.mode === 'deck' ? t('fac.opts.deck') : t('fac.opts.hands', { n: o.hand ?? 3 }),
    o.anonymous ? t('fac.opts.anonymous') : t('fac.opts.named'),
    o.auto_reveal ? t('fac.opts.auto') : t('fac.opts.manual'),
  ];
  if (o.facilitator_plays) parts.push(t('fac.opts.plays'));
  return parts.join(' · ');
}

function SeatForm({ onSeat }: { onSeat: (name: string) => Promise<boolean> }) {
  const t = useT();
  const [name, setName] = useState('');
  return (
    <form class="seat-form" onSubmit={async (e) => {
      e.preventDefault();
      if (name.trim() && (await onSeat(name.trim()))) setName('');
    }}>
      <label class="field">
        <span>{t('fac.seat')}</span>
        <input value={name} maxLength={40} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      </label>
      <button type="submit" class="secondary" disabled={!name.trim()}>{t('fac.seat.button')}</button>
    </form>
  );
}

function CloseForm({ onClose }: { onClose: (text: string, actions: string[]) => Promise<boolean> }) {
  const t = useT();
  const [text, setText] = useState('');
  const [actions, setActions] = useState('');
  const list = actions.split('\n').map((a) => a.trim()).filter(Boolean);
  const ok = text.length <= CLOSE_TEXT_MAX && list.length <= CLOSE_ACTIONS_MAX && list.every((a) => a.length <= CLOSE_ACTION_MAX);
  return (
    <details class="close-box">
      <summary>{t('fac.close')}</summary>
      <form onSubmit={(e) => {
        e.preventDefault();
        if (ok) void onClose(text.trim(), list);
      }}>
        <label class="field">
          <span>{t('fac.close.text')}</span>
          <textarea rows={4} maxLength={CLOSE_TEXT_MAX} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
        </label>
        <label class="field">
          <span>{t('fac.close.actions')}</span>
          <textarea rows={3} value={actions} onInput={(e) => setActions((e.target as HTMLTextAreaElement).value)} />
        </label>
        <button type="submit" disabled={!ok}>{t('fac.close.button')}</button>
      </form>
    </details>
  );
}

/** Puts a printed card on the table by the number printed on it (for a group playing with paper cards). */
function CodeDraw({ disabled, count, onDraw }: { disabled: boolean; count: number; onDraw: (index: number) => void }) {
  const t = useT();
  const [code, setCode] = useState('');
  const index = cardIndexOfCode(code, count);
  return (
    <form class="code-draw" onSubmit={(e) => {
      e.preventDefault();
      if (index < 0) return;
      onDraw(index);
      setCode('');
    }}>
      <label>
        <span>{t('fac.code_draw')}</span>
        <input inputMode="numeric" size={4} maxLength={4} value={code} onInput={(e) => setCode((e.target as HTMLInputElement).value)} />
      </label>
      <button type="submit" class="secondary" disabled={disabled || index < 0}>{t('fac.code_draw_button')}</button>
    </form>
  );
}
