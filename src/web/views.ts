/**
 * Handlebars views: views/layouts/<layout>.hbs wraps views/pages/**.hbs; partials from views/partials.
 * Templates are compiled once per process and HTML-escaped by default.
 */
import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';

export const VIEWS_DIR = path.resolve(__dirname, '..', '..', 'views');

export function createViewEngine(viewsDir = VIEWS_DIR) {
  const hbs = Handlebars.create();
  const cache = new Map<string, Handlebars.TemplateDelegate>();
  const partialsDir = path.join(viewsDir, 'partials');
  if (fs.existsSync(partialsDir)) {
    for (const f of fs.readdirSync(partialsDir)) {
      if (f.endsWith('.hbs')) hbs.registerPartial(f.slice(0, -4), fs.readFileSync(path.join(partialsDir, f), 'utf8'));
    }
  }
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('json', (v: unknown) => JSON.stringify(v));
  // Field ids of form rows ("people-2-name") and 1-based numbering in pages.
  hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).map(String).join(''));
  hbs.registerHelper('add', (a: unknown, b: unknown) => Number(a) + Number(b));
  const compile = (file: string) => {
    let t = cache.get(file);
    if (!t) {
      t = hbs.compile(fs.readFileSync(file, 'utf8'));
      cache.set(file, t);
    }
    return t;
  };
  return {
    handlebars: hbs,
    /** Renders views/pages/<page>.hbs inside views/layouts/<layout>.hbs. */
    render(page: string, locals: Record<string, unknown>, layout: string | false = 'main'): string {
      const body = compile(path.join(viewsDir, 'pages', `${page}.hbs`))(locals);
      if (!layout) return body;
      return compile(path.join(viewsDir, 'layouts', `${layout}.hbs`))({ ...locals, body });
    },
  };
}

export type ViewEngine = ReturnType<typeof createViewEngine>;
