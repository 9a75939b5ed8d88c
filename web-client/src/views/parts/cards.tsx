// Cards as a person reads them: the deck of a room, texts and categories from it, the card face.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useLang } from '../../i18n';
import { deckByHash } from '../../net/decks';
import type { Deck, Lang } from '../../state/types';

export function useDeck(hash: string | undefined): Deck | null {
  const [deck, setDeck] = useState<Deck | null>(null);
  useEffect(() => {
    if (!hash) return;
    let live = true;
    deckByHash(hash).then((d) => live && setDeck(d), () => live && setDeck(null));
    return () => {
      live = false;
    };
  }, [hash]);
  return deck;
}

export function deckText(x: { nl: string; en: string } | undefined, lang: Lang): string {
  return x ? x[lang] || x.nl || x.en : '';
}

export function cardOf(deck: Deck | null, id: string) {
  return deck?.cards.find((c) => c.id === id);
}

export function cardTitle(deck: Deck | null, id: string, lang: Lang): string {
  const c = cardOf(deck, id);
  return c ? deckText(c.title, lang) : id;
}

export function categoryOf(deck: Deck | null, id: string | undefined) {
  return deck?.categories.find((c) => c.id === id);
}

/** A card as a person reads it: its topic in the topic's colour (with the topic's explainer behind an (i), when the deck has one), its title and its question. */
export function CardFace({ deck, card, size = 'normal', children }: { deck: Deck | null; card: string; size?: 'small' | 'normal' | 'big'; children?: ComponentChildren }) {
  const { lang, t } = useLang();
  const c = cardOf(deck, card);
  const cat = categoryOf(deck, c?.category);
  // While the deck loads a placeholder stands in: an id means nothing to a person. A card the loaded deck lacks still shows its id.
  const title = c ? deckText(c.title, lang) : deck ? card : t('deck.loading');
  const kind = c?.kind && c.kind !== 'topic' ? t(`card.kind.${c.kind}` as 'card.kind.story') : null;
  return (
    <article class={`card card-${size}`} aria-label={title} aria-busy={deck ? undefined : 'true'}>
      <div class="card-cat" style={{ backgroundColor: cat?.color ?? '#37474f' }}>
        <span>{cat ? deckText(cat.title, lang) : ''}{kind && <span class="card-kind"> · {kind}</span>}</span>
        {cat?.explainer && <Explainer title={deckText(cat.title, lang)} text={deckText(cat.explainer, lang)} />}
      </div>
      <div class="card-body">
        <h3 class="card-title">{title}</h3>
        {size !== 'small' && c && <p class="card-prompt">{deckText(c.prompt, lang)}</p>}
        {children}
      </div>
    </article>
  );
}

/**
 * An (i) that opens a short explanation in place. A <details> works by tap
 * and keyboard on every screen, needs no state, and a screen reader
 * announces it as a disclosure.
 */
export function Explainer({ title, text }: { title: string; text: string }) {
  const { t } = useLang();
  return (
    <details class="explainer">
      <summary aria-label={t('card.explainer', { topic: title })} title={t('card.explainer', { topic: title })}>i</summary>
      <p>{text}</p>
    </details>
  );
}

/**
 * The deck's vote question and what the lowest and highest value mean for
 * this card (format 2), shown with the scale on phones and on the screen.
 */
export function ScaleGuide({ deck, card, big, question = true }: { deck: Deck | null; card: string; big?: boolean; question?: boolean }) {
  const { lang } = useLang();
  const c = cardOf(deck, card);
  const q = question ? deck?.question : undefined;
  if (!deck || (!q && !c?.anchor)) return null;
  return (
    <div class={`scale-guide ${big ? 'scale-guide-big' : ''}`}>
      {q && <p class="scale-question">{deckText(q, lang)}</p>}
      {c?.anchor && (
        <p class="scale-anchor">
          <span class="anchor-low">{deckText(c.anchor.low, lang)}</span>
          <span class="anchor-high">{deckText(c.anchor.high, lang)}</span>
        </p>
      )}
    </div>
  );
}

/** The card's follow-up questions: for the facilitator's console only (SPEC.md §7). */
export function FollowUps({ deck, card }: { deck: Deck | null; card: string }) {
  const { lang, t } = useLang();
  const c = cardOf(deck, card);
  if (!c?.followups || c.followups.length === 0) return null;
  return (
    <section class="followups" aria-labelledby="followups-h">
      <h3 id="followups-h">{t('fac.followups')}</h3>
      <ul>{c.followups.map((f) => <li>{deckText(f, lang)}</li>)}</ul>
    </section>
  );
}
