const REDACTED = "***";
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@/\s]*@/gi;
/** Secrets shorter than this are too likely to match ordinary text to be replaced blindly. */
const MINIMUM_SECRET_LENGTH = 3;

/** Replaces every secret, and every password in a `scheme://user:password@` URL, with `***`. */
export function redactText(text: string, secrets: readonly string[]): string {
  let result = text.replace(URL_PASSWORD, `$1${REDACTED}@`);
  for (const secret of secrets) {
    if (secret.length >= MINIMUM_SECRET_LENGTH) result = result.split(secret).join(REDACTED);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret && encoded.length >= MINIMUM_SECRET_LENGTH) result = result.split(encoded).join(REDACTED);
  }
  return result;
}

/**
 * Redacts secrets in place from an error's message and stack and from those of
 * its `cause` chain, so that no log of a wrapped driver error leaks a credential.
 */
export function redactError<E>(error: E, secrets: readonly string[]): E {
  const seen = new Set<unknown>();
  let current: unknown = error;
  // Duck-typed rather than `instanceof Error`: errors from another realm (a vm context, Jest's sandbox) fail that check.
  while (typeof current === "object" && current !== null && !seen.has(current)) {
    seen.add(current);
    const fields = ["message", "stack"] as const;
    for (const field of fields) {
      const text = (current as Record<string, unknown>)[field];
      if (typeof text !== "string") continue;
      const redacted = redactText(text, secrets);
      if (redacted !== text) {
        try {
          Object.defineProperty(current, field, { value: redacted, writable: true, configurable: true });
        } catch {
          // A frozen error keeps its text; the wrapper's own message is redacted regardless.
        }
      }
    }
    current = (current as { cause?: unknown }).cause;
  }
  return error;
}
