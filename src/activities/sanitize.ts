/**
 * Rich text typed in the builder is shown to learners inside the LMS, so it is cut down to a safe subset:
 * structure and emphasis, lists, headings below the page's h1, links (http, https, mailto) and simple tables.
 * No scripts, styles, event handlers, iframes, forms or images (an image without alt text fails WCAG 1.1.1).
 */
import sanitizeHtml from 'sanitize-html';

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'em', 'b', 'i', 'u', 'ul', 'ol', 'li', 'h2', 'h3', 'h4', 'blockquote', 'code', 'pre', 'a',
    'table', 'caption', 'thead', 'tbody', 'tr', 'th', 'td', 'abbr', 'sub', 'sup', 'hr'],
  allowedAttributes: { a: ['href', 'title'], abbr: ['title'], th: ['scope'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // h1 belongs to the page: demote it so the heading order stays valid (WCAG 1.3.1).
  transformTags: {
    h1: 'h2',
    a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer', target: '_blank' }),
  },
};

export function sanitizeRichText(html: string): string {
  return sanitizeHtml(html, { ...OPTIONS, allowedAttributes: { ...OPTIONS.allowedAttributes, a: ['href', 'title', 'rel', 'target'] } }).trim();
}
