/** The exporter with what it needs from configuration: the PII key, the e-Profile id pattern, the layouts folder. */
import type { Config } from '../config';
import type { Db } from '../db';
// The cipher's own module rather than the learning face: the face brings the learner pages and the activity builder
// (express, sanitize-html: ~25 MB) into a CLI process that only writes a file.
import { PiiCipher } from '../learning/pii';
import { Exporter } from './exporter';
import { ReportStore } from './store';

export function createExporter(o: { db: Db; config: Config; secret: string }): Exporter {
  return new Exporter({
    store: new ReportStore(o.db), cipher: new PiiCipher(o.secret), nabpPattern: new RegExp(o.config.nabpEprofilePattern),
    layoutDir: o.config.exportLayoutDir, providerName: o.config.providerName,
  });
}
