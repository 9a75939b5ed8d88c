// The start page (#/): join a session by its code, or create one (title, card set, language, rules in plain words).
import { useEffect, useState } from 'preact/hooks';
import { errorText, useLang } from '../i18n';
import { RequestError } from '../net/connection';
import { deckByHash, deckList } from '../net/decks';
import { createRoom, dropConnection } from '../net/session';
import { forgetSession, knownSessions, sessionSettings, type KnownSession } from '../net/sessions';
import { roomDate } from './parts/dates';
import './sessions.css';
import { normaliseRoomCode } from '../state/roomcode';
import type { Deck, DeckListing, Lang, Opts } from '../state/types';
import { LangSwitch } from './parts/layout';
import { deckText } from './parts/cards';
import { FormatTwoFields, OptionsFields } from './Facilitator';
import { cardChoiceText, fitRoundOpts } from './parts/roundopts';

/** Settings a new session starts from ("nieuwe sessie met dezelfde instellingen"). */
type Prefill = Pick<KnownSession, 'title' | 'deck' | 'lang' | 'opts'>;

export function HomePage({ deck }: { deck?: string }) {
  const { t } = useLang();
  const [prefill, setPrefill] = useState<Prefill | null>(null);
  return (
    <div class="home">
      <header class="topbar">
        <div class="topbar-title"><strong>{t('app.name')}</strong></div>
        <div class="topbar-tools"><LangSwitch /></div>
      </header>
      <main class="page">
        <p class="lead">{t('app.tagline')}</p>
        <MySessions onAgain={(p) => {
          setPrefill(p);
          document.getElementById('create-h')?.scrollIntoView();
        }} />
        <JoinBox />
        <CreateBox linked={deck} prefill={prefill} />
      </main>
    </div>
  );
}

function JoinBox() {
  const { t } = useLang();
  const [typed, setTyped] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const check = normaliseRoomCode(typed);
  const explain = (c = check): string | null => {
    if (c.ok) return null;
    if (c.problem === 'confusable') return t('home.code.confusable', { ch: c.bad ?? '' });
    if (c.problem === 'invalid') return t('home.code.invalid', { ch: c.bad ?? '' });
    return t(`home.code.${c.problem}` as 'home.code.empty');
  };
  // While typing, only a wrong character is worth a hint; length is judged on submit.
  const live = !check.ok && (check.problem === 'confusable' || check.problem === 'invalid') ? explain() : null;
  const shown = live ?? problem;
  return (
    <section class="box" aria-labelledby="join-h">
      <h2 id="join-h">{t('home.join.title')}</h2>
      <form onSubmit={(e) => {
        e.preventDefault();
        if (check.ok) location.hash = `#/room/${check.code}`;
        else setProblem(explain());
      }}>
        <label class="field" for="code">
          <span>{t('home.join.code')}</span>
        </label>
        <input id="code" class="code-input" autocomplete="off" autocapitalize="characters" spellcheck={false}
          inputMode="text" maxLength={9} value={typed} aria-describedby="code-hint code-problem" aria-invalid={Boolean(shown)}
          onInput={(e) => { setTyped((e.target as HTMLInputElement).value); setProblem(null); }} />
        <p id="code-hint" class="muted small">{t('home.join.hint')}</p>
        {check.code && <p class="code-preview" aria-hidden="true">{check.code.split('').join(' ')}</p>}
        <p id="code-problem" class="error" role="alert">{shown ?? ''}</p>
        <button type="submit" class="primary-big">{t('home.join.button')}</button>
      </form>
    </section>
  );
}

/** What `create` names a listed deck by: an offered deck's id, a stored one's hash. */
function deckKey(d: DeckListing): string {
  return d.stored ? d.hash : d.id;
}

