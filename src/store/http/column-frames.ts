/**
 * The compact binary form of metric points sent to the server as column
 * blocks (`application/vnd.tracklab.columns`): one frame holds the batch id
 * that makes it safe to send again, then blocks, each a run id, a key and
 * its steps, timestamps and values as the store keeps them (block-codec.ts,
 * exact for NaN, ±Infinity and -0, a few bytes per point for regular steps).
 *
 * Layout (little-endian):
 *   "TLC2"                 magic
 *   u16 + utf8             batch id
 *   u32                    block count
 *   per block: u16 + utf8 run id, u16 + utf8 key, u32 + bytes (encodeBlock),
 *              32 bytes: the block's content hash (blockHash: the sha256 of
 *              the batch id, run id, key and bytes, each length-prefixed)
 *
 * The block bytes are the stored form itself: the server reads a frame into
 * views of the body, and the store checks each block and keeps its bytes
 * (appendMetricBlocks), so a block is encoded once, by the client. The
 * store's checks prove a block decodes, not that it is the block the client
 * encoded: a byte flipped in a value (in the outbox on disk, a proxy, a
 * buggy middlebox) still decodes. The content hash, taken where the block
 * is encoded and checked where it is received (checkContentHashes), closes
 * that gap for about 60 µs per 10k-point block on each side. It covers the
 * frame's batch id, run id and key too: a flipped digit in a sequenced batch
 * id would raise the server's mark for that sender and silently skip later
 * writes. It catches accidental damage only; whoever can change the bytes in
 * transit can hash them again.
 *
 * "TLC1" frames (no hashes) are still read: outboxes written by earlier
 * versions hold them, and refusing them would lose those points.
 *
 * One upload may carry several frames one after another (readColumnFrames):
 * the remote store's sender joins the consecutive block writes of its outbox
 * into one request, each frame keeping its own batch id, and the server
 * applies them in order, all in one transaction (a refusal stores none).
 */
import { createHash } from 'node:crypto';
import type { EncodedMetricBlock, MetricColumns } from '../../entities';
import { TracklabError } from '../../errors';
import { encodeBlock } from '../../metrics/block-codec';
import { httpMsg } from './http-messages';

export const COLUMNS_MEDIA_TYPE = 'application/vnd.tracklab.columns';
const MAGIC = 'TLC2';
/** Frames of earlier versions, without content hashes. */
const MAGIC_UNHASHED = 'TLC1';
const HASH_BYTES = 32;
const HASH_MISMATCH = /does not match its content hash/;

export interface ColumnFrame {
  readonly batchId: string;
  /** Still encoded: views into the frame's bytes. */
  readonly blocks: readonly EncodedMetricBlock[];
  /** The sha256 each block's bytes had where they were encoded, in block order (views into the frame); none in a "TLC1" frame. */
  readonly contentHashes?: readonly Uint8Array[];
}

/** One frame of `blocks` under `batchId`, each block encoded here. */
export function encodeColumnFrame(batchId: string, blocks: readonly MetricColumns[]): Buffer {
  return frameEncodedBlocks(batchId, blocks.map((b) => ({ runId: b.runId, key: b.key, data: encodeBlock(b.steps, b.timestamps, b.values) })));
}

/** One frame of blocks already encoded, their bytes copied as they are. */
export function frameEncodedBlocks(batchId: string, blocks: readonly EncodedMetricBlock[]): Buffer {
  const parts: Buffer[] = [Buffer.from(MAGIC, 'latin1'), short(batchId), u32(blocks.length)];
  for (const { runId, key, data } of blocks) {
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    parts.push(short(runId), short(key), u32(data.byteLength), bytes, blockHash(batchId, runId, key, bytes));
  }
  return Buffer.concat(parts);
}

/** The frame versions this build reads, newest first (a server advertises them, see block-uploads.ts). */
export const FRAME_VERSIONS: readonly string[] = [MAGIC, MAGIC_UNHASHED];

