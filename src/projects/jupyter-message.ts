import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * Jupyter messaging protocol 5.3 wire format: routing ids, the `<IDS|MSG>`
 * delimiter, an HMAC-SHA256 signature over the four JSON frames, then header,
 * parent_header, metadata, content and optional raw buffers.
 */
export const PROTOCOL_VERSION = '5.3';
const DELIMITER = Buffer.from('<IDS|MSG>');

export interface MessageHeader {
  readonly msg_id: string;
  readonly msg_type: string;
  readonly session: string;
  readonly username: string;
  readonly date: string;
  readonly version: string;
}

export interface JupyterMessage<C = Record<string, unknown>> {
  readonly header: MessageHeader;
  /** Empty object when the message answers nothing. */
  readonly parent_header: Partial<MessageHeader>;
  readonly metadata: Record<string, unknown>;
  readonly content: C;
  readonly buffers: readonly Buffer[];
}

export function newHeader(msgType: string, session: string): MessageHeader {
  return {
    msg_id: randomUUID(),
    msg_type: msgType,
    session,
    username: 'tracklab',
    date: new Date().toISOString(),
    version: PROTOCOL_VERSION,
  };
}

function sign(key: Buffer, frames: readonly (string | Buffer)[]): string {
  if (key.length === 0) return '';
  const hmac = createHmac('sha256', key);
  for (const frame of frames) hmac.update(frame);
  return hmac.digest('hex');
}

/** Frames for a Dealer socket (the Router on the kernel side adds our routing id). */
export function encodeMessage(key: Buffer, msg: Omit<JupyterMessage, 'buffers'>): Buffer[] {
  const parts = [
    JSON.stringify(msg.header),
    JSON.stringify(msg.parent_header),
    JSON.stringify(msg.metadata),
    JSON.stringify(msg.content),
  ];
  return [DELIMITER, Buffer.from(sign(key, parts)), ...parts.map((p) => Buffer.from(p))];
}

/** Why a frame set was dropped; `undefined` from decode means the message is fine. */
export type DecodeFailure = 'no-delimiter' | 'bad-signature' | 'bad-json';

/**
 * Parses and verifies a received frame set. A message whose signature does
 * not match is rejected (not thrown: a stray or forged packet must not take
 * down the client). The comparison is constant-time.
 */
export function decodeMessage(
  key: Buffer,
  frames: readonly Buffer[],
): { readonly message: JupyterMessage } | { readonly failure: DecodeFailure } {
  const at = frames.findIndex((f) => f.equals(DELIMITER));
  if (at < 0 || frames.length < at + 6) return { failure: 'no-delimiter' };
  const signature = frames[at + 1]!;
  const parts = frames.slice(at + 2, at + 6);
  if (key.length > 0) {
    const expected = Buffer.from(sign(key, parts));
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
      return { failure: 'bad-signature' };
    }
  }
  try {
    const [header, parent, metadata, content] = parts.map((p) => JSON.parse(p.toString('utf8')) as unknown);
    if (!isRecord(header) || typeof header['msg_type'] !== 'string' || !isRecord(content)) {
      return { failure: 'bad-json' };
    }
    return {
      message: {
        header: header as unknown as MessageHeader,
        parent_header: (isRecord(parent) ? parent : {}) as Partial<MessageHeader>,
        metadata: isRecord(metadata) ? metadata : {},
        content,
        buffers: frames.slice(at + 6),
      },
    };
  } catch {
    return { failure: 'bad-json' };
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
