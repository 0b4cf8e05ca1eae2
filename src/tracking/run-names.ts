/**
 * Human run names like `brave-otter-042`: easy to say aloud and to tell apart
 * in a table. Words are curated to be short, neutral and unambiguous.
 */
import { randomInt } from 'node:crypto';

export const ADJECTIVES: readonly string[] = [
  'amber', 'bold', 'brave', 'bright', 'brisk', 'calm', 'clever', 'cosmic', 'crisp', 'curious',
  'daring', 'eager', 'early', 'fair', 'fancy', 'fast', 'gentle', 'glad', 'golden', 'grand',
  'happy', 'honest', 'humble', 'jolly', 'keen', 'kind', 'lively', 'lucky', 'mellow', 'merry',
  'mighty', 'misty', 'modest', 'noble', 'polite', 'proud', 'quick', 'quiet', 'rapid', 'ready',
  'rosy', 'shiny', 'silent', 'silver', 'smart', 'snowy', 'solid', 'sunny', 'swift', 'tidy',
  'upbeat', 'vivid', 'warm', 'wise', 'witty', 'zesty',
];

export const NOUNS: readonly string[] = [
  'badger', 'bear', 'beaver', 'bison', 'crane', 'crow', 'deer', 'dolphin', 'eagle', 'falcon',
  'ferret', 'finch', 'fox', 'gecko', 'goose', 'hare', 'hawk', 'heron', 'ibis', 'koala',
  'lark', 'lemur', 'lion', 'llama', 'lynx', 'magpie', 'marmot', 'mole', 'moose', 'newt',
  'orca', 'otter', 'owl', 'panda', 'parrot', 'pelican', 'puffin', 'quail', 'rabbit', 'raven',
  'robin', 'salmon', 'seal', 'shrew', 'sparrow', 'squid', 'stork', 'swan', 'tiger', 'toad',
  'trout', 'turtle', 'walrus', 'whale', 'wolf', 'wren', 'yak', 'zebra',
];

const RUN_NAME = /^[a-z]+-[a-z]+-\d{3}$/;

/** A fresh `adjective-noun-NNN` name. */
export function generateRunName(): string {
  // One uniform draw over every name (one call instead of three), split into its three parts.
  const r = randomInt(ADJECTIVES.length * NOUNS.length * 1000);
  const number = r % 1000;
  const words = Math.floor(r / 1000);
  const noun = NOUNS[words % NOUNS.length];
  const adjective = ADJECTIVES[Math.floor(words / NOUNS.length)];
  return `${adjective}-${noun}-${String(number).padStart(3, '0')}`;
}

export function isGeneratedRunName(name: string): boolean {
  return RUN_NAME.test(name);
}
