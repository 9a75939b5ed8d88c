// generate.mjs - writes client.json and server.json, the protocol's shared test vectors (Node >= 20, no dependencies).
//
// Run from anywhere: `node protocol/vectors/generate.mjs`. The output is
// committed; the C tests (tests/unit/test_protocol_vectors.c) and later the
// TypeScript and Node tests read it. Change a rule here and in the decoder
// together.

import { writeFileSync } from 'node:fs';
import { dirname, join as joinPath } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

// ---- a small MessagePack encoder ------------------------------------------
//
// Plain JSON values encode the way @msgpack/msgpack and msgpack-c do by
// default: the smallest int format, float64 for non-integers, str8 for
// 32..255 bytes, keys in insertion order. The wrappers below write bytes that
// JSON cannot describe; a vector that uses any of them gets "json": null.

class Special { }
class Raw extends Special { constructor(hex) { super(); this.bytes = Buffer.from(hex.replace(/\s+/g, ''), 'hex'); } }
class RawStr extends Special { constructor(hex) { super(); this.bytes = Buffer.from(hex.replace(/\s+/g, ''), 'hex'); } }
class F64 extends Special { constructor(x) { super(); this.x = x; } }
class Pairs extends Special { constructor(pairs) { super(); this.pairs = pairs; } }

const raw = (hex) => new Raw(hex);          // bytes in place of one value
const rstr = (hex) => new RawStr(hex);      // a str whose bytes are given (may be invalid UTF-8)
const f64 = (x) => new F64(x);              // a float64, even for an integral value
const pairs = (...kv) => new Pairs(kv);     // a map from [key, value] pairs (duplicates, non-string keys)

function uintBytes(n) {
	n = BigInt(n);
	if (n < 0x80n) return [Number(n)];
	if (n < 0x100n) return [0xcc, Number(n)];
	if (n < 0x10000n) return [0xcd, ...be(n, 2)];
	if (n < 0x100000000n) return [0xce, ...be(n, 4)];
	return [0xcf, ...be(n, 8)];
}

function intBytes(n) {
	n = BigInt(n);
	if (n >= 0n) return uintBytes(n);
	if (n >= -32n) return [Number(n & 0xffn)];
	if (n >= -128n) return [0xd0, Number(n & 0xffn)];
	if (n >= -32768n) return [0xd1, ...be(n & 0xffffn, 2)];
	if (n >= -(2n ** 31n)) return [0xd2, ...be(n & 0xffffffffn, 4)];
	return [0xd3, ...be(BigInt.asUintN(64, n), 8)];
}

function be(n, width) {
	const out = [];
	for (let i = width - 1; i >= 0; i--) out.push(Number((n >> BigInt(8 * i)) & 0xffn));
	return out;
}

function strHeader(len) {
	if (len < 32) return [0xa0 | len];
	if (len < 0x100) return [0xd9, len];
	if (len < 0x10000) return [0xda, ...be(BigInt(len), 2)];
	return [0xdb, ...be(BigInt(len), 4)];
}

function containerHeader(len, fix, h16, h32) {
	if (len < 16) return [fix | len];
	if (len < 0x10000) return [h16, ...be(BigInt(len), 2)];
	return [h32, ...be(BigInt(len), 4)];
}

function encode(v, out = []) {
	if (v === null) out.push(0xc0);
	else if (v === false) out.push(0xc2);
	else if (v === true) out.push(0xc3);
	else if (typeof v === 'bigint') out.push(...intBytes(v));
	else if (typeof v === 'number') {
		if (Number.isInteger(v)) out.push(...intBytes(v));
		else out.push(...f64Bytes(v));
	} else if (typeof v === 'string') {
		const b = Buffer.from(v, 'utf8');
		out.push(...strHeader(b.length), ...b);
	} else if (v instanceof Raw) out.push(...v.bytes);
	else if (v instanceof RawStr) out.push(...strHeader(v.bytes.length), ...v.bytes);
	else if (v instanceof F64) out.push(...f64Bytes(v.x));
	else if (v instanceof Pairs) {
		out.push(...containerHeader(v.pairs.length, 0x80, 0xde, 0xdf));
		for (const [k, val] of v.pairs) { encode(k, out); encode(val, out); }
	} else if (Array.isArray(v)) {
		out.push(...containerHeader(v.length, 0x90, 0xdc, 0xdd));
		for (const x of v) encode(x, out);
	} else if (typeof v === 'object') {
		const keys = Object.keys(v);
		out.push(...containerHeader(keys.length, 0x80, 0xde, 0xdf));
		for (const k of keys) { encode(k, out); encode(v[k], out); }
	} else throw new Error(`cannot encode ${typeof v}`);
	return out;
}

function f64Bytes(x) {
	const b = Buffer.alloc(9);
	b[0] = 0xcb;
	b.writeDoubleBE(x, 1);
	return [...b];
}

const hexOf = (v) => Buffer.from(encode(v)).toString('hex');

// True when JSON can show `v` exactly: no wrapper, no BigInt.
function jsonable(v) {
	if (v instanceof Special || typeof v === 'bigint') return false;
	if (Array.isArray(v)) return v.every(jsonable);
	if (v !== null && typeof v === 'object') return Object.values(v).every(jsonable);
	return true;
}

// ---- expected results ---------------------------------------------------

// Wire names of the fields each type decodes, in the decoder's order.
const FIELDS = {
	create: ['room', 'name', 'deck', 'title', 'lang', 'tz_offset', 'opts'],
	join: ['room', 'name', 'role'],
	resume: ['room', 'token'],
	start: ['opts'],
	play: ['card'],
	draw: ['card'],
	vote: ['value', 'for'],
	note: ['text'],
	hide: ['note'],
	timer: ['seconds'],
	page: ['page'],
	close: ['text', 'actions'],
	seat: ['name'],
	handover: ['player'],
	kick: ['player'],
	lock: ['locked'],
	window: ['window', 'for', 'chair'],
};
const OPT_KEYS = ['mode', 'hand', 'anonymous', 'auto_reveal', 'facilitator_plays', 'categories', 'kinds', 'audience', 'bookends'];
const OPT_DEFAULTS = { mode: 'hands', hand: 3, anonymous: false, auto_reveal: true, facilitator_plays: false, categories: [], kinds: [], audience: '', bookends: false };