/** The sessions this device created or joined: reopen, the summary, the same settings again, forget (one click). */
function MySessions({ onAgain }: { onAgain: (p: Prefill) => void }) {
  const { t, lang } = useLang();
  const [list, setList] = useState<KnownSession[]>(() => knownSessions());
  if (list.length === 0) return null;
  return (
    <section class="box my-sessions" aria-labelledby="mine-h">
      <h2 id="mine-h">{t('home.mine.title')}</h2>
      <ul class="mine-list">
        {list.map((s) => {
          const closed = s.phase === 'closed';
          const again = s.role === 'facilitator' ? sessionSettings(s.room) : null;
          return (
            <li class="mine-item">
              <div class="mine-what">
                <strong class="mine-title">{s.title || t('summary.untitled')}</strong>
                <span class="code-chip">{s.room}</span>
                <span class="muted small">
                  {[s.first_seen ? roomDate(s.first_seen, s.tz_offset, lang) : '', t(`home.mine.role.${s.role}`),
                    t(closed ? 'home.mine.closed' : s.phase === 'playing' ? 'home.mine.playing' : 'home.mine.lobby')].filter(Boolean).join(' · ')}
                </span>
              </div>
              <div class="mine-actions">
                <a class="button" href={s.slot === 'screen' ? `#/screen/${s.room}` : `#/room/${s.room}`} aria-label={`${t('home.mine.open')}: ${s.title || s.room}`}>{t('home.mine.open')}</a>
                {s.replay_key && <a href={`#/summary/${s.room}?key=${encodeURIComponent(s.replay_key)}`}>{t('home.mine.summary')}</a>}
                {again && <button type="button" class="link" onClick={() => onAgain(again)}>{t('home.mine.again')}</button>}
                <button type="button" class="link" aria-label={`${t('home.mine.forget')}: ${s.title || s.room}`} onClick={() => {
                  dropConnection(s.room);
                  dropConnection(s.room, 'screen');
                  forgetSession(s.room);
                  setList(knownSessions());
                }}>{t('home.mine.forget')}</button>
              </div>
            </li>
          );
        })}
      </ul>
      <p class="muted small">{t('home.mine.hint')}</p>
    </section>
  );
}

