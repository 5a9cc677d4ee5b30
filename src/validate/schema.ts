// validate, first half: the ensemble file against schema/ensemble.schema.json (compiled at build
// time into src/generated/), with ajv's findings turned into one plain sentence per problem.
import type { ErrorObject } from 'ajv';
import { validate } from '../generated/validate-ensemble.js';
import type { EnsembleFile, Problem } from '../model.js';
import { quoted } from '../pointer.js';
import { closest } from '../suggest.js';

const TYPE_NAMES: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
  object: 'an object',
  array: 'a list',
  boolean: 'true or false',
  null: 'null',
};

const escapeToken = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

function describe(error: ErrorObject): Problem | undefined {
  const at = error.instancePath;
  const params = error.params as Record<string, unknown>;
  const parent = (error.parentSchema ?? {}) as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = Object.keys((parent.properties as object | undefined) ?? {});
      const guess = closest(key, known);
      return {
        pointer: `${at}/${escapeToken(key)}`,
        message: `unknown key ${quoted(key)}` + (guess ? ` (did you mean "${guess}"?)` : known.length ? ` (known: ${known.join(', ')})` : ''),
      };
    }
    case 'required':
      return { pointer: at, message: `missing "${String(params.missingProperty)}"` };
    case 'type': {
      const types = String(params.type).split(',');
      return { pointer: at, message: `must be ${types.map((t) => TYPE_NAMES[t] ?? t).join(' or ')}` };
    }
    case 'minimum':
    case 'maximum': {
      // A bound that is JSON's exact range rather than ZooKeeper's says so in its own words.
      if (typeof parent['x-number-message'] === 'string') return { pointer: at, message: parent['x-number-message'] };
      return { pointer: at, message: `must be at ${error.keyword === 'minimum' ? 'least' : 'most'} ${String(params.limit)}` };
    }
    case 'minItems':
      return { pointer: at, message: `must hold at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}` };
    case 'maxItems':
      return { pointer: at, message: `must hold at most ${String(params.limit)} items` };
    case 'maxLength':
      return { pointer: at, message: `must be at most ${String(params.limit)} characters long` };
    case 'pattern': {
      const message = typeof parent['x-message'] === 'string' ? parent['x-message'] : String(error.message);
      // Inside propertyNames the key is what failed: point at it and name it.
      const key = (error as ErrorObject & { propertyName?: string }).propertyName;
      return key === undefined ? { pointer: at, message } : { pointer: `${at}/${escapeToken(key)}`, message: `key ${quoted(key)} ${message}` };
    }
    case 'enum':
      return { pointer: at, message: `must be one of: ${(params.allowedValues as unknown[]).map((v) => String(v)).join(', ')}` };
    case 'propertyNames':
      return undefined; // the failing name's own error says it better
    default:
      return { pointer: at, message: String(error.message) };
  }
}

export function validateSchema(value: unknown): { file: EnsembleFile; problems?: undefined } | { file?: undefined; problems: Problem[] } {
  if (validate(value)) return { file: value };
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const error of validate.errors ?? []) {
    const problem = describe(error);
    if (problem === undefined) continue;
    const key = `${problem.pointer}\n${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return { problems };
}
