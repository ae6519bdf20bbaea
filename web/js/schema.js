// The report form's rules: the dragon JSON Schema the API model and the Lambda use
// (generated from the contract, served as dragon.schema.json), read here and
// checked per field: `required`, `minLength`, `maxLength` (in code points, as JSON
// Schema counts) and `pattern`.

let loaded = null;

/** The dragon schema, read once. */
export async function dragonSchema() {
  if (!loaded) {
    loaded = fetch("dragon.schema.json", { cache: "no-store" }).then((response) => {
      if (!response.ok) throw new Error(`dragon.schema.json: HTTP ${response.status}`);
      return response.json();
    });
  }
  return loaded;
}

/** The fields of the schema, in its order, with their rules. */
export function fieldsOf(schema) {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, rules]) => ({
    name,
    required: required.has(name),
    minLength: rules.minLength ?? 0,
    maxLength: rules.maxLength ?? Infinity,
    pattern: rules.pattern ? new RegExp(rules.pattern) : null,
    // A field whose pattern takes a line break is multi-line.
    multiLine: rules.pattern ? new RegExp(rules.pattern).test("a\nb") : true,
  }));
}

function codePoint(character) {
  return `U+${character.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** What is wrong with `value` for `field` (labelled `label`), or "" when nothing is. */
export function problem(field, label, value) {
  const length = [...value].length;
  if (length === 0 && field.minLength > 0) return `${label} is required.`;
  if (length < field.minLength) return `${label} needs at least ${field.minLength} characters.`;
  if (length > field.maxLength) {
    return `${label} must be at most ${field.maxLength} characters (it has ${length}).`;
  }
  if (field.pattern && !field.pattern.test(value)) {
    const bad = [...value].find((character) => !field.pattern.test(character));
    return bad
      ? `${label} may not contain the character ${codePoint(bad)}.`
      : `${label} is not in a form the API accepts.`;
  }
  return "";
}