const trimSpaces = (s) => s.replace(/^ +| +$/g, '');

// The expected decoded fields of a valid message, with defaults filled in.
// `over` replaces any of them (for values the decoder changes on purpose).
function decoded(msg, over = {}) {
	const e = { t: msg.t };
	if (msg.id !== undefined) e.id = msg.id;
	const f = FIELDS[msg.t] ?? [];
	for (const k of f) if (msg[k] !== undefined) e[k] = msg[k];
	if (msg.t === 'create') {
		e.title ??= '';
		e.lang ??= 'nl';
		e.tz_offset ??= 0;
	}
	if (msg.t === 'join') e.role ??= 'player';
	if (msg.t === 'close') {
		e.text ??= '';
		e.actions ??= [];
	}
	if (e.name !== undefined) e.name = trimSpaces(e.name);
	if (msg.t === 'vote') {
		e.pass = msg.value === null;
		if (e.pass) delete e.value;
	}
	if (e.opts !== undefined) {
		const given = OPT_KEYS.filter((k) => msg.opts[k] !== undefined);
		const o = {};
		for (const k of OPT_KEYS) o[k] = msg.opts[k] ?? OPT_DEFAULTS[k];
		e.opts = o;
		e.opts_set = given;
	}
	return { ...e, ...over };
}

const vectors = [];

// A vector that decodes. `msg` is the message (wrappers allowed); `expect`
// defaults to decoded(msg).
function ok(name, msg, { note, expect, hex } = {}) {
	vectors.push({
		name,
		hex: hex ?? hexOf(msg),
		json: hex === undefined && jsonable(msg) ? msg : null,
		...(note ? { note } : {}),
		expect: { ok: expect ?? decoded(msg) },
	});
}

// A vector that fails. The id is expected whenever the message is a map
// whose `id` is valid and the error is bad_request, unless `id` says
// otherwise (null: no id).
function fail(name, msg, { note, code = 'bad_request', id, hex } = {}) {
	if (id === undefined) {
		const m = msg;
		const valid = m && typeof m === 'object' && !Array.isArray(m) && !(m instanceof Special) &&
			Number.isInteger(m.id) && m.id >= 0 && m.id <= 2 ** 53;
		id = code === 'bad_request' && valid ? m.id : null;
	}
	const expect = { error: code };
	if (id !== null) expect.id = id;
	vectors.push({
		name,
		hex: hex ?? hexOf(msg),
		json: hex === undefined && jsonable(msg) ? msg : null,
		...(note ? { note } : {}),
		expect,
	});
}

const ROOM = 'K7M2QX';
const TOKEN = '0123456789abcdef0123456789abcdef';
const s = (n, ch = 'a') => ch.repeat(n);
const nest = (levels, inner = 1) => { let v = inner; for (let i = 0; i < levels; i++) v = [v]; return v; };

// ---- valid messages -----------------------------------------------------

ok('ping_minimal', { t: 'ping' });
ok('ping_with_id', { t: 'ping', id: 1 });
ok('id_zero', { t: 'ping', id: 0 }, { note: 'SPEC.md says uint: 0 is a valid id' });
ok('id_max_2_pow_53', { t: 'ping', id: 2 ** 53 });
ok('id_after_other_keys', { t: 'ping', x: 'y', id: 77 });
ok('unknown_keys_ignored', { t: 'ping', id: 2, x: 1, y: { a: [1, 2, null] }, z: 'é', w: 2.5, v: -7 });
ok('unknown_key_holding_bin_and_ext', pairs(['t', 'ping'], ['b', raw('c4 03 010203')], ['e', raw('d4 01 ff')], ['x', raw('c7 02 05 aabb')]),
	{ expect: { t: 'ping' }, note: 'bin, fixext and ext values are skipped like any other' });
ok('key_order_does_not_matter', { id: 3, x: 1, t: 'ping' });
for (const t of ['draw', 'revote', 'reveal', 'next', 'skip', 'leave', 'purge'])
	ok(`${t}_valid`, { t, id: 10 });
ok('id_encoded_as_int8', raw('82 a1 74 a4 70696e67 a2 6964 d0 05'), { expect: { t: 'ping', id: 5 }, note: 'an int8 holding 5 is the integer 5' });
ok('map16_header_at_top', raw('de 0001 a1 74 a4 70696e67'), { expect: { t: 'ping' }, note: 'map16 for a small map is not minimal but valid' });
ok('str8_for_short_key', raw('81 d9 01 74 a4 70696e67'), { expect: { t: 'ping' } });
ok('nesting_32_levels', { t: 'ping', deep: nest(31) }, { note: 'the top map is level 1, 31 arrays make 32 levels: the limit' });
ok('nesting_32_levels_of_maps', { t: 'ping', deep: (() => { let v = 1; for (let i = 0; i < 31; i++) v = { k: v }; return v; })() });
ok('empty_containers_in_ignored_key', { t: 'ping', a: [], m: {} });

// create
ok('create_minimal', { t: 'create', id: 1, room: ROOM, name: 'Ann', deck: 'verrijkte-leeromgevingen' });
ok('create_full', { t: 'create', id: 1, room: 'ABCDEF', name: 'Ann de Vries', title: 'Teamdag', deck: 'verrijkte-leeromgevingen', lang: 'en', tz_offset: 60,
	opts: { mode: 'deck', hand: 5, anonymous: true, auto_reveal: false, facilitator_plays: true, categories: ['vensters', 'lagen'] } });
