// default-deck.test.mjs - the default card set keeps the conventions of a good card (decks/README.md, "Writing a deck").
// It reads the JSON file itself, not the server's parser: these are rules of content, which the validator does not check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const deck = JSON.parse(readFileSync(new URL('../../decks/verrijkte-leeromgevingen.json', import.meta.url), 'utf8'));
const LANGS = ['nl', 'en'];

/** A title fits one line of a card at 1080p and on a 390 px phone. */
const TITLE_MAX = 40;
/** A prompt can be read aloud in one breath. */
const PROMPT_MAX = 140;
/** An anchor sits on one line beside its end of the scale on the 1080p screen (half a card wide). */
const ANCHOR_MAX = 45;
/** Follow-ups per card: enough to keep a conversation going, few enough to glance at. */
const FOLLOWUPS_MIN = 1;
const FOLLOWUPS_MAX = 3;
/** An explainer is a few plain sentences, not a paragraph of theory. */
const EXPLAINER_SENTENCES_MIN = 2;
const EXPLAINER_SENTENCES_MAX = 3;
/** The v1 text rule every text of a deck obeys (DECK_TEXT_MAX in server/game/deck.h). */
const TEXT_BYTES_MAX = 500;
/** WCAG AA for normal text: white on the colour. */
const CONTRAST_MIN = 4.5;

/** Words that open a question answered by yes or no: a closed question ends the conversation. */
const YES_NO_OPENERS = {
  nl: ['is', 'zijn', 'ben', 'bent', 'heeft', 'hebben', 'hebt', 'kan', 'kunnen', 'kun', 'wordt', 'worden', 'weet', 'weten',
    'doet', 'doen', 'zal', 'zullen', 'zou', 'zouden', 'moet', 'moeten', 'mag', 'mogen', 'wil', 'willen', 'krijgt', 'krijgen',
    'staat', 'staan', 'sluit', 'sluiten', 'kent', 'kennen', 'kijkt', 'kijken', 'werkt', 'werken', 'voelt', 'voelen',
    'durft', 'durven', 'gaat', 'gaan', 'past', 'passen', 'vindt', 'vinden', 'leert', 'leren', 'komt', 'komen'],
  en: ['is', 'are', 'am', 'was', 'were', 'do', 'does', 'did', 'can', 'could', 'have', 'has', 'had', 'will', 'would',
    'should', 'shall', 'may', 'might', 'must'],
};
/** Words that lead the answer ("is it *really*…?"). */
const LEADING = { nl: /\becht(e|er)?\b/i, en: /\breal(ly)?\b/i };
/** The "X, and Y?" shape: a second question hooked onto the first. */
const SECOND_QUESTION = { nl: /, en /, en: /, and / };

const chars = (s) => [...s].length;
const bytes = (s) => Buffer.byteLength(s, 'utf8');
const firstWord = (s) => s.trim().split(/[\s,:;]+/)[0].toLowerCase();
/** The sentence that asks: a prompt may open with one plain sentence before its question. */
const questionOf = (s) => s.slice(s.search(/[^.!?]*\?$/)).trim();
const sentences = (s) => s.split(/(?<=[.!?])\s+/).filter((x) => x.trim() !== '');

/** Every text of the deck, with a path for messages. */
function* texts() {
  const t = (path, text) => LANGS.map((l) => [`${path}.${l}`, text?.[l]]);
  yield* t('title', deck.title);
  yield* t('question', deck.question);
  for (const l of LANGS) for (const [i, s] of deck.scale.labels[l].entries()) yield [`scale.labels.${l}[${i}]`, s];
  for (const [i, a] of deck.audiences.entries()) yield* t(`audiences[${i}].title`, a.title);
  for (const [i, w] of deck.windows.entries()) {
    yield* t(`windows[${i}].title`, w.title);
    yield* t(`windows[${i}].explainer`, w.explainer);
  }
  for (const [i, k] of deck.categories.entries()) {
    yield* t(`categories[${i}].title`, k.title);
    yield* t(`categories[${i}].explainer`, k.explainer);
  }
  for (const c of deck.cards) {
    yield* t(`${c.id}.title`, c.title);
    yield* t(`${c.id}.prompt`, c.prompt);
    yield* t(`${c.id}.anchor.low`, c.anchor?.low);
    yield* t(`${c.id}.anchor.high`, c.anchor?.high);
    for (const [i, f] of (c.followups ?? []).entries()) yield* t(`${c.id}.followups[${i}]`, f);
  }
}

