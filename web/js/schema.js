// The dragon's fields as the JSON Schema the API model and the Lambda use describes
// them (generated from the contract, served as dragon.schema.json): each field's
// label (its `title`), reading order (the order of `required`, the record's own) and
// the report form's rules, checked per field: `required`, `minLength`, `maxLength`
// (in code points, as JSON Schema counts) and `pattern`.

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

/**
 * The fields of the schema in reading order (`required`'s, then any other), each
 * with its label (its `title`, or its name when it has none) and its rules.
 */
export function fieldsOf(schema) {
  const order = schema.required ?? [];
  const rank = (name) => (order.includes(name) ? order.indexOf(name) : order.length);
  const required = new Set(order);
  const entries = Object.entries(schema.properties ?? {}).sort(([a], [b]) => rank(a) - rank(b));
  return entries.map(([name, rules]) => ({
    name,
    label: typeof rules.title === "string" && rules.title !== "" ? rules.title : name,
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