ok('create_room_all_alphabet_chars_1', { t: 'create', room: '234567', name: 'A', deck: 'd' });
ok('create_room_all_alphabet_chars_2', { t: 'create', room: '89ABCD', name: 'A', deck: 'd' });
ok('create_room_all_alphabet_chars_3', { t: 'create', room: 'EFGHJK', name: 'A', deck: 'd' });
ok('create_room_all_alphabet_chars_4', { t: 'create', room: 'MNPQRS', name: 'A', deck: 'd' });
ok('create_room_all_alphabet_chars_5', { t: 'create', room: 'TUVWXY', name: 'A', deck: 'd' });
ok('create_room_all_alphabet_chars_6', { t: 'create', room: 'ZZZZZZ', name: 'A', deck: 'd' });
ok('create_lang_nl', { t: 'create', room: ROOM, name: 'Ann', deck: 'd', lang: 'nl' });
ok('create_tz_offset_min', { t: 'create', room: ROOM, name: 'Ann', deck: 'd', tz_offset: -720 });
ok('create_tz_offset_max', { t: 'create', room: ROOM, name: 'Ann', deck: 'd', tz_offset: 840 });
ok('create_tz_offset_negative_small', { t: 'create', room: ROOM, name: 'Ann', deck: 'd', tz_offset: -5 });
ok('create_title_empty', { t: 'create', room: ROOM, name: 'Ann', deck: 'd', title: '' });
ok('create_title_120_bytes', { t: 'create', room: ROOM, name: 'Ann', deck: 'd', title: s(120) });
ok('create_title_unicode', { t: 'create', room: ROOM, name: 'Ann', deck: 'd', title: 'Één dag — ☕ 🚀' });
ok('create_deck_64_bytes', { t: 'create', room: ROOM, name: 'Ann', deck: s(64, 'd') });
ok('create_opts_empty_map', { t: 'create', room: ROOM, name: 'Ann', deck: 'd', opts: {} }, { note: 'opts given but empty: every default, opts_set empty' });
ok('create_opts_partial', { t: 'create', room: ROOM, name: 'Ann', deck: 'd', opts: { hand: 1, anonymous: false } });
ok('create_opts_hand_7', { t: 'create', room: ROOM, name: 'Ann', deck: 'd', opts: { hand: 7 } });
ok('create_opts_unknown_opts_key_ignored', { t: 'create', room: ROOM, name: 'Ann', deck: 'd', opts: { hand: 2, future: { x: 1 } } });
ok('create_opts_categories_empty', { t: 'create', room: ROOM, name: 'Ann', deck: 'd', opts: { categories: [] } }, { note: 'an empty list means all categories, like no list' });
ok('create_opts_categories_32', { t: 'create', room: ROOM, name: 'Ann', deck: 'd', opts: { categories: Array.from({ length: 32 }, (_, i) => `c${i}`) } });
ok('window', { t: 'window', window: 'burger' });
ok('window_none', { t: 'window', window: '' }, { note: '"" speaks from no window' });
ok('window_for', { t: 'window', window: 'bestuur', for: 7 });
ok('window_chair', { t: 'window', window: 'burger', chair: true });
ok('start_opts_kinds', { t: 'start', opts: { kinds: ['opener', 'closer'] } }, { note: 'kind names are the game\'s to check (format 2 decks)' });
ok('start_opts_kinds_empty', { t: 'start', opts: { kinds: [] } }, { note: 'an empty list means every kind' });
ok('start_opts_audience', { t: 'start', opts: { audience: 'team' } });
ok('start_opts_audience_empty', { t: 'start', opts: { audience: '' } }, { note: '"" means every card' });
ok('start_opts_bookends', { t: 'start', opts: { bookends: true } });
ok('create_opts_category_64_bytes', { t: 'create', room: ROOM, name: 'Ann', deck: 'd', opts: { categories: [s(64, 'c')] } });

// join
ok('join_minimal', { t: 'join', id: 4, room: ROOM, name: 'Bob' });
ok('join_player', { t: 'join', room: ROOM, name: 'Bob', role: 'player' });
ok('join_screen', { t: 'join', room: ROOM, name: 'Beamer', role: 'screen' });
ok('join_name_trimmed', { t: 'join', room: ROOM, name: '  Bob  ' }, { note: 'leading and trailing ASCII spaces are dropped' });
ok('join_name_inner_spaces_kept', { t: 'join', room: ROOM, name: 'Bob  de Bouwer' });
ok('join_name_40_bytes', { t: 'join', room: ROOM, name: s(40, 'n') });
ok('join_name_40_bytes_after_trimming', { t: 'join', room: ROOM, name: `   ${s(40, 'n')}   ` });
ok('join_name_multibyte', { t: 'join', room: ROOM, name: 'Zoë 😀' });
ok('join_name_10_emoji_40_bytes', { t: 'join', room: ROOM, name: '😀'.repeat(10) }, { note: 'the limit counts bytes, not characters' });
ok('join_name_tab_free_nbsp', { t: 'join', room: ROOM, name: 'A\u00a0B' }, { note: 'U+00A0 is not a control character' });
ok('join_name_zero_width_inside_visible', { t: 'join', room: ROOM, name: 'An\u200bna' }, { note: 'an invisible character among visible ones is kept' });
ok('join_name_emoji_zwj_sequence', { t: 'join', room: ROOM, name: '👩\u200d💻' }, { note: 'ZWJ joins two visible emoji' });
ok('join_name_rlm_and_letters', { t: 'join', room: ROOM, name: '\u200fשרה' });
ok('join_unknown_string_key_ignored', { t: 'join', room: ROOM, name: 'Bob', avatar: 'cat' });

// resume
ok('resume_valid', { t: 'resume', id: 9, room: ROOM, token: TOKEN });

// start
ok('start_without_opts', { t: 'start', id: 2 });
ok('start_with_opts', { t: 'start', opts: { mode: 'hands', hand: 4, auto_reveal: false } });

// play
ok('play_valid', { t: 'play', id: 5, card: 'venster-burger' });
ok('play_card_64_bytes', { t: 'play', card: s(64, 'k') });
// draw: the card is optional (absent: the top of the pile)
ok('draw_card_valid', { t: 'draw', id: 5, card: 'venster-burger' });
ok('draw_card_64_bytes', { t: 'draw', card: s(64, 'k') });

