/**
 * The document resources over HTTP (xAPI 1.0.3 Part 3 §2.3 State, §2.6 Agent Profile, §2.7 Activity Profile;
 * 2.0.0 §4.1.6.2, .5, .6): parameters per resource, one document or the list of ids (with `since`), ETag and
 * Last-Modified on reads, 204 on writes.
 */
import { ForbiddenError, NotFoundError } from '../errors';
import type { Credential } from './credentials';
import type { DocumentService } from './documents';
import { onlyParams, requireParam, type XapiRequest } from './http';
import { parseAgentParam, parseIriParam, parseTimestampParam, parseUuidParam } from './params';
import { noContent, type Reply } from './reply';
import { allows } from './scopes';
import type { DocumentKind, DocumentScope } from './store-documents';

interface Resource {
  kind: DocumentKind;
  idParam: 'stateId' | 'profileId';
  activity: boolean;
  agent: boolean;
  registration: boolean;
  read: 'state/read' | 'profile/read';
  write: 'state/write' | 'profile/write';
}

export const RESOURCES: Record<string, Resource> = {
  '/activities/state': { kind: 'state', idParam: 'stateId', activity: true, agent: true, registration: true, read: 'state/read', write: 'state/write' },
  '/activities/profile': { kind: 'activity-profile', idParam: 'profileId', activity: true, agent: false, registration: false, read: 'profile/read', write: 'profile/write' },
  '/agents/profile': { kind: 'agent-profile', idParam: 'profileId', activity: false, agent: true, registration: false, read: 'profile/read', write: 'profile/write' },
};

export function documentRoutes(options: { documents: DocumentService }) {
  const { documents } = options;

  function scopeOf(res: Resource, req: XapiRequest, extra: string[]): DocumentScope {
    const p = req.params;
    onlyParams(p, [res.idParam, ...(res.activity ? ['activityId'] : []), ...(res.agent ? ['agent'] : []), ...(res.registration ? ['registration'] : []), ...extra]);
    return {
      kind: res.kind,
      activityId: res.activity ? parseIriParam(requireParam(p, 'activityId'), 'activityId') : '',
      agentKey: res.agent ? parseAgentParam(requireParam(p, 'agent'), 'agent', { allowGroup: false }).key : '',
      registration: res.registration && p.has('registration') ? parseUuidParam(p.get('registration')!, 'registration') : '',
    };
  }

  const pre = (req: XapiRequest) => ({ ifMatch: req.headers['if-match'], ifNoneMatch: req.headers['if-none-match'] });
  const bodyOf = (req: XapiRequest) => ({ contentType: req.contentType || 'application/octet-stream', content: req.body });

  async function handle(res: Resource, req: XapiRequest, credential: Credential): Promise<Reply> {
    const reading = req.method === 'GET' || req.method === 'HEAD';
    if (!allows(credential.scopes, reading ? res.read : res.write)) throw new ForbiddenError('This credential may not use this resource.', 'XAPI_SCOPE');
    const p = req.params;
    if (reading) {
      const scope = scopeOf(res, req, p.has(res.idParam) ? [] : ['since']);
      if (!p.has(res.idParam)) {
        const since = p.has('since') ? parseTimestampParam(p.get('since')!, 'since') : undefined;
        return { status: 200, json: await documents.ids(scope, since) };
      }
      const doc = await documents.get({ ...scope, docId: requireParam(p, res.idParam) });
      if (!doc) throw new NotFoundError('No such document.', 'XAPI_NOT_FOUND');
      return { status: 200, headers: { 'Content-Type': doc.contentType, ETag: doc.etag, 'Last-Modified': doc.updated.toUTCString() }, body: doc.content };
    }
    const scope = scopeOf(res, req, []);
    if (req.method === 'DELETE' && !p.has(res.idParam) && res.kind === 'state') {
      await documents.deleteAll(scope);
      return noContent();
    }
    const key = { ...scope, docId: requireParam(p, res.idParam) };
    if (req.method === 'PUT') await documents.put(key, bodyOf(req), { pre: pre(req), family: req.family });
    else if (req.method === 'POST') await documents.post(key, bodyOf(req), { pre: pre(req) });
    else await documents.delete(key, { pre: pre(req) });
    return noContent();
  }

  return { handle };
}
