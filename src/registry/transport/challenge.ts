/** One challenge of a `WWW-Authenticate` header (RFC 7235). */
export interface Challenge {
  /** Lowercased: 'bearer', 'basic'. */
  readonly scheme: string;
  /** Parameter names lowercased; values unquoted and unescaped. */
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;
const TOKEN68 = /[A-Za-z0-9\-._~+/]+=*/y;
const SPACE = /[ \t]*/y;

/**
 * Parses every challenge in one or more `WWW-Authenticate` values. Never throws: registries send odd
 * headers, and a challenge that cannot be parsed is skipped rather than failing the push.
 */
export function parseChallenges(header: string | readonly string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  const values = typeof header === 'string' ? [header] : header;
  return values.flatMap(parseOne);
}

function parseOne(text: string): Challenge[] {
  const challenges: Challenge[] = [];
  let pos = 0;
  let current: { scheme: string; params: Record<string, string> } | undefined;

  const match = (re: RegExp): string | undefined => {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m || m[0] === '') return undefined;
    pos = re.lastIndex;
    return m[0];
  };
  const skipSpace = (): void => {
    SPACE.lastIndex = pos;
    SPACE.exec(text);
    pos = SPACE.lastIndex;
  };
  const quoted = (): string | undefined => {
    if (text[pos] !== '"') return undefined;
    let out = '';
    for (let i = pos + 1; i < text.length; i++) {
      const c = text[i];
      if (c === '\\' && i + 1 < text.length) {
        out += text[++i] ?? '';
      } else if (c === '"') {
        pos = i + 1;
        return out;
      } else {
        out += c ?? '';
      }
    }
    return undefined; // unterminated
  };
  const skipToComma = (): void => {
    while (pos < text.length && text[pos] !== ',') pos++;
  };

  while (pos < text.length) {
    skipSpace();
    if (text[pos] === ',') {
      pos++;
      continue;
    }
    const start = pos;
    const name = match(TOKEN);
    if (name === undefined) {
      pos++;
      skipToComma();
      continue;
    }
    skipSpace();
    if (text[pos] === '=' && current) {
      // `name=value`: a parameter of the current challenge...
      pos++;
      skipSpace();
      const value = quoted() ?? match(TOKEN);
      if (value === undefined) {
        skipToComma();
        continue;
      }
      const key = name.toLowerCase();
      if (!(key in current.params)) current.params[key] = value;
      continue;
    }
    // ...otherwise a new scheme, maybe followed by a token68 or its first parameter.
    pos = start + name.length;
    current = { scheme: name.toLowerCase(), params: {} };
    challenges.push(current);
    skipSpace();
    const afterScheme = pos;
    const word = match(TOKEN);
    if (word !== undefined) {
      skipSpace();
      if (text[pos] === '=') {
        pos = afterScheme; // a parameter: parsed on the next turn
        continue;
      }
      pos = afterScheme;
    }
    if (match(TOKEN68) !== undefined) {
      skipSpace();
      if (pos < text.length && text[pos] !== ',') skipToComma();
    }
  }
  return challenges;
}
