import { InvalidStoreUrlError } from "./errors.js";

/** One `host[:port]` of a URL's host list. */
export interface HostAddress {
  /** Without the brackets of an IPv6 literal. */
  host: string;
  port: number | undefined;
}

/**
 * `scheme://[user[:password]@]host[:port][,host[:port]…][/path][?name=value&…]`.
 * A host list is not something WHATWG `URL` reads, so the URL is split by this
 * pattern and each host checked by `URL` on its own.
 */
const URL_SHAPE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(?:([^@/?#]*)@)?([^/?#]*)([^?#]*)(?:\?([^#]*))?$/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
/** Query parameters whose values are credentials, masked wherever a URL is shown. */
const SECRET_PARAMETER = /key|secret|password|token|sas|sig|connectionstring/i;
const MASK = "***";

/** What `StoreUrl.rebuild` changes. */
export interface UrlChanges {
  scheme?: string;
  username?: string;
  password?: string;
  /** Parameters to leave out (the ones @kv reads itself, such as `schema`). */
  withoutParams?: readonly string[];
}

/** A store URL taken apart, values decoded, with the raw text of each part kept for rebuilding it. */
export class StoreUrl {
  readonly scheme: string;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly params: ReadonlyMap<string, string>;
  /** Everything between `scheme://` and `?`, as written: the path of `disk://./data`. */
  readonly location: string;
  private readonly rawHosts: string;
  private readonly rawPath: string;
  private readonly rawParams: readonly (readonly [string, string | undefined])[];

  private constructor(match: RegExpExecArray) {
    const [, scheme, userinfo, hosts = "", path = "", query] = match;
    this.scheme = scheme!.toLowerCase();
    this.rawHosts = hosts;
    this.rawPath = path;
    this.location = `${userinfo === undefined ? "" : `${userinfo}@`}${hosts}${path}`;
    if (userinfo !== undefined) {
      const separator = userinfo.indexOf(":");
      const user = decode(separator === -1 ? userinfo : userinfo.slice(0, separator), this.scheme, "the user name");
      this.username = user === "" ? undefined : user;
      this.password = separator === -1 ? undefined : decode(userinfo.slice(separator + 1), this.scheme, "the password");
    } else {
      this.username = undefined;
      this.password = undefined;
    }
    this.rawParams = parseQuery(query, this.scheme);
    this.params = new Map(this.rawParams.map(([name, value]) => [decode(name, this.scheme, "a parameter name"), decode(value ?? "", this.scheme, `parameter ${name}`)]));
  }

  /** The host list; read on first use, since a `disk://` location is a path, not hosts. */
  get hosts(): readonly HostAddress[] {
    return this.rawHosts === "" ? [] : this.rawHosts.split(",").map((host) => parseHost(host, this.scheme));
  }

  /** The decoded path without its leading `/` (`"0"` for `redis://h/0`). */
  get path(): string {
    return decode(this.rawPath.replace(/^\//, ""), this.scheme, "the path");
  }

  static parse(url: string): StoreUrl {
    const match = URL_SHAPE.exec(url.trim());
    if (match === null) {
      const scheme = SCHEME.exec(url)?.[1];
      const shown = scheme === undefined ? "" : ` (${scheme.toLowerCase()}://…)`;
      throw new InvalidStoreUrlError(`invalid store URL${shown}: expected scheme://[user:password@]host[:port][/path][?name=value], e.g. redis://127.0.0.1:6379/0`);
    }
    return new StoreUrl(match);
  }

  /**
   * The URL as written, with another scheme, credentials or fewer parameters:
   * what a driver that reads its own URLs (ioredis, pg, mongodb) is given.
   */
  rebuild(changes: UrlChanges = {}): string {
    return this.format(changes, false);
  }

  /** The URL with its password and credential parameters replaced by `***`: safe to print. */
  redacted(): string {
    return this.format({}, true);
  }

  /** Every credential the URL holds, for redacting error text. */
  secrets(): string[] {
    const secrets = [this.password];
    for (const [name, value] of this.params) if (SECRET_PARAMETER.test(name)) secrets.push(value);
    return secrets.filter((secret): secret is string => secret !== undefined && secret !== "");
  }

  private format(changes: UrlChanges, mask: boolean): string {
    const username = changes.username ?? this.username;
    const password = changes.password ?? this.password;
    const shownPassword = password === undefined ? "" : `:${mask ? MASK : encodeURIComponent(password)}`;
    const userinfo = username === undefined && password === undefined ? "" : `${encodeURIComponent(username ?? "")}${shownPassword}@`;
    const dropped = new Set(changes.withoutParams ?? []);
    const params = this.rawParams
      .filter(([name]) => !dropped.has(safeDecode(name)))
      .map(([name, value]) => (value === undefined ? name : `${name}=${mask && SECRET_PARAMETER.test(safeDecode(name)) ? MASK : value}`));
    const query = params.length === 0 ? "" : `?${params.join("&")}`;
    return `${changes.scheme ?? this.scheme}://${userinfo}${this.rawHosts}${this.rawPath}${query}`;
  }
}

/** The URL with credentials masked, or only its scheme when it cannot be read: for messages and logs. */
export function redactStoreUrl(url: string): string {
  try {
    return StoreUrl.parse(url).redacted();
  } catch {
    const scheme = SCHEME.exec(url)?.[1];
    return scheme === undefined ? "(invalid store URL)" : `${scheme.toLowerCase()}://…`;
  }
}

function parseHost(text: string, scheme: string): HostAddress {
  let parsed: URL;
  try {
    // A special-free scheme keeps the host as written (case, percent signs); URL checks the port and IPv6 brackets.
    parsed = new URL(`kv-host://${text}`);
  } catch {
    throw new InvalidStoreUrlError(`invalid host in a ${scheme}:// URL: ${JSON.stringify(text)} (expected host or host:port, a port being 1–65535)`);
  }
  if (parsed.hostname === "" || parsed.pathname !== "" || parsed.username !== "" || parsed.port === "0") {
    throw new InvalidStoreUrlError(`invalid host in a ${scheme}:// URL: ${JSON.stringify(text)} (expected host or host:port, a port being 1–65535)`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  return { host: safeDecode(host), port: parsed.port === "" ? undefined : Number(parsed.port) };
}

/** Query pairs as written. Values are percent-decoded, and `+` stays `+` (an account key is base64). */
function parseQuery(query: string | undefined, scheme: string): [string, string | undefined][] {
  if (query === undefined || query === "") return [];
  const pairs: [string, string | undefined][] = [];
  const seen = new Set<string>();
  for (const part of query.split("&")) {
    if (part === "") continue;
    const separator = part.indexOf("=");
    const name = separator === -1 ? part : part.slice(0, separator);
    const decodedName = safeDecode(name);
    if (seen.has(decodedName)) throw new InvalidStoreUrlError(`parameter ${JSON.stringify(decodedName)} is given twice in a ${scheme}:// URL`);
    seen.add(decodedName);
    pairs.push([name, separator === -1 ? undefined : part.slice(separator + 1)]);
  }
  return pairs;
}

function decode(text: string, scheme: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new InvalidStoreUrlError(`invalid percent-encoding in ${what} of a ${scheme}:// URL`);
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
