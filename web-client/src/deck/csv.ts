// Card sets as a spreadsheet: one card per row, written with semicolons (what Dutch Excel and LibreOffice open in columns), read with semicolons, commas or tabs.
import { newCard, newCategory, type EditCard, type EditCategory, type EditDeck, type Text2, CARD_KINDS, TEXT_MAX, CARDS_MAX, CATEGORIES_MAX, FOLLOWUPS_MAX } from './edit';

/** The columns, in order. Follow-ups share one cell, separated by " | ". */
export const COLUMNS = [
  'categorie_nl', 'categorie_en', 'kleur', 'titel_nl', 'titel_en', 'vraag_nl', 'vraag_en',
  'anker_laag_nl', 'anker_laag_en', 'anker_hoog_nl', 'anker_hoog_en', 'vervolgvragen_nl', 'vervolgvragen_en', 'soort',
] as const;
type Column = typeof COLUMNS[number];
const REQUIRED: Column[] = ['categorie_nl', 'titel_nl', 'vraag_nl'];
const FOLLOWUP_SEP = ' | ';

/** A cell a spreadsheet would run as a formula gets a leading apostrophe (which the import takes off again). */
function cell(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[";\n\r,]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The cards as CSV: a UTF-8 byte order mark (so Excel reads the accents), a header row, one row per card, CRLF line ends. */
export function toCsv(d: EditDeck): string {
  const cats = new Map(d.categories.map((c) => [c.key, c]));
  const rows = [COLUMNS.join(';')];
  for (const c of d.cards) {
    const cat = cats.get(c.category);
    const values: Record<Column, string> = {
      categorie_nl: cat?.title.nl ?? '', categorie_en: cat?.title.en ?? '', kleur: cat?.color ?? '',
      titel_nl: c.title.nl, titel_en: c.title.en, vraag_nl: c.prompt.nl, vraag_en: c.prompt.en,
      anker_laag_nl: c.anchorLow.nl, anker_laag_en: c.anchorLow.en, anker_hoog_nl: c.anchorHigh.nl, anker_hoog_en: c.anchorHigh.en,
      vervolgvragen_nl: c.followups.map((f) => f.nl).join(FOLLOWUP_SEP), vervolgvragen_en: c.followups.map((f) => f.en).join(FOLLOWUP_SEP),
      soort: c.kind,
    };
    rows.push(COLUMNS.map((k) => cell(values[k])).join(';'));
  }
  return `\ufeff${rows.join('\r\n')}\r\n`;
}

/** The delimiter of a CSV text: the one of ; , and tab that occurs most in its first line outside quotes. */
export function sniffDelimiter(text: string): string {
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  let inQuotes = false;
  const count: Record<string, number> = { ';': 0, ',': 0, '\t': 0 };
  for (const ch of first) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && ch in count) count[ch]++;
  }
  const [best, n] = Object.entries(count).sort((a, b) => b[1] - a[1])[0];
  return n > 0 ? best : ';';
}

/** RFC 4180 rows (quotes, doubled quotes, line breaks inside quotes), each with the line it starts on. */
export function parseCsv(text: string, delim: string): { line: number; cells: string[] }[] {
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cur = '';
  let inQuotes = false;
  let line = 1;
  let start = 1;
  const s = text.replace(/^\ufeff/, '');
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (inQuotes) {
      if (ch === '"' && s[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') {
        inQuotes = false;
      } else {
        if (ch === '\n') line++;
        cur += ch;
      }
    } else if (ch === '"' && cur === '') {
      inQuotes = true;
    } else if (ch === delim) {
      cells.push(cur);
      cur = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++;
      cells.push(cur);
      rows.push({ line: start, cells });
      cells = [];
      cur = '';
      line++;
      start = line;
    } else {
      cur += ch;
    }
  }
  if (cur !== '' || cells.length) {
    cells.push(cur);
    rows.push({ line: start, cells });
  }
  return rows.filter((r) => r.cells.some((c) => c.trim() !== ''));
}

/** A problem with one row of the file, as the person sees it in their spreadsheet (the header is row 1). */
export interface RowProblem { row: number; message: string; params?: Record<string, string | number> }

export interface CsvImport {
  categories: EditCategory[];
  cards: EditCard[];
  problems: RowProblem[];
}

