/**
 * Activities and their definitions (xAPI 1.0.3 Part 2 §2.4.4.1, 2.0.0 §5.2.2.3 "Activity Definition"), including
 * interaction activities with their components (cmi.interaction, §2.4.4.1.1).
 */
import {
  expectExtensions, expectIri, expectIrl, expectLanguageMap, expectObject, expectString, fail, isObject, type JsonObject,
} from './primitives';

const INTERACTION_TYPES = ['true-false', 'choice', 'fill-in', 'long-fill-in', 'matching', 'performance', 'sequencing', 'likert', 'numeric', 'other'];
const COMPONENT_LISTS = ['choices', 'scale', 'source', 'target', 'steps'] as const;
// Which component lists each interaction type may carry (1.0.3 §2.4.4.1.1 "Interaction Components").
const ALLOWED_COMPONENTS: Record<string, readonly string[]> = {
  choice: ['choices'], sequencing: ['choices'], likert: ['scale'], matching: ['source', 'target'], performance: ['steps'],
};

function validateComponents(value: unknown, path: string): void {
  if (!Array.isArray(value)) fail(path, 'must be an array of interaction components');
  const ids = new Set<string>();
  (value as unknown[]).forEach((c, i) => {
    const comp = expectObject(c, `${path}[${i}]`, ['id', 'description']);
    const id = expectString(comp.id, `${path}[${i}].id`);
    if (ids.has(id)) fail(`${path}[${i}].id`, 'must be unique within the list');
    ids.add(id);
    if ('description' in comp) expectLanguageMap(comp.description, `${path}[${i}].description`);
  });
}

export function validateDefinition(value: unknown, path: string): JsonObject {
  const def = expectObject(value, path, [
    'name', 'description', 'type', 'moreInfo', 'extensions', 'interactionType', 'correctResponsesPattern', ...COMPONENT_LISTS,
  ]);
  if ('name' in def) expectLanguageMap(def.name, `${path}.name`);
  if ('description' in def) expectLanguageMap(def.description, `${path}.description`);
  if ('type' in def) expectIri(def.type, `${path}.type`);
  if ('moreInfo' in def) expectIrl(def.moreInfo, `${path}.moreInfo`);
  if ('extensions' in def) expectExtensions(def.extensions, `${path}.extensions`);
  const interaction = def.interactionType;
  if ('interactionType' in def && (typeof interaction !== 'string' || !INTERACTION_TYPES.includes(interaction))) {
    fail(`${path}.interactionType`, `must be one of ${INTERACTION_TYPES.join(', ')}`);
  }
  if ('correctResponsesPattern' in def) {
    if (!('interactionType' in def)) fail(`${path}.correctResponsesPattern`, 'requires an interactionType');
    if (!Array.isArray(def.correctResponsesPattern)) fail(`${path}.correctResponsesPattern`, 'must be an array of strings');
    (def.correctResponsesPattern as unknown[]).forEach((p, i) => expectString(p, `${path}.correctResponsesPattern[${i}]`));
  }
  for (const list of COMPONENT_LISTS) {
    if (!(list in def)) continue;
    if (!('interactionType' in def)) fail(`${path}.${list}`, 'requires an interactionType');
    if (!(ALLOWED_COMPONENTS[interaction as string] ?? []).includes(list)) {
      fail(`${path}.${list}`, `is not used by the "${String(interaction)}" interaction type`);
    }
    validateComponents(def[list], `${path}.${list}`);
  }
  return def;
}

export function validateActivity(value: unknown, path: string): JsonObject {
  const act = expectObject(value, path, ['objectType', 'id', 'definition']);
  if ('objectType' in act && act.objectType !== 'Activity') fail(`${path}.objectType`, 'must be "Activity"');
  if (!('id' in act)) fail(`${path}.id`, 'is required');
  expectIri(act.id, `${path}.id`);
  if ('definition' in act) validateDefinition(act.definition, `${path}.definition`);
  return act;
}

/** contextActivities values: one Activity or an array of them (the array is the normal form, §2.4.6.2). */
export function validateContextActivities(value: unknown, path: string): JsonObject {
  const ca = expectObject(value, path, ['parent', 'grouping', 'category', 'other']);
  for (const [key, v] of Object.entries(ca)) {
    if (Array.isArray(v)) v.forEach((a, i) => validateActivity(a, `${path}.${key}[${i}]`));
    else if (isObject(v)) validateActivity(v, `${path}.${key}`);
    else fail(`${path}.${key}`, 'must be an Activity or an array of Activities');
  }
  return ca;
}
