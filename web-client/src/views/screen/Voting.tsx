// The presenter while people vote: the card, the question and the scale, who has voted (never what), the countdown.
import { useLang } from '../../i18n';
import type { Deck, View } from '../../state/types';
import { CardFace, ScaleGuide, deckText } from '../parts/cards';
import { ChairBanner } from '../parts/windows';
import { scaleLabels } from '../parts/votes';
import { memberName } from '../parts/people';
import { Countdown } from '../parts/timer';
import { Latecomers, VotedTokens } from './common';

export function Voting({ view, deck, offset }: { view: View; deck: Deck | null; offset: number }) {
  const { t } = useLang();
  const table = view.table!;
  return (
    <main class="stage-voting">
      <VotingCard deck={deck} card={table.card} chair={table.chair}
        by={table.by === null ? t('room.table.drawn') : t('room.table.by', { name: memberName(view, table.by) })} />
      <aside class="voting-side">
        <Countdown endsAt={view.timer} offset={offset} />
        <VotedTokens view={view} />
        <Latecomers view={view} />
      </aside>
    </main>
  );
}

/** The card, the deck's question and the scale as the voting stage shows them (the card set editor's preview shows the same). */
export function VotingCard({ deck, card, by, chair }: { deck: Deck | null; card: string; by: string; chair?: string }) {
  const { t, lang } = useLang();
  // The deck's one vote question (format 2), else the product's own.
  const question = deck?.question ? deckText(deck.question, lang) : t('vote.title');
  return (
    <div class="voting-card">
      <CardFace deck={deck} card={card} size="big">
        <p class="card-by">{by}</p>
      </CardFace>
      <ChairBanner deck={deck} chair={chair} big />
      <p class="voting-question">{question}</p>
      <ol class="scale" aria-label={question}>
        {scaleLabels(deck, lang).map(({ value, label }) => (
          <li class="scale-step"><span class="scale-n">{value}</span><span class="scale-l">{label}</span></li>
        ))}
      </ol>
      <ScaleGuide deck={deck} card={card} big question={false} />
    </div>
  );
}