// vote
ok('vote_value', { t: 'vote', id: 5, value: 3 });
ok('vote_value_zero', { t: 'vote', value: 0 });
ok('vote_pass', { t: 'vote', id: 5, value: null }, { note: 'nil is a pass' });
ok('vote_for_seated_player', { t: 'vote', value: 4, for: 7 });
ok('vote_pass_for_seated_player', { t: 'vote', value: null, for: 1 });
ok('vote_value_large', { t: 'vote', value: 70000 }, { note: 'the scale is the game\'s to check' });
ok('vote_for_max_uint32', { t: 'vote', value: 1, for: 4294967295 });

// note
ok('note_valid', { t: 'note', id: 6, text: 'Goed idee' });
ok('note_500_bytes', { t: 'note', text: s(500, 'x') });
ok('note_one_char', { t: 'note', text: 'x' });
ok('note_newline_and_tab', { t: 'note', text: 'eerste regel\n\ttweede regel' });
ok('note_leading_whitespace', { t: 'note', text: '  \n x' });

// hide, timer
ok('hide_note_zero', { t: 'hide', note: 0 });
ok('hide_note', { t: 'hide', id: 8, note: 12 });
ok('hide_note_max_uint32', { t: 'hide', note: 4294967295 });
ok('timer_cancel', { t: 'timer', seconds: 0 });
ok('timer_max', { t: 'timer', id: 3, seconds: 3600 });
ok('page_first', { t: 'page', page: 0 });
ok('page_max', { t: 'page', id: 4, page: 255 });

// close
ok('close_minimal', { t: 'close', id: 11 });
ok('close_full', { t: 'close', text: 'We gaan door met:\n\t- vensters', actions: ['Plan maken', 'Ouders uitnodigen'] });
ok('close_text_4000_bytes', { t: 'close', text: s(4000, 't') });
ok('close_text_empty', { t: 'close', text: '' });
ok('close_actions_empty', { t: 'close', actions: [] });
ok('close_actions_20', { t: 'close', actions: Array.from({ length: 20 }, (_, i) => `actie ${i + 1}`) });
ok('close_action_200_bytes', { t: 'close', actions: [s(200, 'a')] });

// seat, handover, kick, lock
ok('seat_valid', { t: 'seat', id: 12, name: 'Opa Jan' });
ok('seat_name_trimmed', { t: 'seat', name: ' Opa Jan ' });
ok('handover_valid', { t: 'handover', player: 2 });
ok('kick_valid', { t: 'kick', id: 13, player: 3 });
ok('lock_true', { t: 'lock', locked: true });
ok('lock_false', { t: 'lock', locked: false });

// every type ignores a key it does not know
{
	const samples = {
		create: { room: ROOM, name: 'Ann', deck: 'd' }, join: { room: ROOM, name: 'Bob' },
		resume: { room: ROOM, token: TOKEN }, start: {}, play: { card: 'c' }, draw: {},
		vote: { value: 2 }, revote: {}, reveal: {}, note: { text: 'n' }, hide: { note: 1 },
		next: {}, skip: {}, timer: { seconds: 60 }, close: {}, seat: { name: 'S' },
		handover: { player: 2 }, kick: { player: 2 }, lock: { locked: true }, leave: {},
		purge: {}, ping: {}, page: { page: 1 },
	};
	for (const [t, fields] of Object.entries(samples))
		ok(`${t}_unknown_key_ignored`, { t, ...fields, future_key: { nested: [1, 'two', null] } });
}

// the size limit, exactly
{
	const base = { t: 'ping', pad: '' };
	const overhead = encode(base).length;
	// str16 header (3 bytes) instead of fixstr (1 byte) for the pad
	const padLen = 16384 - overhead - 2;
	const full = { t: 'ping', pad: s(padLen, 'p') };
	if (encode(full).length !== 16384) throw new Error('size arithmetic');
	ok('message_exactly_16_KiB', full, { note: '16384 bytes: the largest message' });
	const overBase = encode({ t: 'ping', id: 1, pad: '' }).length + 2;
	const over = { t: 'ping', id: 1, pad: s(16385 - overBase, 'p') };
	if (encode(over).length !== 16385) throw new Error('size arithmetic');
	fail('message_16_KiB_plus_1', over, { code: 'too_large', note: '16385 bytes: too_large before anything else, so no id' });
}

// ---- structurally invalid -------------------------------------------------

fail('empty_message', null, { hex: '', note: 'zero bytes' });
fail('not_a_map_array', ['ping']);
fail('not_a_map_string', 'ping');
fail('not_a_map_nil', null);
fail('not_a_map_int', 1);
fail('truncated_map_header_only', null, { hex: '81' });
fail('truncated_in_string', null, { hex: hexOf({ t: 'ping' }).slice(0, -2) });
fail('truncated_str16_length', null, { hex: '81 a1 74 da 00'.replace(/ /g, '') });
fail('truncated_after_id', null, { hex: '83 a2 6964 05 a1 74 a4 7069'.replace(/ /g, ''), id: 5, note: 'the id was read before the message broke off, so the error carries it' });
fail('trailing_byte', null, { hex: hexOf({ t: 'ping' }) + 'c0' });
fail('two_maps_back_to_back', null, { hex: hexOf({ t: 'ping' }) + hexOf({ t: 'ping' }) });
fail('huge_array_header_5_bytes', null, { hex: 'dddddddddd', note: 'an array32 of 3.7e9 elements in 5 bytes: msgpack-c would allocate 128 GiB' });
fail('huge_array_in_ignored_key', null, { hex: hexOf({ t: 'ping', id: 4 }).replace(/^82/, '83') + 'a178' + 'ddffffffff', id: 4 });
fail('huge_map32_header', null, { hex: 'dfffffffff' });
fail('array16_count_beyond_bytes', null, { hex: hexOf({ t: 'ping' }).replace(/^81/, '82') + 'a178' + 'dc0005' + '01020304' });
fail('huge_str32_length', null, { hex: '81 a1 74 db ffffffff 70'.replace(/ /g, '') });
fail('huge_bin32_length', null, { hex: hexOf({ t: 'ping' }).replace(/^81/, '82') + 'a162' + 'c6ffffffff00' });
fail('reserved_byte_c1', pairs(['t', 'ping'], ['x', raw('c1')]));
fail('nesting_33_levels', { t: 'ping', id: 6, deep: nest(32) }, { note: 'top map + 32 arrays = 33 levels' });
fail('nesting_34_levels_33_arrays', { t: 'ping', id: 6, deep: nest(33) }, { note: '33 nested arrays in an ignored key' });
fail('nesting_33_levels_empty_innermost', { t: 'ping', deep: nest(31, []) }, { note: 'an empty array still counts as a level' });
fail('nesting_far_too_deep', { t: 'ping', deep: nest(200) });

