/**
 * The compact binary form of metric points sent to the server as column
 * blocks (`application/vnd.tracklab.columns`): one frame holds the batch id
 * that makes it safe to send again, then blocks, each a run id, a key and
 * its steps, timestamps and values as the store keeps them (block-codec.ts,
 * exact for NaN, ±Infinity and -0, a few bytes per point for regular steps).
 *
 * Layout (little-endian):
 *   "TLC1"                 magic
 *   u16 + utf8             batch id
 *   u32                    block count
 *   per block: u16 + utf8 run id, u16 + utf8 key, u32 + bytes (encodeBlock)
 *
 * The block bytes are the stored form itself: the server reads a frame into
 * views of the body, and the store checks each block and keeps its bytes
 * (appendMetricBlocks), so a block is encoded once, by the client.
 */
import type { EncodedMetricBlock, MetricColumns } from '../../entities';
import { TracklabError } from '../../errors';
import { encodeBlock } from '../../metrics/block-codec';

export const COLUMNS_MEDIA_TYPE = 'application/vnd.tracklab.columns';
const MAGIC = 'TLC1';

export interface ColumnFrame {
  readonly batchId: string;
  /** Still encoded: views into the frame's bytes. */
  readonly blocks: readonly EncodedMetricBlock[];
}

/** One frame of `blocks` under `batchId`, each block encoded here. */
export function encodeColumnFrame(batchId: string, blocks: readonly MetricColumns[]): Buffer {
  return frameEncodedBlocks(batchId, blocks.map((b) => ({ runId: b.runId, key: b.key, data: encodeBlock(b.steps, b.timestamps, b.values) })));
}

/** One frame of blocks already encoded, their bytes copied as they are. */
export function frameEncodedBlocks(batchId: string, blocks: readonly EncodedMetricBlock[]): Buffer {
  const parts: Buffer[] = [Buffer.from(MAGIC, 'latin1'), short(batchId), u32(blocks.length)];
  for (const { runId, key, data } of blocks) {
    parts.push(short(runId), short(key), u32(data.byteLength), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
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
  let at = 0;
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
  if (buf.toString('latin1', 0, 4) !== MAGIC) throw bad('it does not start with "TLC1"');
  at = 4;
  const batchId = readShort();
  const count = readU32();
  const blocks: EncodedMetricBlock[] = [];
  for (let i = 0; i < count; i++) {
    const runId = readShort();
    const key = readShort();
    const n = readU32();
    need(n);
    blocks.push({ runId, key, data: buf.subarray(at, at + n) });
    at += n;
  }
  if (at !== buf.length) throw bad('bytes follow its last block');
  return { batchId, blocks };
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