/** WCAG 2 contrast of white text on a #rrggbb colour. */
function contrastWithWhite(hex) {
  const lin = (c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const [r, g, b] = [1, 3, 5].map((i) => lin(parseInt(hex.slice(i, i + 2), 16) / 255));
  return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05);
}

test('the deck is format 2 and asks one vote question across the deck', () => {
  assert.equal(Object.keys(deck)[0], 'format', 'format is the first key, so a reader knows the version before the rest');
  assert.equal(deck.format, 2);
  for (const l of LANGS) {
    assert.equal(deck.question[l].split('?').length - 1, 1, `question.${l} asks one thing`);
    assert.ok(deck.question[l].endsWith('?'), `question.${l} is a question`);
  }
});

test('every text is in both languages, 1..500 bytes, without control characters', () => {
  for (const [path, s] of texts()) {
    assert.equal(typeof s, 'string', `${path} is missing`);
    assert.ok(s.trim() !== '' && bytes(s) <= TEXT_BYTES_MAX, `${path}: ${bytes(s)} bytes`);
    assert.doesNotMatch(s, /[\u0000-\u001f\u007f]/, `${path} has a control character`);
  }
});

test('ids are unique and every reference points at something the deck defines', () => {
  const unique = (what, ids) => assert.equal(new Set(ids).size, ids.length, `duplicate ${what} id`);
  unique('card', deck.cards.map((c) => c.id));
  unique('category', deck.categories.map((k) => k.id));
  unique('window', deck.windows.map((w) => w.id));
  unique('audience', deck.audiences.map((a) => a.id));
  const categories = new Set(deck.categories.map((k) => k.id));
  const audiences = new Set(deck.audiences.map((a) => a.id));
  for (const c of deck.cards) {
    assert.ok(categories.has(c.category), `${c.id}: unknown category ${c.category}`);
    for (const a of c.audience ?? []) assert.ok(audiences.has(a), `${c.id}: unknown audience ${a}`);
  }
  for (const k of deck.categories) assert.ok(deck.cards.some((c) => c.category === k.id), `category ${k.id} has no cards`);
  for (const a of deck.audiences) assert.ok(deck.cards.some((c) => !c.audience || c.audience.includes(a.id)), `audience ${a.id} has no cards`);
});

test(`every card has an anchor of at most ${ANCHOR_MAX} characters a side that says what the lowest and the highest vote mean for it`, () => {
  const { min, max } = deck.scale;
  for (const c of deck.cards) {
    assert.ok(c.anchor, `${c.id} has no anchor`);
    for (const l of LANGS) {
      assert.ok(c.anchor.low[l].startsWith(`${min} = `), `${c.id}: anchor.low.${l} starts with "${min} = "`);
      assert.ok(c.anchor.high[l].startsWith(`${max} = `), `${c.id}: anchor.high.${l} starts with "${max} = "`);
      for (const end of ['low', 'high']) {
        const n = chars(c.anchor[end][l]);
        assert.ok(n <= ANCHOR_MAX, `${c.id}: anchor.${end}.${l} is ${n} characters`);
      }
    }
  }
});

test(`every card has ${FOLLOWUPS_MIN} to ${FOLLOWUPS_MAX} follow-up questions for the facilitator`, () => {
  for (const c of deck.cards) {
    const n = c.followups?.length ?? 0;
    assert.ok(n >= FOLLOWUPS_MIN && n <= FOLLOWUPS_MAX, `${c.id} has ${n} follow-ups`);
  }
});