// UTF-8
const ping = (extra) => pairs(['t', 'ping'], ['id', 7], ...extra);
fail('invalid_utf8_in_name', pairs(['t', 'join'], ['id', 7], ['room', ROOM], ['name', rstr('41ff42')]), { id: 7 });
fail('invalid_utf8_in_ignored_key', ping([[rstr('78ff'), 1]]), { id: 7 });
fail('invalid_utf8_in_ignored_value', ping([['x', rstr('ff')]]), { id: 7 });
fail('invalid_utf8_in_nested_ignored_key', ping([['x', pairs([rstr('c3'), 1])]]), { id: 7 });
fail('invalid_utf8_overlong_nul', ping([['x', rstr('c080')]]), { id: 7, note: 'overlong encoding of U+0000' });
fail('invalid_utf8_overlong_slash', ping([['x', rstr('e080af')]]), { id: 7 });
fail('invalid_utf8_overlong_4_byte', ping([['x', rstr('f08fbfbf')]]), { id: 7 });
fail('invalid_utf8_surrogate_high', ping([['x', rstr('eda080')]]), { id: 7 });
fail('invalid_utf8_surrogate_low', ping([['x', rstr('edbfbf')]]), { id: 7 });
fail('invalid_utf8_above_10ffff', ping([['x', rstr('f4908080')]]), { id: 7 });
fail('invalid_utf8_f5_lead', ping([['x', rstr('f5808080')]]), { id: 7 });
fail('invalid_utf8_lone_continuation', ping([['x', rstr('80')]]), { id: 7 });
fail('invalid_utf8_truncated_sequence', ping([['x', rstr('61e282')]]), { id: 7 });
ok('utf8_max_code_point', { t: 'ping', x: '\u{10ffff}' }, { note: 'U+10FFFF is the last valid code point' });
ok('utf8_before_surrogates', { t: 'ping', x: '\ud7ff\ue000' });

// keys
fail('non_string_key_top_level', pairs(['t', 'ping'], ['id', 7], [1, 'x']), { id: 7 });
fail('non_string_key_nested', pairs(['t', 'ping'], ['id', 7], ['x', pairs([null, 1])]), { id: 7 });
fail('bin_key', pairs(['t', 'ping'], ['id', 7], [raw('c4 01 78'), 1]), { id: 7, note: 'a bin is not a string' });
fail('duplicate_key_t', pairs(['t', 'ping'], ['id', 7], ['t', 'ping']), { id: 7 });
fail('duplicate_ignored_key', pairs(['t', 'ping'], ['id', 7], ['x', 1], ['x', 1]), { id: 7 });
fail('duplicate_key_in_opts', pairs(['t', 'start'], ['id', 7], ['opts', pairs(['hand', 2], ['hand', 3])]), { id: 7 });
fail('duplicate_id', pairs(['t', 'ping'], ['id', 7], ['id', 7]), { id: null, note: 'with two ids there is none to answer' });
ok('same_key_in_different_maps', { t: 'ping', a: { x: 1 }, b: { x: 1 }, x: 1 });

// t
fail('t_missing', { id: 7, x: 'ping' });
fail('t_unknown', { t: 'dance', id: 7 });
fail('t_wrong_case', { t: 'Ping', id: 7 });
fail('t_empty', { t: '', id: 7 });
fail('t_not_a_string', { t: 1, id: 7 });
fail('t_server_message_type', { t: 'welcome', id: 7 }, { note: 'server-to-client types are unknown to the decoder' });

// id
fail('id_too_large', { t: 'ping', id: 2 ** 53 + 2 }, { id: null });
fail('id_2_pow_53_plus_1', { t: 'ping', id: 2n ** 53n + 1n }, { id: null });
fail('id_negative', { t: 'ping', id: -1 }, { id: null });
fail('id_float_integral', { t: 'ping', id: f64(3) }, { id: null, note: 'a float64 3.0 is the wrong type' });
fail('id_float', { t: 'ping', id: 2.5 }, { id: null });
fail('id_string', { t: 'ping', id: '1' }, { id: null });
fail('id_nil', { t: 'ping', id: null }, { id: null });
fail('id_uint64_max', { t: 'ping', id: 2n ** 64n - 1n }, { id: null });

// ---- field rules ----------------------------------------------------------

const create = (extra) => ({ t: 'create', id: 20, room: ROOM, name: 'Ann', deck: 'd', ...extra });
const drop = (o, k) => { const c = { ...o }; delete c[k]; return c; };

