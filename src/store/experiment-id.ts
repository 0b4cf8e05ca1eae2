import { customAlphabet } from 'nanoid';

/**
 * A new experiment's id: 21 letters and digits (nanoid's length, without its
 * "-" and "_"). One in 64 nanoids starts with "-", which a command line reads
 * as an option: `tracklab experiments delete -K98…` failed as a usage error.
 */
export const newExperimentId = customAlphabet('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 21);
