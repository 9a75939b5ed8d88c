// Pieces the presenter's states share: who counts, whose turn, the voted tokens, the agreement mark, a small distribution, the latecomers' corner.
import { useLang, useT } from '../../i18n';
import type { Agreement, Member, Stats, View } from '../../state/types';
import { QrCode, useJoin } from '../parts/join';
import { memberName } from '../parts/people';

/** The room code as a person reads it aloud: 3 + 3 characters. */
export function spacedCode(code: string): string {
  return `${code.slice(0, 3)} ${code.slice(3)}`;
}

/** The people who take part: players (seated ones too), never the facilitator or a screen. */
export function participants(view: View): Member[] {
  return view.players.filter((p) => p.present && p.role === 'player');
}

/** Who may vote on the table card: the participants, and the facilitator when they play. */
export function voters(view: View): Member[] {
  return view.players.filter((p) => p.present && (p.role === 'player' || (p.role === 'facilitator' && Boolean(view.opts.facilitator_plays))));
}

/** A banner with whose turn it is, or who brings the next card. */
export function TurnBanner({ view }: { view: View }) {
  const t = useT();
  const text = view.opts.mode === 'deck' ? t('screen.draw')
    : view.turn === null ? t('room.turn.none') : t('screen.turn', { name: memberName(view, view.turn) });
  return <p class="stage-banner" role="status">{text}</p>;
}

/** Above this many voters a token is a square without a name, and the waiting few are named below. */
const TOKENS_WITH_NAMES = 40;
/** The waiting are named when this few are left. */
const WAITING_NAMED = 5;

/** Who has voted, as a row of tokens: never what. */
export function VotedTokens({ view }: { view: View }) {
  const t = useT();
  const all = voters(view);
  const done = all.filter((p) => p.voted).length;
  const waiting = all.filter((p) => !p.voted);
  const named = all.length <= TOKENS_WITH_NAMES;
  const size = all.length <= 12 ? 'l' : all.length <= 24 ? 'm' : 's';
  return (
    <div class="tokens-box">
      <p class="tokens-count" aria-live="polite"><strong>{t('screen.voted', { n: done, m: all.length })}</strong></p>
      <ul class={`tokens tokens-${named ? size : 'dots'}`} aria-label={t('vote.who')}>
        {all.map((p) => (
          <li class={`token ${p.voted ? 'token-voted' : ''} ${!p.online && !p.seated ? 'token-away' : ''}`} title={p.name}>
            {named ? <><span class="token-mark" aria-hidden="true">{p.voted ? '✓' : ''}</span><span class="token-name">{p.name}</span></> : <span class="sr-only">{p.name}</span>}
          </li>
        ))}
      </ul>
      {waiting.length > 0 && waiting.length <= WAITING_NAMED && (
        <p class="tokens-waiting">{t('screen.waiting_for', { names: waiting.map((p) => p.name).join(', ') })}</p>
      )}
    </div>
  );
}

const GLYPH: Record<NonNullable<Agreement>, string> = { consensus: '●', mixed: '◐', polarised: '⇔' };

/** The agreement as a word and a glyph (never colour alone). */
export function AgreementMark({ agreement, class: cls = '' }: { agreement: Agreement; class?: string }) {
  const t = useT();
  const key = agreement ?? 'none';
  return (
    <span class={`agree agree-${key} ${cls}`}>
      {agreement && <span class="agree-glyph" aria-hidden="true">{GLYPH[agreement]}</span>}
      {t(`agreement.${key}` as 'agreement.none')}
    </span>
  );
}

/** A distribution small enough for a row of the board. */
export function MiniHist({ stats }: { stats: Stats }) {
  const top = Math.max(1, ...stats.hist);
  return (
    <span class="mini-hist" aria-hidden="true">
      {stats.hist.map((c) => <span class="mini-bar" style={{ height: `${Math.max(4, (100 * c) / top)}%`, opacity: c ? 1 : 0.25 }} />)}
    </span>
  );
}

/** The corner that lets latecomers in while the room is open. */
export function Latecomers({ view }: { view: View }) {
  const t = useT();
  const join = useJoin(view.room);
  if (view.locked) return null;
  return (
    <div class="latecomers">
      <QrCode text={join.link} label={t('fac.join.qr', { code: view.room })} size={0} />
      <p>{join.host}<br /><strong class="latecomers-code">{spacedCode(view.room)}</strong></p>
    </div>
  );
}

/** A count of votes and passes, in words. */
export function VoteCount({ stats }: { stats: Stats }) {
  const { t } = useLang();
  return (
    <span>
      {stats.n === 1 ? t('vote.count.one') : t('vote.count', { n: stats.n })}
      {stats.pass > 0 && ` · ${stats.pass === 1 ? t('vote.passes.one') : t('vote.passes', { n: stats.pass })}`}
    </span>
  );
}
