/**
 * The Host check against DNS rebinding (MLflow CVE-2025-14279): a page on
 * evil.example whose name the attacker re-points to 127.0.0.1 reaches a local
 * server, but its requests still say `Host: evil.example`. So the server
 * answers only the names of the address it listens on: localhost, 127.0.0.1
 * and [::1] always, the bound address when it is a specific one, and the
 * names given with `allowedHosts`. Names match case-insensitively, with any
 * port unless the entry names one; `*.example.com` matches subdomains and `*`
 * turns the check off (as in MLflow's --allowed-hosts).
 */
import { isIP } from 'node:net';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** True for localhost, 127.0.0.0/8 and ::1 (with or without brackets). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** A predicate over Host header values for a server bound to `bindHost`. */
export function hostMatcher(bindHost: string, allowedHosts: readonly string[] = []): (header: string | undefined) => boolean {
  const entries = [...LOOPBACK_NAMES, ...allowedHosts.map((h) => h.trim()).filter((h) => h !== '')];
  const bound = bindHost.toLowerCase();
  if (bound !== '0.0.0.0' && bound !== '::' && bound !== '') entries.push(isIP(bound) === 6 ? `[${bound}]` : bound);
  if (entries.includes('*')) return () => true;
  const patterns = entries.map(parseEntry);
  return (header) => {
    const parsed = header === undefined ? undefined : parseHostHeader(header);
    if (parsed === undefined) return false;
    return patterns.some((p) => (p.port === undefined || p.port === parsed.port)
      && (p.name.startsWith('*.') ? parsed.name.endsWith(p.name.slice(1)) : p.name === parsed.name));
  };
}

interface HostName {
  readonly name: string;
  readonly port?: string;
}

function parseEntry(entry: string): HostName {
  return parseHostHeader(entry) ?? { name: entry.toLowerCase() };
}

/** `Example.COM.:8080` → { name: 'example.com', port: '8080' }; `[::1]:5000` → { name: '[::1]', port: '5000' }. */
function parseHostHeader(value: string): HostName | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]\s]+)(?::(\d{1,5}))?$/i.exec(value.trim());
  if (!m) return undefined;
  const name = m[1]!.toLowerCase().replace(/\.$/, '');
  return m[2] === undefined ? { name } : { name, port: m[2] };
}
