/**
 * The certificate markup (no I/O): a small HTML-like subset that an office's handlebars template renders and the
 * PDF renderer lays out on one page. Anything outside the subset is refused with the line it is on, when the
 * template loads, so a typo never reaches a learner's certificate.
 *
 *   <page border="double|single|none">  optional wrapper; draws the page border (default double)
 *   <h1> <h2> <h3> <p> <aside>          blocks; align="left|center|right" (default center); <aside> is boxed
 *                                       and stands apart (the Joint Accreditation statement, cme-credit.md 1.4)
 *   <hr>                                a thin rule
 *   <img data-qr size="72">             the QR code of the verification URL; align, size in points (36-216)
 *   <strong> <em> <small> <br>          inline, inside blocks
 */

export type Align = 'left' | 'center' | 'right';
export type Border = 'none' | 'single' | 'double';
export type TextTag = 'h1' | 'h2' | 'h3' | 'p' | 'aside';

export type Run = { text: string; bold: boolean; italic: boolean; small: boolean } | { br: true };

export type Block =
  | { kind: 'text'; tag: TextTag; align: Align; runs: Run[] }
  | { kind: 'hr' }
  | { kind: 'qr'; align: Align; size: number };

export interface CertificateMarkup {
  border: Border;
  blocks: Block[];
}

export class MarkupError extends Error {}

const TEXT_TAGS: ReadonlySet<string> = new Set(['h1', 'h2', 'h3', 'p', 'aside']);
const INLINE_TAGS: ReadonlySet<string> = new Set(['strong', 'em', 'small']);
const VOID_TAGS: ReadonlySet<string> = new Set(['hr', 'br', 'img']);
const ALL_TAGS = ['page', ...TEXT_TAGS, 'hr', 'img', ...INLINE_TAGS, 'br'];

/** Attributes each tag accepts, and a check of each value. */
const ATTRIBUTES: Record<string, Record<string, (v: string | true) => boolean>> = {
  page: { border: (v) => v === 'none' || v === 'single' || v === 'double' },
  img: { 'data-qr': (v) => v === true || v === '', size: (v) => typeof v === 'string' && /^\d{2,3}$/.test(v) && Number(v) >= 36 && Number(v) <= 216, align: isAlign },
  ...Object.fromEntries([...TEXT_TAGS].map((t) => [t, { align: isAlign }])),
};

function isAlign(v: string | true): boolean {
  return v === 'left' || v === 'center' || v === 'right';
}

const TOKEN = /<(\/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^\s=>\/]+(?:\s*=\s*"[^"]*")?)*)\s*(\/?)>|<!--[\s\S]*?-->|(<)|([^<]+)/g;
const ATTRIBUTE = /([^\s=>\/]+)(?:\s*=\s*"([^"]*)")?/g;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decodes the character references handlebars writes when it escapes (& < > " ' ` =) and the usual named ones. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const cp = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
    }
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

function lineOf(source: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (source.charCodeAt(i) === 10) line++;
  return line;
}

function parseAttributes(raw: string): Map<string, string | true> {
  const attrs = new Map<string, string | true>();
  for (const m of raw.matchAll(ATTRIBUTE)) attrs.set(m[1]!.toLowerCase(), m[2] === undefined ? true : decodeEntities(m[2]));
  return attrs;
}

/** The tag and attribute checks shared by the template check and the parser; returns a problem or undefined. */
function tagProblem(name: string, attrs: Map<string, string | true>, options: { valuesKnown: boolean }): string | undefined {
  if (!ALL_TAGS.includes(name)) return `<${name}> is not allowed in a certificate template (allowed: ${ALL_TAGS.map((t) => `<${t}>`).join(' ')})`;
  const allowed = ATTRIBUTES[name] ?? {};
  for (const [attr, value] of attrs) {
    const check = allowed[attr];
    if (!check) return `<${name}> does not take the attribute "${attr}"${Object.keys(allowed).length ? ` (it takes: ${Object.keys(allowed).join(', ')})` : ''}`;
    if (options.valuesKnown || (typeof value === 'string' && !value.includes('{{'))) {
      if (!check(value)) return `<${name} ${attr}="${value === true ? '' : value}"> has a value it does not take`;
    }
  }
  if (name === 'img' && !attrs.has('data-qr')) return '<img> is only for the QR code and needs the data-qr attribute';
  return undefined;
}

/**
 * Checks a template's own markup before anything is rendered with it: only allowed tags and attributes, and no
 * triple-stash ({{{ }}} or {{& }}), which would let a learner's name or an office's statement inject markup.
 */