fail('create_room_missing', drop(create(), 'room'));
fail('create_name_missing', drop(create(), 'name'));
fail('create_deck_missing', drop(create(), 'deck'));
fail('create_room_lower_case', create({ room: 'k7m2qx' }), { note: 'clients normalise; lower case on the wire is bad_request' });
fail('create_room_5_chars', create({ room: 'K7M2Q' }));
fail('create_room_7_chars', create({ room: 'K7M2QXA' }));
fail('create_room_with_0', create({ room: 'K7M2Q0' }));
fail('create_room_with_O', create({ room: 'K7M2QO' }));
fail('create_room_with_1', create({ room: 'K7M2Q1' }));
fail('create_room_with_I', create({ room: 'K7M2QI' }));
fail('create_room_with_L', create({ room: 'K7M2QL' }));
fail('create_room_not_string', create({ room: 123456 }));
fail('create_name_empty', create({ name: '' }));
fail('create_name_only_spaces', create({ name: '   ' }));
fail('create_name_41_bytes', create({ name: s(41, 'n') }));
fail('create_name_41_bytes_multibyte', create({ name: 'é'.repeat(20) + 'x' }), { note: '20 two-byte characters and one more byte' });
fail('create_name_newline', create({ name: 'Ann\nB' }));
fail('create_name_tab', create({ name: 'Ann\tB' }));
fail('create_name_del', create({ name: 'Ann\u007f' }));
fail('create_name_c1_control', create({ name: 'Ann\u0085' }), { note: 'U+0085 is a C1 control character' });
fail('create_name_nul', create({ name: 'A\u0000' }));
fail('create_name_not_string', create({ name: 42 }));
fail('create_name_nil', create({ name: null }));
fail('create_name_zero_width_space', create({ name: '\u200b' }), { note: 'a name must hold a visible character' });
fail('create_name_spaces_around_zero_width', create({ name: '  \u200b\u200c\u200d  ' }), { note: 'invisible once the spaces are trimmed' });
fail('create_name_braille_blank', create({ name: '\u2800\u2800' }), { note: 'U+2800 shows nothing' });
fail('create_name_lone_rlo', create({ name: '\u202e' }), { note: 'a lone bidi override' });
fail('create_name_bidi_isolates_only', create({ name: '\u2066\u2069\u200e' }));
fail('create_name_bom_word_joiner', create({ name: '\ufeff\u2060' }));
fail('create_name_hangul_filler', create({ name: '\u3164' }));
fail('create_name_nbsp_ideographic_space', create({ name: '\u00a0\u3000' }), { note: 'Unicode white space only' });
fail('create_name_tag_characters', create({ name: '\u{e0041}\u{e0042}' }), { note: 'four-byte invisible characters count too' });
fail('create_deck_empty', create({ deck: '' }));
fail('create_deck_65_bytes', create({ deck: s(65, 'd') }));
fail('create_deck_not_string', create({ deck: ['d'] }));
fail('create_title_121_bytes', create({ title: s(121) }));
fail('create_title_control', create({ title: 'Team\rdag' }));
fail('create_title_nil', create({ title: null }), { note: 'nil is not absence: an optional key must have its type' });
fail('create_title_not_string', create({ title: 5 }));
fail('create_lang_unknown', create({ lang: 'de' }));
fail('create_lang_upper_case', create({ lang: 'NL' }));
fail('create_lang_not_string', create({ lang: 1 }));
fail('create_tz_offset_below_min', create({ tz_offset: -721 }));
fail('create_tz_offset_above_max', create({ tz_offset: 841 }));
fail('create_tz_offset_float', create({ tz_offset: f64(60) }));
fail('create_tz_offset_string', create({ tz_offset: '60' }));
fail('create_opts_not_map', create({ opts: ['hands'] }));
fail('create_opts_nil', create({ opts: null }));
fail('create_opts_mode_unknown', create({ opts: { mode: 'cards' } }));
fail('create_opts_mode_upper_case', create({ opts: { mode: 'Hands' } }));
fail('create_opts_mode_not_string', create({ opts: { mode: 1 } }));
fail('create_opts_hand_0', create({ opts: { hand: 0 } }));
fail('create_opts_hand_8', create({ opts: { hand: 8 } }));
fail('create_opts_hand_negative', create({ opts: { hand: -1 } }));
fail('create_opts_hand_float', create({ opts: { hand: f64(3) } }));
fail('create_opts_hand_string', create({ opts: { hand: '3' } }));
fail('create_opts_anonymous_int', create({ opts: { anonymous: 1 } }));
fail('create_opts_auto_reveal_nil', create({ opts: { auto_reveal: null } }));
fail('create_opts_facilitator_plays_string', create({ opts: { facilitator_plays: 'true' } }));
fail('create_opts_categories_33', create({ opts: { categories: Array.from({ length: 33 }, (_, i) => `c${i}`) } }));
fail('create_opts_categories_duplicate', create({ opts: { categories: ['a', 'b', 'a'] } }));
fail('create_opts_category_empty', create({ opts: { categories: [''] } }));
fail('window_missing', { t: 'window' });
fail('window_nil', { t: 'window', window: null });
fail('window_65_bytes', { t: 'window', window: s(65, 'w') });
fail('window_for_zero', { t: 'window', window: 'w', for: 0 });
fail('window_chair_int', { t: 'window', window: 'w', chair: 1 });
fail('start_opts_kinds_5', { t: 'start', opts: { kinds: ['opener', 'topic', 'story', 'closer', 'x'] } });
fail('start_opts_kinds_duplicate', { t: 'start', opts: { kinds: ['story', 'story'] } });
fail('start_opts_kinds_not_list', { t: 'start', opts: { kinds: 'story' } });
fail('start_opts_kind_empty', { t: 'start', opts: { kinds: [''] } });
fail('start_opts_audience_nil', { t: 'start', opts: { audience: null } });
fail('start_opts_audience_65_bytes', { t: 'start', opts: { audience: s(65, 'a') } });
fail('start_opts_bookends_int', { t: 'start', opts: { bookends: 1 } });
fail('create_opts_category_65_bytes', create({ opts: { categories: [s(65, 'c')] } }));
fail('create_opts_categories_not_array', create({ opts: { categories: 'vensters' } }));
fail('create_opts_category_not_string', create({ opts: { categories: [1] } }));

const join = (extra) => ({ t: 'join', id: 21, room: ROOM, name: 'Bob', ...extra });
fail('join_room_missing', drop(join(), 'room'));
fail('join_name_missing', drop(join(), 'name'));
fail('join_room_lower_case', join({ room: 'abcdef' }));
fail('join_role_facilitator', join({ role: 'facilitator' }), { note: 'nobody joins as facilitator' });
fail('join_role_unknown', join({ role: 'admin' }));
fail('join_role_not_string', join({ role: 1 }));
fail('join_name_c1_control_9f', join({ name: 'B\u009fb' }));

