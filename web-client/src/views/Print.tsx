// The print page (#/print/HASH): a card set on A4 through the browser's print to PDF, 9 cards a sheet with cut marks, fronts then mirrored backs for duplex.
import { useEffect, useState } from 'preact/hooks';
import { useLang } from '../i18n';
import { serverInfo, joinBase } from '../net/server';
import { cardCode, cardLink, sheets, COLS, ROWS } from '../deck/print';
import type { Deck } from '../state/types';
import { deckText, useDeck } from './parts/cards';
import { LangSwitch } from './parts/layout';

export function PrintPage({ hash }: { hash: string }) {
  const { t, lang } = useLang();
  const deck = useDeck(hash);
  const [base, setBase] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    serverInfo().then((info) => live && setBase(joinBase(location, info)), () => live && setBase(joinBase(location, null)));
    return () => {
      live = false;
    };
  }, []);
  const qrs = useQrs(deck, base);
  const ready = deck !== null && qrs !== null;
  return (
    <div class="print-page" data-ready={ready ? 'true' : undefined}>
      <header class="print-tools">
        <div class="row-between">
          <h1>{deck ? t('print.title', { deck: deckText(deck.title, lang) }) : t('deck.loading')}</h1>
          <LangSwitch />
        </div>
        <p>{t('print.howto')}</p>
        <p class="muted">{t('print.qr')}</p>
        <p class="row-between">
          <button type="button" disabled={!ready} onClick={() => print()}>{t('print.button')}</button>
          <a href="#/">{t('conn.home')}</a>
        </p>
      </header>
      {deck && qrs && <Sheets deck={deck} qrs={qrs} />}
    </div>
  );
}

/** The QR of every card as SVG markup (qrcode is loaded only on this page); null until all are made. */
function useQrs(deck: Deck | null, base: string | null): string[] | null {
  const [qrs, setQrs] = useState<string[] | null>(null);
  useEffect(() => {
    if (!deck || !base) return;
    let live = true;
    import('qrcode').then((q) => Promise.all(deck.cards.map((c) => q.toString(cardLink(base, c.id), { type: 'svg', margin: 0, errorCorrectionLevel: 'M' }))))
      .then((all) => live && setQrs(all));
    return () => {
      live = false;
    };
  }, [deck, base]);
  return qrs;
}

function Sheets({ deck, qrs }: { deck: Deck; qrs: string[] }) {
  const { lang, t } = useLang();
  return (
    <>
      {sheets(deck.cards.length).map((s, i) => (
        <section class={`sheet sheet-${s.side}`} aria-label={t(s.side === 'front' ? 'print.sheet_front' : 'print.sheet_back', { n: Math.floor(i / 2) + 1 })}>
          <CutMarks />
          <div class="sheet-grid">
            {s.places.map((k) => {
              if (k === null) return <div class="pcard pcard-empty" />;
              const card = deck.cards[k];
              const cat = deck.categories.find((c) => c.id === card.category);
              const color = cat?.color ?? '#37474f';
              const catName = cat ? deckText(cat.title, lang) : '';
              if (s.side === 'back') {
                return (
                  <div class="pcard pcard-back" style={{ backgroundColor: color }}>
                    <p class="pcard-back-cat">{catName}</p>
                    <p class="pcard-back-deck">{deckText(deck.title, lang)}</p>
                  </div>
                );
              }
              return (
                <article class="pcard pcard-front">
                  <div class="pcard-cat" style={{ backgroundColor: color }}>{catName}</div>
                  <h2 class={`pcard-title${longWord(deckText(card.title, lang)) ? ' pcard-title-long' : ''}`}>{deckText(card.title, lang)}</h2>
                  <p class="pcard-prompt">{deckText(card.prompt, lang)}</p>
                  <footer class="pcard-foot">
                    <span class="pcard-code">{t('print.code', { code: cardCode(k) })}</span>
                    {/* SVG made here by qrcode from our own link, never from the deck's text. */}
                    <span class="pcard-qr" dangerouslySetInnerHTML={{ __html: qrs[k] }} />
                  </footer>
                </article>
              );
            })}
          </div>
        </section>
      ))}
    </>
  );
}

/** A word too long for the card's width in the title's type (such as Overheidspraktijken): the title is set a size smaller rather than broken. */
function longWord(title: string): boolean {
  return title.split(/\s+/).some((w) => w.length > 15);
}

/** Marks in the margins along every cutting line: short strokes the cards themselves never cover. */
function CutMarks() {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let c = 0; c <= COLS; c++) xs.push(c);
  for (let r = 0; r <= ROWS; r++) ys.push(r);
  return (
    <div class="cut-marks" aria-hidden="true">
      {xs.map((c) => <><span class={`cut cut-v cut-top cut-x${c}`} /><span class={`cut cut-v cut-bottom cut-x${c}`} /></>)}
      {ys.map((r) => <><span class={`cut cut-h cut-left cut-y${r}`} /><span class={`cut cut-h cut-right cut-y${r}`} /></>)}
    </div>
  );
}
