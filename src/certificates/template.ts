/**
 * The office's certificate template: views/certificates/certificate.hbs (handlebars, rendering the markup subset of
 * ./markup.ts). Loaded once: its markup is checked, then it renders a sample certificate, so a broken template
 * stops the start (or the `certificate template-check` command) with the line at fault, never an issue.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { checkTemplateSource, MarkupError, parseMarkup, type CertificateMarkup } from './markup';
import type { TemplateContext } from './present';

export const DEFAULT_TEMPLATE = path.resolve(__dirname, '..', '..', 'views', 'certificates', 'certificate.hbs');

export class TemplateError extends Error {}

export interface CertificateTemplate {
  file: string;
  /** sha256 of the template source, stored with each certificate: which template made it. */
  sha256: string;
  render(context: TemplateContext): CertificateMarkup;
}

/** Compiles a template source; throws TemplateError naming the file and line. */
export function compileTemplate(options: { source: string; file: string; samples: TemplateContext[] }): CertificateTemplate {
  const { source, file } = options;
  const where = path.relative(process.cwd(), file) || file;
  try {
    checkTemplateSource(source);
  } catch (err) {
    if (err instanceof MarkupError) throw new TemplateError(`${where}, ${err.message}`);
    throw err;
  }
  const hbs = Handlebars.create();
  let compiled: Handlebars.TemplateDelegate;
  try {
    // No helpers beyond the built-in block helpers; data is plain text, escaped by handlebars.
    compiled = hbs.compile(source, { strict: false, knownHelpersOnly: true });
  } catch (err) {
    throw new TemplateError(`${where}: ${(err as Error).message}`);
  }
  const render = (context: TemplateContext) => parseMarkup(compiled(context));
  try {
    for (const sample of options.samples) {
      if (!render(sample).blocks.some((b) => b.kind === 'qr')) throw new MarkupError('the template has no <img data-qr>: every certificate carries the QR code of its verification URL');
    }
  } catch (err) {
    if (err instanceof MarkupError) throw new TemplateError(`${where}: ${err.message}`);
    throw new TemplateError(`${where}: ${(err as Error).message}`);
  }
  return { file, sha256: crypto.createHash('sha256').update(source).digest('hex'), render };
}

export function loadTemplate(options: { file?: string; samples: TemplateContext[] }): CertificateTemplate {
  const file = options.file ?? DEFAULT_TEMPLATE;
  let source: string;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new TemplateError(`Cannot read the certificate template ${file}: ${(err as Error).message}`);
  }
  return compileTemplate({ source, file, samples: options.samples });
}
