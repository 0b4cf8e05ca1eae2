import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADJECTIVES, NOUNS, generateRunName, isGeneratedRunName } from './run-names';
import { validateRunName } from '../validation';

test('run names are adjective-noun-NNN from the word lists', () => {
  for (let i = 0; i < 500; i++) {
    const name = generateRunName();
    assert.ok(isGeneratedRunName(name), name);
    const [adjective, noun, number] = name.split('-');
    assert.ok(ADJECTIVES.includes(adjective), adjective);
    assert.ok(NOUNS.includes(noun), noun);
    assert.equal(number.length, 3);
    validateRunName(name);
  }
});

test('word lists are lowercase, unique and large enough to tell runs apart', () => {
  for (const list of [ADJECTIVES, NOUNS]) {
    assert.equal(new Set(list).size, list.length);
    for (const w of list) assert.match(w, /^[a-z]+$/);
  }
  assert.ok(ADJECTIVES.length * NOUNS.length * 1000 > 1_000_000);
  const names = new Set(Array.from({ length: 200 }, generateRunName));
  assert.ok(names.size > 190, `only ${names.size} distinct names in 200`);
});