export function checkTemplateSource(source: string): void {
  const withoutComments = source.replace(/\{\{!--[\s\S]*?--\}\}|\{\{![\s\S]*?\}\}/g, (c) => c.replace(/[^\n]/g, ' '));
  const raw = /\{\{\{|\{\{~?\s*&/.exec(withoutComments);
  if (raw) {
    throw new MarkupError(`line ${lineOf(source, raw.index)}: unescaped output ({{{ }}} or {{& }}) is not allowed; use {{ }} so that names and statements print as text`);
  }
  // Mustaches become neutral text so that a tag's static parts can be checked.
  const markup = withoutComments.replace(/\{\{[\s\S]*?\}\}/g, (m) => (m.includes('\n') ? m.replace(/[^\n]/g, ' ') : 'x'.repeat(m.length)));
  for (const m of markup.matchAll(TOKEN)) {
    if (m[5]) throw new MarkupError(`line ${lineOf(source, m.index)}: a "<" that does not start a tag (write &lt; for a less-than sign; attribute values need double quotes)`);
    if (!m[2]) continue;
    const problem = tagProblem(m[2].toLowerCase(), parseAttributes(m[3] ?? ''), { valuesKnown: false });
    if (problem) throw new MarkupError(`line ${lineOf(source, m.index)}: ${problem}`);
  }
}

interface Style { bold: boolean; italic: boolean; small: boolean }

/** Parses rendered markup into blocks; throws MarkupError naming the first problem. */
export function parseMarkup(markup: string): CertificateMarkup {
  const doc: CertificateMarkup = { border: 'double', blocks: [] };
  let current: Extract<Block, { kind: 'text' }> | undefined;
  let implicit = false; // a paragraph opened for text found outside any block
  const inline: string[] = [];
  let pageOpen = false;
  let pageSeen = false;
  const style = (): Style => ({ bold: inline.includes('strong'), italic: inline.includes('em'), small: inline.includes('small') });
  const fail = (index: number, message: string): never => {
    throw new MarkupError(`line ${lineOf(markup, index)} of the rendered certificate: ${message}`);
  };
  const closeImplicit = () => {
    if (current && implicit) {
      finishBlock(current, doc);
      current = undefined;
      implicit = false;
    }
  };

  for (const m of markup.matchAll(TOKEN)) {
    const at = m.index;
    if (m[5]) fail(at, 'a "<" that does not start a tag (attribute values need double quotes)');
    if (m[6] !== undefined) {
      const text = decodeEntities(m[6]);
      if (!current) {
        if (text.trim() === '') continue;
        current = { kind: 'text', tag: 'p', align: 'center', runs: [] };
        implicit = true;
      }
      current.runs.push({ text, ...style() });
      continue;
    }
    if (!m[2]) continue; // a comment
    const name = m[2].toLowerCase();
    const closing = m[1] === '/';
    const attrs = parseAttributes(m[3] ?? '');
    if (!closing) {
      const problem = tagProblem(name, attrs, { valuesKnown: true });
      if (problem) fail(at, problem);
    }
    if (name === 'page') {
      if (closing) {
        if (!pageOpen) fail(at, '</page> without <page>');
        closeImplicit();
        if (current) fail(at, `<${current.tag}> is not closed before </page>`);
        pageOpen = false;
      } else {
        if (pageSeen || doc.blocks.length > 0 || current) fail(at, '<page> must come first and only once');
        pageOpen = pageSeen = true;
        doc.border = (attrs.get('border') as Border | undefined) ?? 'double';
      }
      continue;
    }
    if (INLINE_TAGS.has(name)) {
      if (closing) {
        if (inline[inline.length - 1] !== name) fail(at, `</${name}> does not close the last open inline tag${inline.length ? ` (<${inline[inline.length - 1]}>)` : ''}`);
        inline.pop();
      } else {
        if (!current) {
          current = { kind: 'text', tag: 'p', align: 'center', runs: [] };
          implicit = true;
        }
        inline.push(name);
      }
      continue;
    }
    if (name === 'br') {
      if (!current) {
        current = { kind: 'text', tag: 'p', align: 'center', runs: [] };
        implicit = true;
      }
      current.runs.push({ br: true });
      continue;
    }
    if (closing && VOID_TAGS.has(name)) fail(at, `<${name}> has no closing tag`);
    if (closing) {
      if (!current || implicit || current.tag !== name) fail(at, `</${name}> does not close an open <${name}>`);
      if (inline.length) fail(at, `<${inline[inline.length - 1]}> is not closed before </${name}>`);
      finishBlock(current!, doc);
      current = undefined;
      continue;
    }
    if (inline.length) fail(at, `<${name}> cannot be inside <${inline[inline.length - 1]}>`);
    closeImplicit();
    if (current) fail(at, `<${name}> cannot be inside <${current.tag}>; close it first`);
    if (name === 'hr') doc.blocks.push({ kind: 'hr' });
    else if (name === 'img') doc.blocks.push({ kind: 'qr', align: (attrs.get('align') as Align | undefined) ?? 'center', size: Number(attrs.get('size') ?? 72) });
    else current = { kind: 'text', tag: name as TextTag, align: (attrs.get('align') as Align | undefined) ?? 'center', runs: [] };
  }
  if (inline.length) fail(markup.length, `<${inline[inline.length - 1]}> is not closed`);
  if (current && !implicit) fail(markup.length, `<${current.tag}> is not closed`);
  closeImplicit();
  if (pageOpen) fail(markup.length, '<page> is not closed');
  return doc;
}

/** Collapses white space as HTML does, drops empty blocks; runs keep their style. */
function finishBlock(block: Extract<Block, { kind: 'text' }>, doc: CertificateMarkup): void {
  const runs: Run[] = [];
  let lastSpace = true; // at the start of the block, and after a line break, leading spaces go
  for (const run of block.runs) {
    if ('br' in run) {
      trimEnd(runs);
      runs.push(run);
      lastSpace = true;
      continue;
    }
    // Ordinary white space collapses; a no-break space (U+00A0) stays and keeps its neighbours together.
    let text = run.text.replace(/[ \t\r\n\f\v]+/g, ' ');
    if (lastSpace) text = text.replace(/^ /, '');
    if (text === '') continue;
    lastSpace = text.endsWith(' ');
    runs.push({ ...run, text });
  }
  trimEnd(runs);
  while (runs.length && 'br' in runs[runs.length - 1]!) runs.pop();
  if (runs.some((r) => !('br' in r) && r.text.trim() !== '')) doc.blocks.push({ ...block, runs });
}

function trimEnd(runs: Run[]): void {
  const last = runs[runs.length - 1];
  if (last && !('br' in last)) {
    last.text = last.text.replace(/ $/, '');
    if (last.text === '') runs.pop();
  }
}