const resume = (extra) => ({ t: 'resume', id: 22, room: ROOM, token: TOKEN, ...extra });
fail('resume_room_missing', drop(resume(), 'room'));
fail('resume_token_missing', drop(resume(), 'token'));
fail('resume_token_31_chars', resume({ token: TOKEN.slice(1) }));
fail('resume_token_33_chars', resume({ token: TOKEN + '0' }));
fail('resume_token_upper_case', resume({ token: TOKEN.toUpperCase() }));
fail('resume_token_not_hex', resume({ token: 'g' + TOKEN.slice(1) }));
fail('resume_token_not_string', resume({ token: 5 }));
fail('resume_token_bin', pairs(['t', 'resume'], ['id', 22], ['room', ROOM], ['token', raw('c4 20' + '00'.repeat(32))]), { id: 22 });

fail('start_opts_not_map', { t: 'start', id: 23, opts: true });
fail('start_opts_hand_over', { t: 'start', id: 23, opts: { hand: 8 } });

fail('play_card_missing', { t: 'play', id: 24 });
fail('play_card_empty', { t: 'play', id: 24, card: '' });
fail('play_card_65_bytes', { t: 'play', id: 24, card: s(65, 'k') });
fail('play_card_not_string', { t: 'play', id: 24, card: 3 });
fail('draw_card_empty', { t: 'draw', id: 24, card: '' });
fail('draw_card_65_bytes', { t: 'draw', id: 24, card: s(65, 'k') });
fail('draw_card_not_string', { t: 'draw', id: 24, card: 3 });
fail('draw_card_nil', { t: 'draw', id: 24, card: null });

fail('vote_value_missing', { t: 'vote', id: 25 }, { note: 'a pass is an explicit nil' });
fail('vote_value_negative', { t: 'vote', id: 25, value: -1 });
fail('vote_value_float', { t: 'vote', id: 25, value: f64(3) });
fail('vote_value_string', { t: 'vote', id: 25, value: '3' });
fail('vote_value_bool', { t: 'vote', id: 25, value: true });
fail('vote_for_zero', { t: 'vote', id: 25, value: 3, for: 0 });
fail('vote_for_negative', { t: 'vote', id: 25, value: 3, for: -2 });
fail('vote_for_string', { t: 'vote', id: 25, value: 3, for: '2' });
fail('vote_for_nil', { t: 'vote', id: 25, value: 3, for: null });
fail('vote_for_above_uint32', { t: 'vote', id: 25, value: 3, for: 4294967296 });

fail('note_text_missing', { t: 'note', id: 26 });
fail('note_text_empty', { t: 'note', id: 26, text: '' });
fail('note_text_501_bytes', { t: 'note', id: 26, text: s(501, 'x') });
fail('note_text_only_spaces', { t: 'note', id: 26, text: '    ' });
fail('note_text_only_whitespace_mix', { t: 'note', id: 26, text: ' \n\t \n' });
fail('note_text_only_ideographic_space', { t: 'note', id: 26, text: '\u3000\u00a0' }, { note: 'Unicode white space counts as white space' });
fail('note_text_only_zero_width', { t: 'note', id: 26, text: '\u200b\u200d\ufeff' }, { note: 'invisible characters only' });
fail('note_text_braille_blank_and_newline', { t: 'note', id: 26, text: '\u2800\n\u2800' });
fail('note_text_lone_bidi_override', { t: 'note', id: 26, text: ' \u202e ' });
fail('note_text_carriage_return', { t: 'note', id: 26, text: 'a\r\nb' });
fail('note_text_bell', { t: 'note', id: 26, text: 'a\u0007' });
fail('note_text_not_string', { t: 'note', id: 26, text: 12 });

fail('hide_note_missing', { t: 'hide', id: 27 });
fail('hide_note_negative', { t: 'hide', id: 27, note: -1 });
fail('hide_note_string', { t: 'hide', id: 27, note: '1' });
fail('hide_note_above_uint32', { t: 'hide', id: 27, note: 4294967296 });

fail('timer_seconds_missing', { t: 'timer', id: 28 });
fail('timer_seconds_3601', { t: 'timer', id: 28, seconds: 3601 });
fail('timer_seconds_negative', { t: 'timer', id: 28, seconds: -1 });
fail('timer_seconds_float', { t: 'timer', id: 28, seconds: 1.5 });
fail('timer_seconds_nil', { t: 'timer', id: 28, seconds: null });
fail('page_missing', { t: 'page', id: 29 });
fail('page_256', { t: 'page', id: 29, page: 256 });
fail('page_negative', { t: 'page', id: 29, page: -1 });
fail('page_string', { t: 'page', id: 29, page: '1' });
fail('timer_seconds_string', { t: 'timer', id: 28, seconds: '60' });

fail('close_text_4001_bytes', { t: 'close', id: 29, text: s(4001, 't') });
fail('close_text_control', { t: 'close', id: 29, text: 'a\u001bb' });
fail('close_text_not_string', { t: 'close', id: 29, text: ['a'] });
fail('close_actions_21', { t: 'close', id: 29, actions: Array.from({ length: 21 }, (_, i) => `a${i}`) });
fail('close_action_empty', { t: 'close', id: 29, actions: [''] });
fail('close_action_201_bytes', { t: 'close', id: 29, actions: [s(201, 'a')] });
fail('close_action_newline', { t: 'close', id: 29, actions: ['a\nb'] });
fail('close_actions_not_array', { t: 'close', id: 29, actions: 'doen' });
fail('close_action_not_string', { t: 'close', id: 29, actions: [1] });

fail('seat_name_missing', { t: 'seat', id: 30 });
fail('seat_name_only_spaces', { t: 'seat', id: 30, name: '  ' });
fail('seat_name_zero_width', { t: 'seat', id: 30, name: '\u200b' });
fail('seat_name_41_bytes', { t: 'seat', id: 30, name: s(41) });
fail('seat_name_not_string', { t: 'seat', id: 30, name: true });
fail('seat_name_bin', pairs(['t', 'seat'], ['id', 30], ['name', raw('c4 03 416e6e')]), { id: 30, note: 'a bin is not a string' });

