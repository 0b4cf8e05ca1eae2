/**
 * The fields of one API request, read as MLflow reads them (protobuf's
 * ParseDict behind `_get_request_message`): a POST's JSON object, or a GET's
 * query string where a repeated field is the same name given several times.
 * Each reader checks the protobuf type of its field: int64 takes an integer
 * or its decimal string, double takes a number, a numeric string or
 * "NaN"/"Infinity"/"-Infinity", an enum its name or number. A required field
 * that is absent, null or "" is missing, as in MLflow's `_assert_required`.
 * Every problem is an INVALID_PARAMETER_VALUE TracklabError.
 */
import { TracklabError } from '../errors';
import { serverMsg } from './messages';

type Source = 'json' | 'query';

function invalid(message: string): TracklabError {
  return new TracklabError('INVALID_PARAMETER_VALUE', message);
}

const SPECIAL_DOUBLES: ReadonlyMap<string, number> = new Map([['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity]]);
const INTEGER_TEXT = /^[+-]?\d+$/;
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export class RequestFields {
  private constructor(private readonly source: Source, private readonly values: ReadonlyMap<string, unknown>, private readonly path: string) {}

  /** A JSON body; `body` must already be a plain object (see read-request.ts). */
  static fromJson(body: Readonly<Record<string, unknown>>, path = ''): RequestFields {
    return new RequestFields('json', new Map(Object.entries(body)), path);
  }

  static fromQuery(query: URLSearchParams): RequestFields {
    const values = new Map<string, string[]>();
    for (const [name, value] of query) {
      const list = values.get(name);
      if (list) list.push(value);
      else values.set(name, [value]);
    }
    return new RequestFields('query', values, '');
  }

  /** A copy with one field replaced (undefined removes it); the auth layer pages searches with it. */
  with(name: string, value: string | number | undefined): RequestFields {
    const values = new Map(this.values);
    if (value === undefined) values.delete(name);
    else values.set(name, this.source === 'query' ? [String(value)] : value);
    return new RequestFields(this.source, values, this.path);
  }

  /** A boolean field: true or false, or their text. */
  bool(name: string, required: true): boolean;
  bool(name: string, required?: boolean): boolean | undefined;
  bool(name: string, required = false): boolean | undefined {
    const raw = this.present(name, this.single(name), required);
    if (raw === undefined) return undefined;
    if (raw === true || raw === 'true' || raw === 'True') return true;
    if (raw === false || raw === 'false' || raw === 'False') return false;
    throw invalid(serverMsg.invalidField(this.label(name), raw, 'true or false'));
  }

  /** Whether the field was sent (null counts as not sent, as in ParseDict). */
  has(name: string): boolean {
    const v = this.values.get(name);
    return v !== undefined && v !== null;
  }

  string(name: string, required: true): string;
  string(name: string, required?: boolean): string | undefined;
  string(name: string, required = false): string | undefined {
    const raw = this.single(name);
    if (raw !== undefined && typeof raw !== 'string') throw invalid(serverMsg.invalidField(this.label(name), raw, 'a string'));
    return this.present(name, raw, required);
  }

  int64(name: string, required: true): number;
  int64(name: string, required?: boolean): number | undefined;
  int64(name: string, required = false): number | undefined {
    const raw = this.present(name, this.single(name), required);
    if (raw === undefined) return undefined;
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && INTEGER_TEXT.test(raw.trim()) ? Number(raw) : NaN;
    if (!Number.isInteger(n)) throw invalid(serverMsg.invalidField(this.label(name), raw, 'an integer'));
    if (!Number.isSafeInteger(n)) throw invalid(serverMsg.invalidField(this.label(name), raw, `an integer within ±${Number.MAX_SAFE_INTEGER}`));
    return n;
  }

  double(name: string, required: true): number;
  double(name: string, required?: boolean): number | undefined;
  double(name: string, required = false): number | undefined {
    const raw = this.present(name, this.single(name), required);
    if (raw === undefined) return undefined;
    if (typeof raw === 'number') return raw;
    if (typeof raw === 'string') {
      const special = SPECIAL_DOUBLES.get(raw);
      if (special !== undefined) return special;
      if (NUMBER_TEXT.test(raw.trim())) return Number(raw);
    }
    throw invalid(serverMsg.invalidField(this.label(name), raw, 'a number, or "NaN", "Infinity" or "-Infinity"'));
  }

  /** An enum field given by name or by number; returns the name. */
  enumName<N extends string>(name: string, values: Readonly<Record<N, number>>): N | undefined {
    const raw = this.single(name);
    if (raw === undefined || raw === null) return undefined;
    const names = Object.keys(values) as N[];
    const byNumber = typeof raw === 'number' || (typeof raw === 'string' && INTEGER_TEXT.test(raw))
      ? names.find((n) => values[n] === Number(raw)) : undefined;
    const found = byNumber ?? names.find((n) => n === raw);
    if (found === undefined) throw invalid(serverMsg.invalidEnum(this.label(name), raw, names));
    return found;
  }

  /** A repeated string field; empty when absent. */
  strings(name: string): string[] {
    const list = this.list(name);
    list.forEach((item, i) => {
      if (typeof item !== 'string') throw invalid(serverMsg.invalidField(`${this.label(name)}[${i}]`, item, 'a string'));
    });
    return list as string[];
  }

  /** A singular message field (JSON bodies only). */
  message(name: string, required: true): RequestFields;
  message(name: string, required?: boolean): RequestFields | undefined;
  message(name: string, required = false): RequestFields | undefined {
    const raw = this.present(name, this.values.get(name), required);
    if (raw === undefined || raw === '') return undefined;
    if (typeof raw !== 'object' || Array.isArray(raw)) throw invalid(serverMsg.invalidField(this.label(name), raw, 'an object'));
    return RequestFields.fromJson(raw as Record<string, unknown>, `${this.label(name)}.`);
  }

  /** A repeated message field (JSON bodies only): one RequestFields per element. */
  messages(name: string): RequestFields[] {
    return this.list(name).map((item, i) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        throw invalid(serverMsg.invalidField(`${this.label(name)}[${i}]`, item, 'an object'));
      }
      return RequestFields.fromJson(item as Record<string, unknown>, `${this.label(name)}[${i}].`);
    });
  }

  /** How many elements a repeated field holds, without reading them. */
  count(name: string): number {
    const v = this.values.get(name);
    return Array.isArray(v) ? v.length : 0;
  }

  private list(name: string): unknown[] {
    const v = this.values.get(name);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw invalid(serverMsg.invalidField(this.label(name), v, 'a list'));
    return v;
  }

  /** The one value of a singular field; a query field given twice is an error. */
  private single(name: string): unknown {
    const v = this.values.get(name);
    if (this.source === 'json' || v === undefined) return v;
    const list = v as string[];
    if (list.length > 1) throw invalid(serverMsg.invalidField(name, list, 'a single value'));
    return list[0];
  }

  private present<T>(name: string, raw: T | undefined | null, required: boolean): T | undefined {
    if (raw === undefined || raw === null || raw === '') {
      if (required) throw invalid(serverMsg.missingField(this.label(name)));
      return raw === '' ? raw : undefined;
    }
    return raw;
  }

  private label(name: string): string {
    return `${this.path}${name}`;
  }
}
