// The EC2 Query protocol's response side: XML in the EC2 namespace. A response is a tree of plain values:
// objects become elements in key order, arrays become `<item>` lists, undefined is omitted.

export const EC2_XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

export type XmlValue = string | number | boolean | Date | undefined | readonly XmlValue[] | XmlObject;
export interface XmlObject {
  readonly [key: string]: XmlValue;
}

const ESC: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESC[c] ?? c);
}

function renderInto(out: string[], name: string, v: XmlValue): void {
  if (v === undefined) return;
  if (typeof v === 'string') out.push(`<${name}>${escapeXml(v)}</${name}>`);
  else if (typeof v === 'number' || typeof v === 'boolean') out.push(`<${name}>${String(v)}</${name}>`);
  else if (v instanceof Date) out.push(`<${name}>${v.toISOString()}</${name}>`);
  else if (Array.isArray(v)) {
    out.push(`<${name}>`);
    for (const item of v as readonly XmlValue[]) renderInto(out, 'item', item);
    out.push(`</${name}>`);
  } else {
    out.push(`<${name}>`);
    for (const [k, child] of Object.entries(v as XmlObject)) renderInto(out, k, child);
    out.push(`</${name}>`);
  }
}

/** `<{Action}Response xmlns=…><requestId>…</requestId>…</{Action}Response>` */
export function renderResponse(action: string, requestId: string, body: XmlObject): string {
  const out: string[] = [`<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_XMLNS}">`];
  out.push(`<requestId>${requestId}</requestId>`);
  for (const [k, v] of Object.entries(body)) renderInto(out, k, v);
  out.push(`</${action}Response>`);
  return out.join('');
}

/** `<Response><Errors><Error><Code>…</Code><Message>…</Message></Error></Errors><RequestID>…</RequestID></Response>` */
export function renderError(code: string, message: string, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`
  );
}