/** The same frames in the "TLC1" form (no hashes), for a server that reads no other (checked here first). */
export function asUnhashedFrames(bytes: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  for (const frame of readColumnFrames(bytes)) {
    checkContentHashes(frame);
    parts.push(Buffer.from(MAGIC_UNHASHED, 'latin1'), short(frame.batchId), u32(frame.blocks.length));
    for (const { runId, key, data } of frame.blocks) parts.push(short(runId), short(key), u32(data.byteLength), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }
  return Buffer.concat(parts);
}

/**
 * The batch id and blocks of a frame, the blocks as views into `bytes` (not
 * checked here: the store checks each as it takes it). INVALID_PARAMETER_VALUE
 * for a frame whose own layout is malformed.
 */
export function readColumnFrame(bytes: Uint8Array): ColumnFrame {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { frame, end } = readFrameAt(buf, 0);
  if (end !== buf.length) throw bad('bytes follow its last block');
  return frame;
}

/** The frames of an upload that carries one or more, in order (see readColumnFrame). */
export function readColumnFrames(bytes: Uint8Array): ColumnFrame[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frames: ColumnFrame[] = [];
  let at = 0;
  do {
    const { frame, end } = readFrameAt(buf, at);
    frames.push(frame);
    at = end;
  } while (at < buf.length);
  return frames;
}

function readFrameAt(buf: Buffer, start: number): { frame: ColumnFrame; end: number } {
  let at = start;
  const need = (n: number) => {
    if (at + n > buf.length) throw bad('it ends early');
  };
  const readShort = () => {
    need(2);
    const n = buf.readUInt16LE(at);
    need(2 + n);
    const text = buf.toString('utf8', at + 2, at + 2 + n);
    at += 2 + n;
    return text;
  };
  const readU32 = () => {
    need(4);
    const n = buf.readUInt32LE(at);
    at += 4;
    return n;
  };
  need(4);
  const magic = buf.toString('latin1', at, at + 4);
  if (magic !== MAGIC && magic !== MAGIC_UNHASHED) throw bad(`it does not start with "${MAGIC}"`);
  const hashed = magic === MAGIC;
  at += 4;
  const batchId = readShort();
  const count = readU32();
  const blocks: EncodedMetricBlock[] = [];
  const contentHashes: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const runId = readShort();
    const key = readShort();
    const n = readU32();
    need(n);
    blocks.push({ runId, key, data: buf.subarray(at, at + n) });
    at += n;
    if (!hashed) continue;
    need(HASH_BYTES);
    contentHashes.push(buf.subarray(at, at + HASH_BYTES));
    at += HASH_BYTES;
  }
  return { frame: hashed ? { batchId, blocks, contentHashes } : { batchId, blocks }, end: at };
}

/**
 * Checks every block's bytes against the content hash it was framed with,
 * before anything is stored: INVALID_PARAMETER_VALUE naming the first block
 * that differs. A "TLC1" frame has no hashes to check.
 */
export function checkContentHashes(frame: ColumnFrame): void {
  const hashes = frame.contentHashes;
  if (hashes === undefined) return;
  for (const [i, { runId, key, data }] of frame.blocks.entries()) {
    const got = blockHash(frame.batchId, runId, key, data);
    if (!got.equals(hashes[i]!)) {
      throw new TracklabError('INVALID_PARAMETER_VALUE', httpMsg.blockHashMismatch(i, runId, key, Buffer.from(hashes[i]!).toString('hex'), got.toString('hex')));
    }
  }
}

/** A block's content hash: its frame's batch id, its run id and key, and its bytes, each with its length first. */
export function blockHash(batchId: string, runId: string, key: string, data: Uint8Array): Buffer {
  return createHash('sha256').update(short(batchId)).update(short(runId)).update(short(key)).update(u32(data.byteLength)).update(data).digest();
}

/** True for the refusal checkContentHashes gives: the sender then checks its own copy before it drops the write. */
export function isHashMismatch(err: unknown): boolean {
  return err instanceof TracklabError && err.code === 'INVALID_PARAMETER_VALUE' && HASH_MISMATCH.test(err.message);
}

function short(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > 0xffff) throw new TracklabError('INVALID_PARAMETER_VALUE', `A name of ${bytes.length} bytes does not fit a column frame.`);
  const out = Buffer.alloc(2 + bytes.length);
  out.writeUInt16LE(bytes.length, 0);
  bytes.copy(out, 2);
  return out;
}

function u32(n: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32LE(n, 0);
  return out;
}

function bad(why: string): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE', `The column frame is malformed: ${why}. Send what encodeColumnFrame writes.`);
}