const unquoteFormula = (s: string) => (/^'[=+\-@]/.test(s) ? s.slice(1) : s);

/**
 * Reads cards from CSV. Categories come from the rows (the first row of a
 * category gives its colour). A row with a problem is left out and named;
 * the others are read. `problems` keys are strings.ts keys (csv.*).
 */
export function fromCsv(text: string): CsvImport {
  const delim = sniffDelimiter(text);
  const rows = parseCsv(text, delim);
  const problems: RowProblem[] = [];
  const categories: EditCategory[] = [];
  const cards: EditCard[] = [];
  if (rows.length === 0) return { categories, cards, problems: [{ row: 1, message: 'csv.empty' }] };
  const header = rows[0].cells.map((h) => h.trim().toLowerCase());
  const at = new Map<Column, number>();
  for (const k of COLUMNS) {
    const i = header.indexOf(k);
    if (i >= 0) at.set(k, i);
  }
  const missing = REQUIRED.filter((k) => !at.has(k));
  if (missing.length) return { categories, cards, problems: [{ row: 1, message: 'csv.header', params: { columns: missing.join(', ') } }] };
  const byName = new Map<string, EditCategory>();
  for (const r of rows.slice(1)) {
    const row = r.line;
    const get = (k: Column) => unquoteFormula((at.has(k) ? r.cells[at.get(k)!] ?? '' : '').trim());
    const text = (k1: Column, k2: Column): Text2 => ({ nl: get(k1), en: get(k2) || get(k1) });
    const bad = (message: string, params?: Record<string, string | number>) => problems.push({ row, message, params });
    if (r.cells.length > header.length) {
      bad('csv.too_many_cells', { n: r.cells.length, m: header.length });
      continue;
    }
    const empty = REQUIRED.find((k) => get(k) === '');
    if (empty) {
      bad('csv.missing', { column: empty });
      continue;
    }
    const long = COLUMNS.find((k) => get(k).length > TEXT_MAX);
    if (long) {
      bad('csv.too_long', { column: long, max: TEXT_MAX });
      continue;
    }
    const kind = get('soort').toLowerCase();
    if (!CARD_KINDS.includes(kind as EditCard['kind'])) {
      bad('csv.kind', { value: get('soort') });
      continue;
    }
    const color = get('kleur').toLowerCase();
    if (color && !/^#[0-9a-f]{6}$/.test(color)) {
      bad('csv.color', { value: get('kleur') });
      continue;
    }
    const followNl = get('vervolgvragen_nl') ? get('vervolgvragen_nl').split('|').map((s) => s.trim()).filter(Boolean) : [];
    const followEn = get('vervolgvragen_en') ? get('vervolgvragen_en').split('|').map((s) => s.trim()).filter(Boolean) : [];
    if (followNl.length > FOLLOWUPS_MAX || followEn.length > FOLLOWUPS_MAX) {
      bad('csv.followups', { max: FOLLOWUPS_MAX });
      continue;
    }
    if (cards.length >= CARDS_MAX) {
      bad('csv.too_many_cards', { max: CARDS_MAX });
      continue;
    }
    const catName = get('categorie_nl');
    let cat = byName.get(catName.toLowerCase());
    if (!cat) {
      if (categories.length >= CATEGORIES_MAX) {
        bad('csv.too_many_categories', { max: CATEGORIES_MAX });
        continue;
      }
      cat = newCategory(categories.length);
      cat.title = text('categorie_nl', 'categorie_en');
      if (color) cat.color = color;
      byName.set(catName.toLowerCase(), cat);
      categories.push(cat);
    }
    const card = newCard(cat.key);
    card.title = text('titel_nl', 'titel_en');
    card.prompt = text('vraag_nl', 'vraag_en');
    card.anchorLow = { nl: get('anker_laag_nl'), en: get('anker_laag_en') || get('anker_laag_nl') };
    card.anchorHigh = { nl: get('anker_hoog_nl'), en: get('anker_hoog_en') || get('anker_hoog_nl') };
    card.followups = followNl.map((nl, i) => ({ nl, en: followEn[i] ?? nl }));
    card.kind = kind as EditCard['kind'];
    cards.push(card);
  }
  return { categories, cards, problems };
}
