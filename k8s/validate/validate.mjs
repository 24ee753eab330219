// Validates Kubernetes objects against the API's published OpenAPI schemas, offline.
//
//   kubectl kustomize k8s/overlays/prod | node k8s/validate/validate.mjs
//
// Reads multi-document YAML on standard input; prints one line per problem
// ("Kind/name: path: message") and exits 1 when there is any, 0 otherwise. With --json it prints
// {"objects": [...], "problems": [...]} instead, for tests that go on to check invariants
// (tests/Resolver.Deployment.Tests).
// The schemas are the ones kubernetes-models compiles from the Kubernetes OpenAPI document.
//
// Stricter than the schemas alone: Kubernetes' schemas allow unknown fields (the API server
// drops them silently unless told --validate=strict), so a misspelt `readinesProbe` would pass.
// Each object is therefore walked through a Proxy while the compiled validator reads it: a field
// the validator never asked for is a field the schema does not define, and is reported as unknown.
// Objects the validator enumerates (maps such as labels, data, resources.limits) are maps; any key goes.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseAllDocuments } from "yaml";

// The schema module names follow the OpenAPI definition names: io.k8s.api.<group>.<version>.<Kind>.
const groups = {
  "": "Core",
  apps: "Apps",
  autoscaling: "Autoscaling",
  batch: "Batch",
  policy: "Policy",
  "networking.k8s.io": "Networking",
  "rbac.authorization.k8s.io": "Rbac",
  "storage.k8s.io": "Storage",
  "scheduling.k8s.io": "Scheduling",
};

const require = createRequire(import.meta.url);
const schemas = join(dirname(require.resolve("kubernetes-models/package.json")), "_schemas");

async function validatorFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const prefix = groups[group];
  if (prefix === undefined) {
    return undefined;
  }
  const file = join(schemas, `IoK8sApi${prefix}${version[0].toUpperCase()}${version.slice(1)}${kind}.js`);
  try {
    return (await import(pathToFileURL(file).href)).validate;
  } catch (error) {
    if (error.code === "ERR_MODULE_NOT_FOUND") {
      return undefined;
    }
    throw error;
  }
}

// Wraps value so that every property the validator reads, and every object it enumerates, is recorded.
function watched(value, path, seen) {
  if (value === null || typeof value !== "object") {
    return value;
  }
  const node = { value, path, read: new Set(), enumerated: false };
  seen.push(node);
  const children = new Map();
  return new Proxy(value, {
    get(target, key, receiver) {
      if (typeof key !== "string" || !Object.hasOwn(target, key)) {
        return Reflect.get(target, key, receiver);
      }
      node.read.add(key);
      if (!children.has(key)) {
        const childPath = Array.isArray(target) ? `${path}[${key}]` : `${path}.${key}`;
        children.set(key, watched(target[key], childPath, seen));
      }
      return children.get(key);
    },
    ownKeys(target) {
      node.enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
}

function unknownFields(seen) {
  const unknown = [];
  for (const node of seen) {
    if (Array.isArray(node.value) || node.enumerated) {
      continue;
    }
    for (const key of Object.keys(node.value)) {
      if (!node.read.has(key)) {
        unknown.push(`${node.path}.${key}`.replace(/^\./, ""));
      }
    }
  }
  return unknown;
}

// The compiled validators carry no messages; say what each keyword means.
function describe(error) {
  const p = error.params ?? {};
  switch (error.keyword) {
    case "type": return `must be ${p.type}`;
    case "required": return `missing required field ${p.missingProperty}`;
    case "enum": return `must be one of ${JSON.stringify(p.allowedValues)}`;
    case "format": return `must be a valid ${p.format}`;
    default: return `${error.keyword} ${JSON.stringify(p)}`;
  }
}

const json = process.argv.includes("--json");
const objects = [];
const problems = [];
const input = readFileSync(0, "utf8");
const documents = parseAllDocuments(input);
let count = 0;
for (const document of documents) {
  if (document.errors.length > 0) {
    problems.push(`YAML: ${document.errors.map((e) => e.message).join("; ")}`);
    continue;
  }
  const object = document.toJS();
  if (object === null || object === undefined) {
    continue;
  }
  count++;
  objects.push(object);
  const name = `${object.kind ?? "?"}/${object.metadata?.name ?? "?"}`;
  if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
    problems.push(`${name}: apiVersion and kind are required`);
    continue;
  }
  const validate = await validatorFor(object.apiVersion, object.kind);
  if (validate === undefined) {
    problems.push(`${name}: no schema for ${object.apiVersion} ${object.kind} (not a built-in Kubernetes type, or a removed version)`);
    continue;
  }
  const seen = [];
  const { apiVersion, kind, ...rest } = object;
  const valid = validate({ apiVersion, kind, ...Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, watched(v, `.${k}`, seen)])) });
  for (const error of valid ? [] : validate.errors ?? []) {
    const where = error.instancePath.replaceAll("/", ".") || ".";
    problems.push(`${name}: ${where}: ${describe(error)}`);
  }
  for (const field of unknownFields(seen)) {
    problems.push(`${name}: ${field}: unknown field (not in the ${object.apiVersion} ${object.kind} schema)`);
  }
}

if (json) {
  process.stdout.write(JSON.stringify({ objects, problems }));
} else {
  for (const problem of problems) {
    console.log(problem);
  }
}
console.error(`validate: ${count} objects, ${problems.length} problems`);
process.exit(problems.length === 0 && count > 0 ? 0 : 1);
