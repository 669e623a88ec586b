/**
 * Composition root: opens the database (or takes one), builds each feature and mounts its routes.
 * Returns the Express app and a close() that releases everything it opened.
 */
import path from 'node:path';
import cookieParser from 'cookie-parser';
import express from 'express';
import { CertificateLayoutError, certificateInputOfAward, createCertificates } from './certificates';
import type { Config } from './config';
import { openDatabase, type Db, type Queryable } from './db';
import { createLogger, type Logger } from './log';
import { createActivities } from './activities';
import { ConflictError, ValidationError } from './errors';
import { createLearning, LrsStatementSink, type Award } from './learning';
import { createLrs, LRS_BASE } from './lrs';
import { createLti } from './lti';
import { createPassback } from './passback';
import { createReports } from './reports';
import { createSandbox } from './sandbox';
import { resolveSecret } from './secret';
import { errorHandler, notFound } from './web/errors';
import { landingPages } from './web/pages';
import { cors, securityHeaders } from './web/security';
import { createViewEngine } from './web/views';

export interface AppOptions {
  config: Config;
  /** An already open database (a second instance on the same database, a CLI); otherwise one is opened and owned. */
  db?: Db;
  log?: Logger;
}

export async function createApp(options: AppOptions) {
  const { config } = options;
  const log = options.log ?? createLogger({ level: config.logLevel });
  const ownsDb = !options.db;
  const db = options.db ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize }));
  const closers: (() => Promise<void>)[] = [];
  try {
    const secret = await resolveSecret(db, config);
    const views = createViewEngine();
    const lti = await createLti({ db, config, secret, views });
    closers.push(() => lti.close());

    const lrs = createLrs({ db, config, log });
    closers.push(() => lrs.close());
    await lrs.forward.start({ worker: config.lrsForwardWorker });

    const app = express();
    app.disable('x-powered-by');
    app.set('trust proxy', 'loopback, linklocal, uniquelocal');
    app.use(...securityHeaders({ frameAncestors: lti.frameAncestors }));
    // Launched content calls the LRS from its own origin while its launch credential lives (before CORS_ORIGINS).
    app.use(LRS_BASE, lrs.cors);
    app.use(cors({ origins: config.corsOrigins }));
    app.use(cookieParser());
    app.use((req, res, next) => {
      const started = process.hrtime.bigint();
      res.on('finish', () => log.debug('request', { method: req.method, path: req.path, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
      next();
    });
    app.use('/static', express.static(path.resolve(__dirname, '..', 'public'), { maxAge: '1h' }));

    app.get('/healthz', async (_req, res) => {
      try {
        await db.query('SELECT 1');
        res.json({ status: 'ok', database: { kind: db.kind, reachable: true }, lrsForward: await lrs.forward.health() });
      } catch {
        res.status(503).json({ status: 'unavailable', database: { kind: db.kind, reachable: false } });
      }
    });

    // The LRS parses its own bodies (raw, multipart/mixed) and answers errors in xAPI form.
    app.use(LRS_BASE, lrs.router);
    // Scores owed to the LMS: the outbox, its worker (PASSBACK_WORKER) and the admin page.
    const passback = await createPassback({ db, lti, config, log, views, requireSession: lti.requireSession });
    closers.push(() => passback.close());

    app.use(lti.router);
    const certificates = await createCertificates({ db, config, secret, views, requireSession: lti.requireSession });
    app.use(certificates.router);
    const activities = createActivities({
      db, publicUrl: config.publicUrl, views,
      // The provider as its certificates name it: ANCC wants an address or web address on them (cme-credit.md 1.2).
      provider: { name: config.providerName, url: config.providerUrl || config.issuerUrl || config.publicUrl, jointlyAccredited: config.providerJointlyAccredited }, requireSession: lti.requireSession, deepLinkingResponse: lti.deepLinkingResponse,
    });
    app.use(...activities.routers);
    /**
     * The certificate of an award, one per enrollment (a second award path gets the same one back). A learner whose
     * LMS shares no name gets no certificate (it must show the name); their credit stands and is logged.
     */
    const issueCertificate = async (q: Queryable, award: Award) => {
      const { launch, activity } = award;
      const name = launch.user.name?.trim() || [launch.user.givenName, launch.user.familyName].filter(Boolean).join(' ').trim();
      if (!name) {
        log.warn('certificate not issued: the LMS shared no learner name', { enrollmentId: award.enrollmentId, activityId: activity.id });
        return undefined;
      }
      const audience = award.profession === 'pharmacy_technician' ? 'T' : 'P';
      const acpe = activity.designations.find((d) => d.acpe?.audience === audience)?.acpe ?? activity.designations.find((d) => d.acpe)?.acpe;
      const input = certificateInputOfAward({
        learner: { name, platformId: launch.platform.id, sub: launch.user.sub, profession: award.profession },
        activity, statements: activities.service.certificateStatements(activity), credit: award.credit,
        ...(acpe ? { acpe: { uan: acpe.uan, activityType: acpe.activityType } } : {}),
        bestScoreScaled: award.bestScoreScaled, completionDate: award.completionDate, evidenceStatementIds: award.evidenceStatementIds,
      });
      try {
        return await certificates.issue(q, input, { awardKey: `enrollment:${award.enrollmentId}` });
      } catch (err) {
        // Statements published before the element check, or facts the certificate cannot carry: the office must act.
        // Statements too long for one page even scaled down: the same, the office shortens them or the template.
        if (err instanceof ValidationError || err instanceof CertificateLayoutError) {
          throw new ConflictError(`The certificate for this activity cannot be issued, so no credit was recorded yet: ${err.message}. Please tell the CME office.`, 'CERTIFICATE_NOT_ISSUABLE');
        }
        throw err;
      }
    };
    // Every learning event is a statement in Accrue's own LRS, written in the same transaction as its evidence.
    const learning = createLearning({
      db, activities: activities.service, sink: new LrsStatementSink(lrs.statements), secret, publicUrl: config.publicUrl, views,
      requireSession: lti.requireSession, nabpEprofilePattern: config.nabpEprofilePattern,
      heartbeatSeconds: config.heartbeatSeconds, heartbeatCapSeconds: config.heartbeatCapSeconds, launchActorName: config.lrsLaunchActorName,
      // External content reports into this LRS with a credential for this learner and activity only (LRS_LAUNCH_TTL_SECONDS).
      xapiCredentials: (x) => lrs.launchCredentials.issue({
        actor: x.actor, activityId: x.activityIri, registration: x.registration, contentUrl: x.contentUrl, ttlSeconds: config.lrsLaunchTtlSeconds,
      }),
      // An award owes its certificate, then the LMS a score (the best post-test score, or completion) carrying the
      // certificate's link: both in the award's transaction, so neither exists without the award.
      onAward: async (q, award) => {
        const certificate = await issueCertificate(q, award);
        const target = passback.targetFromLaunch(award.launch, { label: award.activity.title, scoreMaximum: 100, resourceId: award.activity.id });
        if (target) {
          const scoreGiven = award.bestScoreScaled === null ? 100 : Math.round(award.bestScoreScaled * 10000) / 100;
          await passback.enqueue(q, {
            idempotencyKey: `enrollment:${award.enrollmentId}:award`, kind: 'award', target,
            score: { scoreGiven, scoreMaximum: 100, comment: `Credit awarded for ${award.activity.title}.` },
            ...(certificate ? { certificateUrl: certificate.verifyUrl } : {}),
          });
        }
        return certificate?.created ? { certificate } : undefined;
      },
    });
    app.use(learning.router);
    // Registrars' rosters, transcripts, PARS / CPE Monitor files and outcomes; the learner's own transcript.
    const reports = createReports({
      db, config, secret, views, activities: activities.service, requireSession: lti.requireSession, requireToken: lti.requireToken,
      nrps: lti.nrpsClient({ timeoutMs: config.rosterHttpTimeoutMs }),
    });
    app.use(reports.router);
    app.use(passback.router);
    app.use(landingPages({ views, requireSession: lti.requireSession }));

    let sandbox: Awaited<ReturnType<typeof createSandbox>> | undefined;
    if (config.sandbox && config.env !== 'production') {
      sandbox = await createSandbox({ db, publicUrl: config.publicUrl, registry: lti.registry, views });
      await lti.refreshPlatforms();
      app.use(sandbox.router);
    } else {
      app.get('/', (_req, res) => {
        res.type('html').send(views.render('home', { title: config.toolName, publicUrl: config.publicUrl }));
      });
    }

    app.use(notFound);
    app.use(errorHandler({ log, views }));

    return {
      app, db, lti, lrs, passback, certificates, sandbox, log, config,
      async close() {
        for (const c of closers.reverse()) await c().catch(() => undefined);
        if (ownsDb) await db.close();
      },
    };
  } catch (err) {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    if (ownsDb) await db.close().catch(() => undefined);
    throw err;
  }
}

export type AccrueApp = Awaited<ReturnType<typeof createApp>>;