function CreateBox({ linked, prefill }: { linked?: string; prefill: Prefill | null }) {
  const { t, lang } = useLang();
  const [decks, setDecks] = useState<DeckListing[] | null>(null);
  const [deckError, setDeckError] = useState(false);
  const [name, setName] = useState('');
  const [title, setTitle] = useState('');
  const [deck, setDeck] = useState('');
  // The session's language follows the page's until the person picks one.
  const [pickedLang, setRoomLang] = useState<Lang | null>(null);
  const roomLang = pickedLang ?? lang;
  const [opts, setOpts] = useState<Opts>({ mode: 'hands', hand: 3, anonymous: false, auto_reveal: true, facilitator_plays: false });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!prefill) return;
    setTitle(prefill.title);
    if (prefill.deck) setDeck(prefill.deck);
    setRoomLang(prefill.lang);
    setOpts((o) => ({ ...o, ...prefill.opts }));
  }, [prefill]);

  useEffect(() => {
    Promise.all([deckList(), linked ? deckByHash(linked).then((d) => d, () => null) : Promise.resolve(null)]).then(([list, own]) => {
      // A set from an unlisted link (#/?deck=HASH) comes first and is chosen.
      const mine: DeckListing[] = own && !list.some((d) => d.hash === linked)
        ? [{ id: own.id, version: own.version, hash: linked!, stored: true, title: own.title, cards: own.cards.length, categories: own.categories }]
        : [];
      const all = [...mine, ...list];
      setDecks(all);
      const chosen = all.find((d) => d.hash === linked) ?? all[0];
      // A deck chosen already (the same settings as an earlier session) stays.
      if (chosen) setDeck((cur) => (linked || !cur ? deckKey(chosen) : cur));
    }, () => setDeckError(true));
  }, [linked]);
  const chosenListing = decks?.find((d) => deckKey(d) === deck);
  const full = useChosenDeck(chosenListing?.hash);

  return (
    <section class="box" aria-labelledby="create-h">
      <h2 id="create-h">{t('home.create.title')}</h2>
      <form onSubmit={async (e) => {
        e.preventDefault();
        if (!name.trim() || !deck) return;
        setBusy(true);
        setError(null);
        try {
          const send = fitRoundOpts(opts, full);
          const code = await createRoom({ name: name.trim(), title: title.trim(), deck, lang: roomLang, opts: send });
          location.hash = `#/room/${code}`;
        } catch (err) {
          setError(errorText(t, err instanceof RequestError ? err.code : 'unknown'));
        } finally {
          setBusy(false);
        }
      }}>
        <label class="field">
          <span>{t('home.create.name')}</span>
          <input autocomplete="nickname" maxLength={40} required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </label>
        <label class="field">
          <span>{t('home.create.session_title')}</span>
          <input maxLength={120} value={title} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
        </label>
        <label class="field">
          <span>{t('home.create.deck')}</span>
          {decks === null && !deckError && <span class="muted">{t('home.create.deck_loading')}</span>}
          {deckError && <span class="error">{t('home.create.deck_error')}</span>}
          {decks && (
            <select value={deck} onChange={(e) => setDeck((e.target as HTMLSelectElement).value)}>
              {decks.map((d) => <option value={deckKey(d)}>{deckText(d.title, lang)} ({t('home.create.deck_cards', { n: d.cards })})</option>)}
            </select>
          )}
        </label>
        {chosenListing && (
          <p class="deck-links small">
            <a href={`#/print/${chosenListing.hash}`}>{t('home.deck.print')}</a>
            {' · '}
            <a href={`#/editor?from=${chosenListing.hash}`}>{t('home.deck.copy')}</a>
            {' · '}
            <a href="#/editor">{t('home.deck.new')}</a>
          </p>
        )}
        <fieldset>
          <legend>{t('home.create.lang')}</legend>
          {(['nl', 'en'] as const).map((l) => (
            <label class="check">
              <input type="radio" name="room-lang" value={l} checked={roomLang === l} onChange={() => setRoomLang(l)} />
              <span lang={l}>{t(`lang.${l}`)}</span>
            </label>
          ))}
        </fieldset>
        {/* Asked once, here, in the open (auto-reveal too); the lobby shows them and can change them. Topics are chosen when a round starts, where the whole deck is known. */}
        <fieldset class="options">
          <legend>{t('home.create.options')}</legend>
          <p class="muted small">{t('home.create.options_later')}</p>
          <OptionsFields opts={opts} setOpts={setOpts} deck={null} showCategories={false} />
          {full?.format === 2 && <CardChoice opts={opts} setOpts={setOpts} deck={full} />}
        </fieldset>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary-big" disabled={busy || !name.trim() || !deck}>{busy ? t('home.create.busy') : t('home.create.button')}</button>
      </form>
    </section>
  );
}


/** The chosen deck in full, for the options only a format 2 deck has; null while it loads (never the deck chosen before). */
function useChosenDeck(hash: string | undefined): Deck | null {
  const [got, setGot] = useState<{ hash: string; deck: Deck } | null>(null);
  useEffect(() => {
    if (!hash) return;
    let live = true;
    deckByHash(hash).then((d) => live && setGot({ hash, deck: d }), () => undefined);
    return () => {
      live = false;
    };
  }, [hash]);
  return got && got.hash === hash ? got.deck : null;
}

/**
 * Which cards a round of a format 2 deck takes (kinds, audience, openers
 * first): the same fields as the console's "Spelregels wijzigen", folded
 * under a line that says what is chosen, since most sessions keep them.
 */
function CardChoice({ opts, setOpts, deck }: { opts: Opts; setOpts: (o: Opts) => void; deck: Deck }) {
  const { t, lang } = useLang();
  const shown = fitRoundOpts(opts, deck);
  return (
    <details class="card-choice">
      <summary>{t('opts.cards', { what: cardChoiceText(t, lang, shown, deck) })}</summary>
      <FormatTwoFields opts={shown} setOpts={setOpts} deck={deck} />
    </details>
  );
}
