/**
 * The platform side of LTI platform storage (1EdTech LTI Client Side postMessages and LTI postMessage Storage
 * v0.1) for the sandbox platform: a course page that embeds the tool in an iframe, and the storage frame that
 * answers the tool's `lti.capabilities`, `lti.put_data` and `lti.get_data` messages. Values are kept per tool
 * origin in the storage frame's memory, and only messages whose event.origin is the registered tool's origin are
 * answered (LTI postMessage Storage: one origin never reads another's data).
 */
import { Router } from 'express';
import type { LaunchScenario, SandboxPlatform } from './platform';

export type StorageMode =
  /** A sibling frame named in lti_storage_target answers (as Canvas and Moodle do). */
  | 'frame'
  /** The embedding page itself answers (lti_storage_target=_parent). */
  | 'parent'
  /** No platform storage: no lti_storage_target, nothing answers. */
  | 'none'
  /** A broken platform: it announces lti_storage_target=_parent but nothing answers. */
  | 'silent';

export const STORAGE_MODES: readonly StorageMode[] = ['frame', 'parent', 'none', 'silent'];
export const STORAGE_FRAME_NAME = 'lti_storage_frame';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
// JSON inside a <script>: `<` escaped so no value can close the element.
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

/** The message handler of platform storage, as a script for the page that answers (storage frame or course page). */
export function storageHandlerScript(toolOrigin: string, frameName?: string): string {
  return `(function () {
  'use strict';
  var TOOL_ORIGIN = ${scriptJson(toolOrigin)};
  var FRAME = ${scriptJson(frameName ?? null)};
  var MAX_KEY = 1024, MAX_VALUE = 4096, MAX_ENTRIES = 500;
  var data = new Map();
  // What this platform saw, for the people and tests who watch it: subject, origin, whether it was answered.
  window.ltiStorageLog = [];
  window.addEventListener('message', function (event) {
    var m = event.data;
    if (!m || typeof m !== 'object' || typeof m.subject !== 'string' || m.subject.indexOf('lti.') !== 0) return;
    var accepted = event.origin === TOOL_ORIGIN && event.source !== null;
    window.ltiStorageLog.push({ subject: m.subject, origin: event.origin, accepted: accepted });
    if (!accepted) return;
    var reply = function (fields) {
      var r = { subject: m.subject + '.response', message_id: m.message_id };
      for (var k in fields) r[k] = fields[k];
      event.source.postMessage(r, event.origin);
    };
    var error = function (code, message) { reply({ error: { code: code, message: message } }); };
    var keyOf = function (key) { return event.origin + '\\n' + key; };
    if (typeof m.message_id !== 'string' && typeof m.message_id !== 'number') return error('bad_request', 'message_id is required');
    if (m.subject === 'lti.capabilities') {
      var at = FRAME ? { frame: FRAME } : {};
      return reply({ supported_messages: [
        { subject: 'lti.capabilities' },
        Object.assign({ subject: 'lti.put_data' }, at),
        Object.assign({ subject: 'lti.get_data' }, at),
      ] });
    }
    if (m.subject === 'lti.put_data' || m.subject === 'lti.get_data') {
      if (typeof m.key !== 'string' || m.key.length === 0 || m.key.length > MAX_KEY) return error('bad_request', 'key must be a string of 1 to ' + MAX_KEY + ' characters');
      if (m.subject === 'lti.get_data') {
        return reply({ key: m.key, value: data.has(keyOf(m.key)) ? data.get(keyOf(m.key)) : null });
      }
      if (m.value === null) { data.delete(keyOf(m.key)); return reply({ key: m.key, value: null }); }
      if (typeof m.value !== 'string' || m.value.length > MAX_VALUE) return error('bad_request', 'value must be a string of at most ' + MAX_VALUE + ' characters');
      if (!data.has(keyOf(m.key)) && data.size >= MAX_ENTRIES) return error('storage_exhaustion', 'platform storage is full');
      data.set(keyOf(m.key), m.value);
      return reply({ key: m.key, value: m.value });
    }
    error('unsupported_subject', 'unsupported subject ' + m.subject);
  });
})();`;
}

/** The storage frame: an invisible page at the platform's origin that only runs the handler. */
export function storageFramePage(toolOrigin: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Platform storage</title></head><body>` +
    `<script>${storageHandlerScript(toolOrigin, STORAGE_FRAME_NAME)}</script></body></html>`;
}

/**
 * A course page that launches the tool inside an iframe. With a storage frame, the tool's iframe is pointed at its
 * login only once that frame has loaded, so no message can reach it before its handler listens.
 */
export function embedPage(options: { title: string; launchUrl: string; toolOrigin: string; storage: StorageMode; storageFrameUrl: string }): string {
  const { storage } = options;
  const storageFrame = storage === 'frame'
    ? `<iframe name="${STORAGE_FRAME_NAME}" title="Platform storage" src="${escapeHtml(options.storageFrameUrl)}" hidden></iframe>`
    : '';
  const handler = storage === 'parent' ? `<script>${storageHandlerScript(options.toolOrigin)}</script>` : '';
  const start = storage === 'frame'
    ? `<script>(function () {
  var storage = document.getElementsByName(${scriptJson(STORAGE_FRAME_NAME)})[0];
  var tool = document.getElementById('tool');
  storage.addEventListener('load', function () { tool.src = tool.dataset.src; });
})();</script>`
    : `<script>document.getElementById('tool').src = document.getElementById('tool').dataset.src;</script>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(options.title)}</title></head><body>` +
    `<main><h1>${escapeHtml(options.title)}</h1>${handler}${storageFrame}` +
    `<iframe id="tool" name="accrue_tool" title="Accrue" width="960" height="640" data-src="${escapeHtml(options.launchUrl)}"></iframe>` +
    `${start}</main></body></html>`;
}

/** The platform's routes for embedded launches: /storage-frame and /embed?launch=<scenario>&storage=<mode>. */
export function embedRouter(platform: SandboxPlatform): Router {
  const r = Router();
  r.get('/storage-frame', (_req, res) => res.type('html').send(storageFramePage(platform.toolOrigin)));
  r.get('/embed', (req, res) => {
    const storage = STORAGE_MODES.find((m) => m === req.query.storage) ?? 'frame';
    let scenario: LaunchScenario;
    try {
      scenario = JSON.parse(Buffer.from(String(req.query.launch ?? ''), 'base64url').toString('utf8')) as LaunchScenario;
      if (typeof scenario.sub !== 'string' || !Array.isArray(scenario.roles)) throw new Error('not a scenario');
    } catch {
      return res.status(400).type('text').send('Sandbox platform: unreadable launch scenario');
    }
    res.type('html').send(embedPage({
      title: `${platform.options.name ?? 'Accrue sandbox LMS'}: ${scenario.resourceLinkTitle ?? 'course page'}`,
      launchUrl: platform.loginUrl(scenario, { storage }), toolOrigin: platform.toolOrigin, storage, storageFrameUrl: platform.storageFrameUrl,
    }));
  });
  return r;
}