test('every card has a kind; the deck has an opener, a story and a closer', () => {
  const KINDS = ['opener', 'topic', 'story', 'closer'];
  for (const c of deck.cards) assert.ok(KINDS.includes(c.kind), `${c.id}: kind ${c.kind}`);
  for (const k of ['opener', 'story', 'closer']) assert.ok(deck.cards.some((c) => c.kind === k), `no ${k} card`);
});

test(`every title is at most ${TITLE_MAX} characters and every prompt at most ${PROMPT_MAX}`, () => {
  for (const c of deck.cards) {
    for (const l of LANGS) {
      assert.ok(chars(c.title[l]) <= TITLE_MAX, `${c.id}: title.${l} is ${chars(c.title[l])} characters`);
      assert.ok(chars(c.prompt[l]) <= PROMPT_MAX, `${c.id}: prompt.${l} is ${chars(c.prompt[l])} characters`);
    }
  }
});

test('every prompt asks one open question: one question mark, at the end, not opened by a yes/no verb, no "X, and Y?"', () => {
  for (const c of deck.cards) {
    for (const l of LANGS) {
      const p = c.prompt[l];
      assert.equal(p.split('?').length - 1, 1, `${c.id}: prompt.${l} has more than one question mark: ${p}`);
      assert.ok(p.endsWith('?'), `${c.id}: prompt.${l} does not end in its question: ${p}`);
      for (const s of [p, questionOf(p)]) {
        assert.ok(!YES_NO_OPENERS[l].includes(firstWord(s)), `${c.id}: prompt.${l} opens a yes/no question: ${s}`);
      }
      assert.doesNotMatch(questionOf(p), SECOND_QUESTION[l], `${c.id}: prompt.${l} hooks a second question on: ${p}`);
    }
  }
});

test('a story card asks for a moment from the group\'s own experience', () => {
  const OPENING = { nl: /^Vertel over een (moment|keer) /, en: /^Tell about a (moment|time) / };
  for (const c of deck.cards.filter((x) => x.kind === 'story')) {
    for (const l of LANGS) assert.match(c.prompt[l], OPENING[l], `${c.id}: prompt.${l}`);
  }
});

test('no prompt leads the answer with "echt" or "really"', () => {
  for (const c of deck.cards) {
    for (const l of LANGS) assert.doesNotMatch(c.prompt[l], LEADING[l], `${c.id}: prompt.${l}: ${c.prompt[l]}`);
  }
});

test(`every category and every window has an explainer of ${EXPLAINER_SENTENCES_MIN} to ${EXPLAINER_SENTENCES_MAX} sentences`, () => {
  for (const [what, list] of [['category', deck.categories], ['window', deck.windows]]) {
    for (const x of list) {
      assert.ok(x.explainer, `${what} ${x.id} has no explainer`);
      for (const l of LANGS) {
        const n = sentences(x.explainer[l]).length;
        assert.ok(n >= EXPLAINER_SENTENCES_MIN && n <= EXPLAINER_SENTENCES_MAX, `${what} ${x.id}: explainer.${l} has ${n} sentences`);
      }
    }
  }
});

test('the four windows are the citizen, the organisation, the (future) professional, and governance and policy', () => {
  assert.deepEqual(deck.windows.map((w) => w.id), ['burger', 'organisatie', 'professional', 'bestuur-beleid']);
  const colors = deck.windows.map((w) => w.color.toLowerCase());
  assert.equal(new Set(colors).size, colors.length, 'each window has its own colour');
});

test(`every category and window colour has a contrast of at least ${CONTRAST_MIN}:1 with white text`, () => {
  for (const x of [...deck.categories, ...deck.windows]) {
    assert.match(x.color, /^#[0-9a-fA-F]{6}$/, `${x.id}: color ${x.color}`);
    const c = contrastWithWhite(x.color);
    assert.ok(c >= CONTRAST_MIN, `${x.id}: ${x.color} has contrast ${c.toFixed(2)} with white`);
  }
});