for (const t of ['handover', 'kick']) {
	fail(`${t}_player_missing`, { t, id: 31 });
	fail(`${t}_player_zero`, { t, id: 31, player: 0 });
	fail(`${t}_player_negative`, { t, id: 31, player: -3 });
	fail(`${t}_player_string`, { t, id: 31, player: '3' });
	fail(`${t}_player_above_uint32`, { t, id: 31, player: 4294967296 });
	ok(`${t}_player_max_uint32`, { t, id: 31, player: 4294967295 });
}

fail('lock_locked_missing', { t: 'lock', id: 32 });
fail('lock_locked_int', { t: 'lock', id: 32, locked: 1 });
fail('lock_locked_string', { t: 'lock', id: 32, locked: 'true' });
fail('lock_locked_nil', { t: 'lock', id: 32, locked: null });

// ---- server envelopes -----------------------------------------------------

const server = [];
function env(name, build, msg) {
	server.push({ name, hex: hexOf(msg), json: jsonable(msg) ? msg : null, build });
}

env('ok', { fn: 'ok', id: 5 }, { t: 'ok', id: 5 });
env('ok_id_2_pow_53', { fn: 'ok', id: 2 ** 53 }, { t: 'ok', id: 2 ** 53 });
env('error_with_id', { fn: 'error', id: 7, code: 'bad_request', msg: 'name must be 1 to 40 bytes long after trimming spaces' },
	{ t: 'error', id: 7, code: 'bad_request', msg: 'name must be 1 to 40 bytes long after trimming spaces' });
env('error_without_id', { fn: 'error', code: 'too_large', msg: 'message is larger than 16 KiB' },
	{ t: 'error', code: 'too_large', msg: 'message is larger than 16 KiB' });
env('error_room_taken', { fn: 'error', id: 1, code: 'room_taken', msg: 'that room code is taken' },
	{ t: 'error', id: 1, code: 'room_taken', msg: 'that room code is taken' });
env('pong', { fn: 'pong' }, { t: 'pong' });
env('pong_with_id', { fn: 'pong', id: 9 }, { t: 'pong', id: 9 });

const view = {
	room: ROOM, title: 'Teamdag', lang: 'nl', tz_offset: 60,
	opts: { mode: 'hands', hand: 3, anonymous: false, auto_reveal: true, facilitator_plays: false, categories: [] },
	deck: { id: 'verrijkte-leeromgevingen', version: 1, hash: '0123456789abcdef' },
	phase: 'lobby', locked: false, round: 0,
	players: [{ player: 1, name: 'Ann', role: 'facilitator', seated: false, present: true, online: true, cards: 0, voted: false }],
	order: [], turn: null, table: null, hand: [], pile: 0, history: [], timer: null, summary: null, seq: 2,
};
const you = { player: 1, name: 'Ann', role: 'facilitator' };
// away_hold: the server's hold on the auto-reveal in seconds (§3, §4); 300 is a uint16, the default 120 a fixint.
env('welcome_with_id', { fn: 'welcome', id: 1, player: 1, name: 'Ann', role: 'facilitator', token: TOKEN, away_hold: 120, view, view_hex: hexOf(view) },
	{ t: 'welcome', id: 1, you, token: TOKEN, away_hold: 120, state: view });
env('welcome_without_id', { fn: 'welcome', player: 1, name: 'Ann', role: 'facilitator', token: TOKEN, away_hold: 300, view, view_hex: hexOf(view) },
	{ t: 'welcome', you, token: TOKEN, away_hold: 300, state: view });
const screenYou = { player: 4, name: 'Beamer', role: 'screen' };
env('welcome_screen', { fn: 'welcome', id: 3, player: 4, name: 'Beamer', role: 'screen', token: TOKEN, away_hold: 120, view, view_hex: hexOf(view) },
	{ t: 'welcome', id: 3, you: screenYou, token: TOKEN, away_hold: 120, state: view });

const voted = { e: 'voted', player: 2 };
const at = 1764331200123;
env('ev_voted', { fn: 'ev', seq: 17, at, event: voted, event_hex: hexOf(voted) }, { t: 'ev', seq: 17, at, ...voted });
const revealed = { e: 'revealed', card: 'venster-burger', votes: [[1, 3], [2, 4]], stats: { n: 2, pass: 0, mean: 3.5, median: 3.5, min: 3, max: 4, hist: [0, 0, 1, 1, 0] } };
env('ev_revealed', { fn: 'ev', seq: 18, at: at + 1, event: revealed, event_hex: hexOf(revealed) }, { t: 'ev', seq: 18, at: at + 1, ...revealed });
// A map16 header in the event must become the right count in the envelope.
const wide = { e: 'dealt' };
for (let i = 0; i < 14; i++) wide[`k${i}`] = i;
env('ev_event_with_15_pairs', { fn: 'ev', seq: 1, at: 0, event: wide, event_hex: hexOf(wide) }, { t: 'ev', seq: 1, at: 0, ...wide });
{
	const ev16 = { e: 'x', a: 1 };
	const hex16 = 'de0002' + hexOf(ev16).slice(2);
	server.push({
		name: 'ev_event_given_as_map16', hex: hexOf({ t: 'ev', seq: 2, at: 5, ...ev16 }), json: { t: 'ev', seq: 2, at: 5, ...ev16 },
		build: { fn: 'ev', seq: 2, at: 5, event: null, event_hex: hex16 },
	});
}

// ---- write ------------------------------------------------------------------

const names = new Set();
for (const v of [...vectors, ...server]) {
	if (names.has(v.name)) throw new Error(`duplicate vector name ${v.name}`);
	names.add(v.name);
}
// One vector per line: small, and a change shows as a one-line diff.
const dump = (list) => '{"vectors": [\n' + list.map((v) => JSON.stringify(v)).join(',\n') + '\n]}\n';
writeFileSync(joinPath(here, 'client.json'), dump(vectors));
writeFileSync(joinPath(here, 'server.json'), dump(server));
console.log(`client.json: ${vectors.length} vectors; server.json: ${server.length} vectors`);
