/**
 * Mail templates: each message has a plain-text and an HTML body, written with the tags below.
 * `html` escapes every interpolated value (names, titles and bodies come from users); a value that is
 * itself `html` markup is kept as it is.
 */

/** HTML markup that `html` interpolates without escaping. */
export class Markup {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** An HTML fragment: interpolated values are escaped (arrays are joined), `Markup` is kept. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Markup {
  let out = strings[0];
  values.forEach((value, i) => {
    const items = Array.isArray(value) ? value : [value];
    out += items.map((v) => (v instanceof Markup ? v.value : escapeHtml(String(v ?? '')))).join('');
    out += strings[i + 1];
  });
  return new Markup(out);
}

/** A whole HTML message around a body: a title and the same footer in every message. */
export function htmlDocument(title: string, body: Markup): string {
  return html`<!doctype html>
    <html>
      <head>
        <meta charset="utf-8" />
        <title>${title}</title>
      </head>
      <body style="font-family: sans-serif; line-height: 1.5; max-width: 36em">
        ${body}
        <p style="color: #666; font-size: 0.9em">— Townsquare</p>
      </body>
    </html> `.value;
}

/** A link from PUBLIC_URL, a path and query parameters (encoded). */
export function link(publicUrl: string, path: string, params: Record<string, string> = {}): string {
  const url = new URL(path, publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}
