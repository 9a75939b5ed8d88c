// The table: the card in play, voting, the revealed distribution and the card's notes (player, facilitator and screen).
import type { ComponentChildren } from 'preact';
import { useLang } from '../i18n';
import type { Deck, View } from '../state/types';
import { CardFace, ScaleGuide, deckText } from './parts/cards';
import { Histogram, VoteButtons, scaleLabels } from './parts/votes';
import { memberName } from './parts/people';
import { NoteForm, NotesList } from './parts/notes';
import { ChairBanner, WindowFiguresView } from './parts/windows';

export interface TableProps {
  view: View;
  deck: Deck | null;
  me: number;
  canVote: boolean;
  onVote?: (value: number | null) => void;
  canNote: boolean;
  onNote?: (text: string) => Promise<boolean>;
  onHide?: (note: number) => void;
  big?: boolean;
  children?: ComponentChildren;
}

export function TableArea({ view, deck, canVote, onVote, canNote, onNote, onHide, big, children }: TableProps) {
  const { t, lang } = useLang();
  const table = view.table;
  if (!table) {
    return (
      <section class="table table-empty" aria-label={t('room.table.empty')}>
        <p class="muted">{t('room.table.empty')}</p>
        {children}
      </section>
    );
  }
  const mine = table.my_vote;
  const mineLabel = mine === undefined ? null : mine === null ? t('vote.mine.pass')
    : t('vote.mine', { label: `${mine} · ${scaleLabels(deck, lang).find((s) => s.value === mine)?.label ?? ''}` });
  return (
    <section class="table" aria-labelledby="table-card">
      <div id="table-card">
        <CardFace deck={deck} card={table.card} size={big ? 'big' : 'normal'}>
          <p class="card-by">{table.by === null ? t('room.table.drawn') : t('room.table.by', { name: memberName(view, table.by) })}</p>
        </CardFace>
      </div>
      <ChairBanner deck={deck} chair={table.chair} big={big} />
      {children}
      {table.stage === 'discuss' && <VotedLine view={view} />}
      {!(table.stage === 'discuss' && canVote && onVote) && <ScaleGuide deck={deck} card={table.card} big={big} />}
      {table.stage === 'discuss' && canVote && onVote && (
        <div class="voting">
          <h3 id="vote-q">{deck?.question ? deckText(deck.question, lang) : t('vote.title')}</h3>
          <ScaleGuide deck={deck} card={table.card} question={false} />
          <VoteButtons deck={deck} mine={mine} disabled={false} onVote={onVote} label={deck?.question ? deckText(deck.question, lang) : t('vote.title')} />
          <p class="muted" aria-live="polite">{mineLabel ?? t('vote.none')}</p>
        </div>
      )}
      {table.stage === 'revealed' && table.revealed && (
        <div class="revealed">
          <h3>{t('vote.revealed')}</h3>
          <div class="revealed-figures">
            <Histogram stats={table.revealed.stats} deck={deck} votes={table.revealed.votes} view={view} big={big} />
            <WindowFiguresView deck={deck} figures={table.revealed.windows} overall={table.revealed.stats} anonymous={Boolean(view.opts.anonymous)} big={big} />
          </div>
        </div>
      )}
      <div class="table-notes">
        <h3>{t('notes.title')}</h3>
        <NotesList notes={table.notes ?? []} view={view} onHide={onHide} />
        {canNote && onNote && <NoteForm onSend={onNote} />}
      </div>
    </section>
  );
}

/** Who has voted on the table card and who not yet — never what. */
export function VotedLine({ view }: { view: View }) {
  const { t } = useLang();
  const voters = view.players.filter((p) => p.present && (p.role === 'player' || (p.role === 'facilitator' && view.opts.facilitator_plays)));
  const done = voters.filter((p) => p.voted);
  const waiting = voters.filter((p) => !p.voted);
  return (
    <div class="voted-line" aria-live="polite">
      <p><strong>{t('vote.who')} ({done.length}/{voters.length}):</strong> {done.map((p) => p.name).join(', ') || '–'}</p>
      {waiting.length > 0 && <p class="muted">{t('vote.waiting')}: {waiting.map((p) => p.name).join(', ')}</p>}
    </div>
  );
}
