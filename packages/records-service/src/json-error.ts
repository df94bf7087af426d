/**
 * Where and why a text is not JSON (RFC 8259). V8's `JSON.parse` messages no longer carry a position
 * for most errors (they quote the text instead), so the loader locates the error itself, only on the
 * error path. Iterative, so a deeply nested hostile body cannot overflow the stack.
 */
export function locateJsonError(text: string): { position: number; reason: string } | undefined {
  const n = text.length;
  const stack: ('{' | '[')[] = [];
  type State = 'value' | 'valueOrClose' | 'key' | 'keyOrClose' | 'colon' | 'commaOrClose' | 'end';
  let state: State = 'value';
  let i = 0;
  const fail = (reason: string, position = i) => ({ position, reason });
  const after = (): State => (stack.length > 0 ? 'commaOrClose' : 'end');
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

  const scanString = (): { position: number; reason: string } | undefined => {
    const start = i;
    i++;
    for (;;) {
      if (i >= n) return fail('Unterminated string', start);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c < 0x20) return fail('Bad control character in string');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return fail('Bad Unicode escape in string');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i += 2;
        } else {
          return fail('Bad escaped character in string');
        }
        continue;
      }
      i++;
    }
  };

  const scanNumber = (): { position: number; reason: string } | undefined => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else if (isDigit(text[i])) while (isDigit(text[i])) i++;
    else return fail('No number after minus sign');
    if (text[i] === '.') {
      i++;
      if (!isDigit(text[i])) return fail('Unterminated fractional number');
      while (isDigit(text[i])) i++;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!isDigit(text[i])) return fail('Exponent part is missing a number');
      while (isDigit(text[i])) i++;
    }
    return undefined;
  };

  for (;;) {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
    if (i >= n) return state === 'end' ? undefined : fail('Unexpected end of JSON input');
    const c = text[i]!;
    switch (state) {
      case 'value':
      case 'valueOrClose': {
        if (state === 'valueOrClose' && c === ']') {
          i++;
          stack.pop();
          state = after();
          break;
        }
        if (c === '{') {
          stack.push('{');
          i++;
          state = 'keyOrClose';
          break;
        }
        if (c === '[') {
          stack.push('[');
          i++;
          state = 'valueOrClose';
          break;
        }
        let error: { position: number; reason: string } | undefined;
        if (c === '"') error = scanString();
        else if (c === '-' || isDigit(c)) error = scanNumber();
        else {
          const literal = ['true', 'false', 'null'].find((word) => text.startsWith(word, i));
          if (!literal) return fail(`Unexpected ${JSON.stringify(c)}; expected a value`);
          i += literal.length;
        }
        if (error) return error;
        state = after();
        break;
      }
      case 'key':
      case 'keyOrClose':
        if (state === 'keyOrClose' && c === '}') {
          i++;
          stack.pop();
          state = after();
          break;
        }
        if (c !== '"')
          return fail(`Unexpected ${JSON.stringify(c)}; expected a double-quoted property name${state === 'keyOrClose' ? " or '}'" : ''}`);
        {
          const error = scanString();
          if (error) return error;
        }
        state = 'colon';
        break;
      case 'colon':
        if (c !== ':') return fail(`Unexpected ${JSON.stringify(c)}; expected ':' after a property name`);
        i++;
        state = 'value';
        break;
      case 'commaOrClose': {
        const close = stack.at(-1) === '{' ? '}' : ']';
        if (c === ',') {
          i++;
          state = stack.at(-1) === '{' ? 'key' : 'value';
        } else if (c === close) {
          i++;
          stack.pop();
          state = after();
        } else {
          return fail(`Unexpected ${JSON.stringify(c)}; expected ',' or '${close}'`);
        }
        break;
      }
      case 'end':
        return fail('Unexpected data after the JSON value');
    }
  }
}
