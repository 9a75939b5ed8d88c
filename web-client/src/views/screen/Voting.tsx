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
  const { t, lang } = useLang();
  const table = view.table!;
  // The deck's one vote question (format 2), else the product's own.
  const question = deck?.question ? deckText(deck.question, lang) : t('vote.title');
  return (
    <main class="stage-voting">
      <div class="voting-card">
        <CardFace deck={deck} card={table.card} size="big">
          <p class="card-by">{table.by === null ? t('room.table.drawn') : t('room.table.by', { name: memberName(view, table.by) })}</p>
        </CardFace>
        <ChairBanner deck={deck} chair={table.chair} big />
        <p class="voting-question">{question}</p>
        <ol class="scale" aria-label={question}>
          {scaleLabels(deck, lang).map(({ value, label }) => (
            <li class="scale-step"><span class="scale-n">{value}</span><span class="scale-l">{label}</span></li>
          ))}
        </ol>
        <ScaleGuide deck={deck} card={table.card} big question={false} />
      </div>
      <aside class="voting-side">
        <Countdown endsAt={view.timer} offset={offset} />
        <VotedTokens view={view} />
        <Latecomers view={view} />
      </aside>
    </main>
  );
}
