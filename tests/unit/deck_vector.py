#!/usr/bin/env python3
"""The deck test vectors of decks/README.md, computed without msgpack-c.

A MessagePack encoder written by hand from the MessagePack specification
(only what a deck uses: maps, arrays, strings, small unsigned integers), so
that the server's canonical form is checked against an independent
implementation. Prints the length, the first bytes and the hash of each
vector; tests/unit/test_deck_util.h holds the results.
"""
import hashlib
import struct


def enc(v):
    if isinstance(v, bool):
        raise TypeError('a deck has no booleans')
    if isinstance(v, int):
        if 0 <= v < 0x80:
            return bytes([v])
        if v < 0x100:
            return b'\xcc' + bytes([v])
        if v < 0x10000:
            return b'\xcd' + struct.pack('>H', v)
        return b'\xce' + struct.pack('>I', v)
    if isinstance(v, str):
        b = v.encode('utf-8')
        n = len(b)
        if n < 32:
            return bytes([0xa0 | n]) + b
        if n < 0x100:
            return b'\xd9' + bytes([n]) + b
        return b'\xda' + struct.pack('>H', n) + b
    if isinstance(v, list):
        assert len(v) < 16
        return bytes([0x90 | len(v)]) + b''.join(enc(x) for x in v)
    if isinstance(v, dict):  # insertion order is the canonical order
        assert len(v) < 16
        return bytes([0x80 | len(v)]) + b''.join(enc(k) + enc(x) for k, x in v.items())
    raise TypeError(type(v))


def t(nl, en):
    return {'nl': nl, 'en': en}


MINI_V1 = {
    'id': 'mini', 'version': 1, 'title': t('Mini', 'Mini'),
    'scale': {'min': 1, 'max': 2, 'labels': {'nl': ['nee', 'ja'], 'en': ['no', 'yes']}},
    'categories': [{'id': 'alles', 'title': t('Alles', 'Everything'), 'color': '#1f5f8b'}],
    'cards': [{'id': 'een', 'category': 'alles', 'title': t('Een', 'One'),
               'prompt': t('Wat zien wij hier?', 'What do we see here?')}],
}

# The same deck in format 2 with every optional field, in canonical key order.
MINI_V2 = {
    'format': 2, 'id': 'mini', 'version': 1, 'title': t('Mini', 'Mini'),
    'question': t('Hoeveel valt er te winnen?', 'How much is there to gain?'),
    'scale': {'min': 1, 'max': 2, 'labels': {'nl': ['nee', 'ja'], 'en': ['no', 'yes']}},
    'audiences': [{'id': 'team', 'title': t('Team', 'Staff')}],
    'windows': [{'id': 'burger', 'title': t('Burger', 'Citizen'), 'color': '#1f5f8b',
                 'explainer': t('Wie hier woont.', 'Who lives here.')},
                {'id': 'bestuur', 'title': t('Bestuur', 'Governance'), 'color': '#37474f',
                 'explainer': t('Wie hier beslist.', 'Who decides here.')}],
    'categories': [{'id': 'alles', 'title': t('Alles', 'Everything'), 'color': '#1f5f8b',
                    'explainer': t('Alles samen.', 'All of it.')}],
    'cards': [{'id': 'een', 'category': 'alles', 'kind': 'story', 'audience': ['team'],
               'title': t('Een', 'One'), 'prompt': t('Wat zien wij hier?', 'What do we see here?'),
               'anchor': {'low': t('1 = goed', '1 = fine'), 'high': t('2 = veel', '2 = much')},
               'followups': [t('Een voorbeeld?', 'An example?')]}],
}

for name, deck in (('v1', MINI_V1), ('v2', MINI_V2)):
    b = enc(deck)
    print(name, len(b), b[:14].hex(' '), hashlib.sha256(b).hexdigest()[:16])
