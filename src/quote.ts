// The only ways a value reaches a template. Each output language has exactly one quoting helper;
// templates never interpolate a bare value.

/**
 * Handlebars' strict mode throws on a missing field placed alone, not on one handed to a helper:
 * each helper refuses nothing itself, so that a template placing a field its view lacks fails
 * instead of writing "undefined" into a script.
 */
function placed(value: unknown, helper: string): void {
  if (value === undefined || value === null) throw new Error(`zkgen bug: a template placed {{${helper}}} of a field its view does not have`);
}

// Words made of these characters mean the same to bash quoted or not, so they stay bare: that is
// what keeps run.sh byte for byte the tutorial's commands. No glob, tilde, brace, quote, space,
// `$` or redirection character is in the set; nor ',', harmless to bash but taken by shellcheck
// for a mistaken array separator.
const SHELL_SAFE = /^[A-Za-z0-9_@%+=:./-]+$/;

/**
 * One shell word, single-quoted unless it is plainly safe as it is. Words (a list) are one word too:
 * the command line of those words, each quoted, for a program that hands a string whole to /bin/sh
 * (`docker run --health-cmd`), quoted again as the one word it is. Quoting them here rather than
 * in a view keeps every value a template places quoted in one place, by the template's one helper.
 */
export function sh(value: string | number | readonly string[]): string {
  placed(value, 'sh');
  const text = typeof value === 'object' ? value.map((word) => sh(word)).join(' ') : String(value);
  if (SHELL_SAFE.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

// Plain (unquoted) YAML scalars are kept to identifiers and paths. Anything with ':' is quoted:
// PyYAML (docker-compose 1.x) reads YAML 1.1, where "2888:3888" is a base-60 integer.
const YAML_PLAIN = /^[A-Za-z_/][A-Za-z0-9_./-]*$/;
// YAML 1.1 reads these as booleans or null; YAML 1.2 readers would not, but compose files meet both.
const YAML_KEYWORDS = /^(?:y|n|yes|no|on|off|true|false|null)$/i;

// Characters a YAML reader may take for something else even inside a double-quoted scalar: DEL
// and the C1 controls (YAML 1.1 readers refuse them raw), NEL, LINE SEPARATOR and PARAGRAPH
// SEPARATOR (line breaks to YAML 1.1, so PyYAML folds them into a space), byte order marks and
// non-characters. JSON's string syntax leaves them raw; YAML's \uXXXX means them in 1.1 and 1.2.
const YAML_UNSAFE = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;

/**
 * One scalar in a compose file. Compose interpolates `$VAR` in every string value, so a literal
 * `$` is written `$$`; the result is a plain scalar when that is unambiguous, else a double-quoted
 * one (JSON's string syntax is a subset of YAML's double-quoted scalars).
 */
function yaml(value: string | number): string {
  placed(value, 'yaml');
  // A number stays a number (health check retries); numbers that must be strings come as strings.
  if (typeof value === 'number') return String(value);
  const text = value.replace(/\$/g, '$$$$');
  if (YAML_PLAIN.test(text) && !YAML_KEYWORDS.test(text)) return text;
  return JSON.stringify(text).replace(YAML_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * One key or value in a zoo.cfg (a Java properties file). Values reach it already validated; a
 * line break would smuggle in another setting, so meeting one is a bug in zkgen, not a user error.
 */
function cfg(value: string | number): string {
  placed(value, 'cfg');
  const text = String(value);
  if (/[\r\n\\]/.test(text)) throw new Error(`zkgen bug: ${JSON.stringify(text)} cannot be written to zoo.cfg as it is`);
  return text;
}

/**
 * The quoting helpers by the names templates call them with: the only helpers the template
 * runtime has (src/render/templates.ts), and the only ones scripts/template-options.mjs lets a
 * template call (test/templates.test.ts holds the two lists equal).
 */
export const QUOTING_HELPERS = { sh, yaml, cfg };
