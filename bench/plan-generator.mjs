// Generates large `terraform show -json` plans the way multi-tenant platforms grow them: one tenant
// module instantiated with for_each, each instance a copy of a template plan, names varied per instance.
// Templates: our azurerm 4.x platform stack (test/fixtures/plans/platform-azurerm4.plan.json, lean: only
// the attributes it sets), the same stack re-planned against an existing estate (`estate`: every schema
// attribute, prior_state, full before and after, as Terraform 1.9 writes it), or a real Terraform 0.12 plan
// from ../shared/real (every attribute, as Terraform writes them).
import { readFileSync } from 'node:fs';
import { SCHEMA } from './azurerm4-schema.mjs';

export const TEMPLATES = {
  platform: new URL('../test/fixtures/plans/platform-azurerm4.plan.json', import.meta.url),
  // The platform stack re-planned against an existing estate (generateEstatePlan below).
  estate: new URL('../test/fixtures/plans/platform-azurerm4.plan.json', import.meta.url),
  real: new URL('../../shared/real/a_terraform_plan/tfcompliance_issue-294_nsg_ssh_rdp_v0.12.plan.json', import.meta.url),
};

const prefix = (key) => `module.tenant["${key}"]`;

/** An ARM id of one instance: every name in it (group, resource, child) carries the instance key. */
function varyId(id, key) {
  const parts = id.split('/');
  for (let i = 4; i < parts.length; i++) if (i === 4 || (i >= 8 && i % 2 === 0)) parts[i] = `${parts[i]}-${key}`;
  return parts.join('/');
}

/** Values of one instance: its own name and ARM ids, so instances never share ids or references. */
function varyValues(v, key) {
  if (typeof v === 'string') return /^\/subscriptions\/[^/]+\/resourceGroups\//i.test(v) ? varyId(v, key) : v;
  if (Array.isArray(v)) return v.map((x) => varyValues(x, key));
  if (!v || typeof v !== 'object') return v;
  const out = {};
  for (const [k, x] of Object.entries(v)) out[k] = varyValues(x, key);
  return out;
}

function renameValues(values, key) {
  if (!values || typeof values !== 'object') return values;
  const out = varyValues(values, key);
  if (typeof out.name === 'string') out.name = `${out.name}-${key}`.slice(0, 63);
  return out;
}

function rewriteModule(mod, key) {
  return {
    ...(mod.address ? { address: `${prefix(key)}.${mod.address}` } : { address: prefix(key) }),
    resources: (mod.resources ?? []).map((r) => ({
      ...r,
      address: `${prefix(key)}.${r.address}`,
      values: renameValues(r.values, key),
    })),
    child_modules: (mod.child_modules ?? []).map((c) => rewriteModule(c, key)),
  };
}

export function countResources(mod) {
  return (mod.resources ?? []).length + (mod.child_modules ?? []).reduce((n, c) => n + countResources(c), 0);
}

/** A plan with at least `target` resource changes, and how many it has. */
export function generatePlan(target, template = 'platform') {
  if (template === 'estate') return generateEstatePlan(target);
  const TEMPLATE = JSON.parse(readFileSync(TEMPLATES[template], 'utf8'));
  const perInstance = TEMPLATE.resource_changes.length;
  const instances = Math.ceil(target / perInstance);
  const keys = Array.from({ length: instances }, (_, i) => `t${String(i).padStart(5, '0')}`);
  const changes = [];
  const children = [];
  for (const key of keys) {
    children.push(rewriteModule(TEMPLATE.planned_values.root_module, key));
    for (const rc of TEMPLATE.resource_changes) {
      changes.push({
        ...rc,
        address: `${prefix(key)}.${rc.address}`,
        module_address: rc.module_address ? `${prefix(key)}.${rc.module_address}` : prefix(key),
        change: { ...rc.change, after: renameValues(rc.change.after, key), before: renameValues(rc.change.before, key) },
      });
    }
  }
  const plan = {
    format_version: TEMPLATE.format_version,
    terraform_version: TEMPLATE.terraform_version,
    planned_values: { root_module: { resources: [], child_modules: children } },
    resource_changes: changes,
    configuration: {
      provider_config: TEMPLATE.configuration.provider_config ?? {},
      root_module: {
        module_calls: {
          tenant: {
            source: './modules/tenant',
            for_each_expression: { references: ['var.tenants'] },
            module: TEMPLATE.configuration.root_module,
          },
        },
      },
    },
    timestamp: '2026-11-25T00:00:00Z',
    applyable: true,
    complete: true,
    errored: false,
  };
  return {
    plan,
    resourceChanges: changes.length,
    plannedResources: instances * countResources(TEMPLATE.planned_values.root_module),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Template `estate`: the platform stack re-planned against an existing estate, as Terraform 1.9 writes a
// saved plan then. Every resource already exists, so its values are full (bench/azurerm4-schema.mjs:
// schema defaults ∪ computed values ∪ the values the fixture sets, the fixture winning; a block the fixture
// sets keeps the fixture's elements, completed attribute by attribute from the schema's element). The plan
// carries prior_state, planned_values and resource_changes with full before AND after (mostly no-op, every
// 10th otherwise unchanged resource an update of its tags); the template's update, delete and replace keep
// their actions, a replace's computed attributes being unknown again after it.
//
// Size: ~7.9 KB per resource change (each value set is written four times: prior_state, planned_values,
// before, after; a storage account's values are ~6.4 KB, an AKS cluster's ~12 KB), so ~75 MB at 10k and
// ~390 MB at 50k resources. V8 strings stop at ~512 MB: neither JSON.stringify here nor readFileSync(…,
// 'utf8') in the gate can hold a bigger plan, so bench/gate.mjs skips sizes whose estimated file exceeds
// MAX_PLAN_BYTES (estimatePlan below) rather than crash.

/** Files above this are not generated: V8 strings stop at ~512 MB. */
export const MAX_PLAN_BYTES = 480 * 1024 ** 2;

/** Bytes and resource changes of the plan generatePlan(target) writes, from one generated instance. */
export function estimatePlan(target, template = 'platform') {
  const one = generatePlan(1, template);
  const instances = Math.ceil(target / one.resourceChanges);
  return { bytes: JSON.stringify(one.plan).length * instances, resourceChanges: one.resourceChanges * instances };
}

// Arguments the template only knows after apply (their configuration reads each.value / var), as the existing
// estate holds them.
const ESTATE_KNOWN = { azurerm_network_security_rule: { source_address_prefix: 'VirtualNetwork' } };

const isObj = (x) => typeof x === 'object' && x !== null && !Array.isArray(x);
const sortKeys = (o) =>
  Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  );

function fnv(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}
const hex32 = (seed) => fnv(`${seed}a`) + fnv(`${seed}b`) + fnv(`${seed}c`) + fnv(`${seed}d`);
const uuid = (seed) => {
  const h = hex32(seed);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/** Terraform's SensitiveAsBool: true for a sensitive attribute, lists mirrored element by element, false leaves omitted in objects. */
function mirror(v) {
  if (Array.isArray(v)) return v.map(mirror);
  if (!isObj(v)) return false;
  const out = {};
  for (const k of Object.keys(v)) {
    const m = mirror(v[k]);
    if (m !== false) out[k] = m;
  }
  return out;
}
function sensitiveMirror(values, sensitive) {
  const out = mirror(values);
  for (const path of sensitive) {
    const [top, inner] = path.split('.');
    if (!(top in values)) continue;
    if (!inner) out[top] = true;
    else if (Array.isArray(values[top]))
      out[top] = values[top].map((e, i) => (isObj(e) && inner in e ? { ...out[top][i], [inner]: true } : out[top][i]));
  }
  return out;
}

/** A block the fixture sets: its elements, each completed from the schema's element. */
function mergeBlock(def, fix, shape) {
  if (!Array.isArray(fix) || fix.length === 0 || !fix.every(isObj)) return fix;
  const elem = shape ?? (Array.isArray(def) && isObj(def[0]) ? def[0] : null);
  if (!elem) return fix;
  return fix.map((f) => {
    const out = { ...elem };
    for (const k of Object.keys(f)) out[k] = mergeBlock(elem[k], f[k], undefined);
    return sortKeys(out);
  });
}

/** Replace {@attr} / {@attr:last} in the strings under v with this resource's final values. */
function resolveSelf(v, values) {
  if (typeof v === 'string') {
    if (!v.includes('{@')) return v;
    return v.replace(/\{@(\w+)(:last)?\}/g, (_, attr, last) => {
      const x = values[attr];
      const s = typeof x === 'string' ? x : '';
      return last ? s.slice(s.lastIndexOf('/') + 1).split('.')[0] : s;
    });
  }
  if (Array.isArray(v)) return v.map((e) => resolveSelf(e, values));
  if (isObj(v)) {
    const out = {};
    for (const k of Object.keys(v)) out[k] = resolveSelf(v[k], values);
    return out;
  }
  return v;
}

function prepareEstate() {
  const T = JSON.parse(readFileSync(TEMPLATES.platform, 'utf8'));
  const sub = T.resource_changes.find((rc) => rc.mode === 'data' && rc.change.after?.subscription_id)?.change.after
    .subscription_id;
  const tenant = T.resource_changes.map((rc) => rc.change.after?.tenant_id).find((t) => typeof t === 'string');
  // Configuration expressions and module outputs, by module path ('' for the root module).
  const config = new Map();
  const outputs = new Map();
  const walk = (mod, path) => {
    for (const r of mod.resources ?? []) config.set(`${path ? `${path}.` : ''}${r.address}`, r.expressions ?? {});
    for (const [name, call] of Object.entries(mod.module_calls ?? {})) {
      const p = `${path ? `${path}.` : ''}module.${name}`;
      outputs.set(p, call.module?.outputs ?? {});
      walk(call.module ?? {}, p);
    }
  };
  walk(T.configuration.root_module, '');
  // Ids the fixture already knows (existing resources): other resources' values that equal them follow the renamed resource.
  const knownIds = new Map();
  for (const rc of T.resource_changes) {
    for (const v of [rc.change.before, rc.change.after]) if (typeof v?.id === 'string') knownIds.set(v.id, rc.address);
  }
  // One JSON text per type with every placeholder still in it, filled per instance.
  const texts = new Map(
    Object.entries(SCHEMA).map(([type, s]) => [
      type,
      JSON.stringify({ args: s.args, computed: s.computed, shapes: s.shapes ?? {}, id: s.id }),
    ]),
  );
  const planned = new Map();
  const walkPlanned = (mod) => {
    for (const r of mod.resources ?? []) planned.set(r.address, r);
    for (const c of mod.child_modules ?? []) walkPlanned(c);
  };
  walkPlanned(T.planned_values.root_module);
  return { T, sub, tenant, config, outputs, knownIds, texts, planned };
}

function generateEstatePlan(target) {
  const E = prepareEstate();
  const { T } = E;
  const perInstance = T.resource_changes.length;
  const instances = Math.ceil(target / perInstance);
  const byAddress = new Map(T.resource_changes.map((rc) => [rc.address, rc]));
  const changes = [];
  const plannedChildren = [];
  const priorChildren = [];
  const relevant = [];
  let managedSeen = 0;

  for (let i = 0; i < instances; i++) {
    const key = `t${String(i).padStart(5, '0')}`;
    const pre = prefix(key);
    const existing = new Map(); // template address → full values of the existing resource
    const inProgress = new Set();

    const ctxOf = (rc, lean) => {
      const seed = `${rc.address}|${key}`;
      const name = typeof lean?.name === 'string' ? `${lean.name}-${key}`.slice(0, 63) : `${rc.name}-${key}`;
      let fakes = 0;
      return {
        sub: E.sub,
        tenant: E.tenant,
        key,
        name,
        rg: typeof lean?.resource_group_name === 'string' ? lean.resource_group_name : `rg-${key}`,
        loc: typeof lean?.location === 'string' ? lean.location : 'westeurope',
        u1: uuid(`${seed}1`),
        u2: uuid(`${seed}2`),
        u3: uuid(`${seed}3`),
        u4: uuid(`${seed}4`),
        hex: hex32(seed),
        n: String(4 + (Number.parseInt(fnv(seed), 16) % 250)),
        get fake() {
          fakes++;
          return `FAKEKEY${hex32(`${seed}f${fakes}`)}${hex32(`${seed}g${fakes}`)}`;
        },
      };
    };

    /** The value a configuration reference (e.g. `azurerm_storage_account.sa["data"].id`) has in this instance. */
    const resolveRef = (ref, modulePath, rc) => {
      if (ref.startsWith('data.azurerm_subscription.')) return `/subscriptions/${E.sub}`;
      const m = /^module\.(\w+)\.(\w+)$/.exec(ref);
      if (m) {
        const p = `${modulePath ? `${modulePath}.` : ''}module.${m[1]}`;
        const out = E.outputs.get(p)?.[m[2]]?.expression?.references?.[0];
        return out ? resolveRef(out, p, rc) : undefined;
      }
      const r = /^((?:azurerm|random)_\w+\.\w+(?:\[[^\]]+\])?)\.(\w+)$/.exec(ref.replace('[count.index]', `[${rc.index}]`));
      if (!r) return undefined;
      const addr = `${modulePath ? `${modulePath}.` : ''}${r[1]}`;
      return byAddress.has(addr) ? fullValues(byAddress.get(addr))[r[2]] : undefined;
    };

    /** Lean values → full values for this instance; withComputed false for a replacement's after (computed unknown). */
    const build = (rc, lean, withComputed) => {
      const s = SCHEMA[rc.type];
      const ctx = ctxOf(rc, lean);
      const fixture = {};
      for (const [k, v] of Object.entries(lean ?? {}))
        fixture[k] = k === 'name' && typeof v === 'string' ? ctx.name : rewriteIds(v);
      if (!s) return fixture;
      const modulePath = rc.module_address ?? '';
      for (const [attr, expr] of Object.entries(
        E.config.get(`${modulePath ? `${modulePath}.` : ''}${rc.type}.${rc.name}`) ?? {},
      )) {
        if (attr in fixture || !(attr in s.args) || !expr?.references?.[0]) continue;
        const v = resolveRef(expr.references[0], modulePath, rc);
        if (v !== undefined) fixture[attr] = v;
      }
      for (const [attr, v] of Object.entries(ESTATE_KNOWN[rc.type] ?? {})) if (!(attr in fixture)) fixture[attr] = v;
      const filled = JSON.parse(
        E.texts.get(rc.type).replace(/\{(sub|tenant|key|name|rg|loc|u1|u2|u3|u4|hex|n|fake)\}/g, (_, p) => ctx[p]),
      );
      const values = { ...filled.args, ...(withComputed ? filled.computed : {}) };
      for (const [k, v] of Object.entries(fixture)) values[k] = mergeBlock(values[k], v, filled.shapes[k]);
      for (const [dep, repl] of Object.entries(s.mirrors ?? {})) values[dep] = values[repl];
      if (withComputed) {
        for (const k of Object.keys(filled.computed)) values[k] = resolveSelf(values[k], values);
        for (const k of Object.keys(filled.shapes)) if (k in fixture) values[k] = resolveSelf(values[k], values);
        values.id = resolveSelf(filled.id, values);
      } else delete values.id;
      return sortKeys(values);
    };

    const rewriteIds = (v) => {
      if (typeof v === 'string') {
        const addr = E.knownIds.get(v);
        return addr ? fullValues(byAddress.get(addr)).id : v;
      }
      if (Array.isArray(v)) return v.map(rewriteIds);
      if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rewriteIds(x)]));
      return v;
    };

    /** Full values of the resource as it exists before this plan. */
    function fullValues(rc) {
      let v = existing.get(rc.address);
      if (v) return v;
      if (inProgress.has(rc.address)) return {};
      inProgress.add(rc.address);
      v = build(rc, rc.change.before ?? rc.change.after, true);
      inProgress.delete(rc.address);
      existing.set(rc.address, v);
      return v;
    }

    const modules = new Map(); // module address ('' root) → { planned: [], prior: [] }
    const modOf = (ma) => {
      if (!modules.has(ma)) modules.set(ma, { planned: [], prior: [] });
      return modules.get(ma);
    };
    modOf('');
    for (const rc of T.resource_changes) {
      const address = `${pre}.${rc.address}`;
      const module_address = rc.module_address ? `${pre}.${rc.module_address}` : pre;
      const meta = {
        address,
        mode: rc.mode,
        type: rc.type,
        name: rc.name,
        ...(rc.index !== undefined ? { index: rc.index } : {}),
        provider_name: rc.provider_name,
        schema_version: E.planned.get(rc.address)?.schema_version ?? 0,
      };
      const mod = modOf(rc.module_address ?? '');
      if (rc.mode === 'data') {
        const change = { ...rc.change, after: renameValues(rc.change.after, key), before: renameValues(rc.change.before, key) };
        changes.push({ ...rc, address, module_address, change });
        const p = E.planned.get(rc.address);
        if (p) mod.planned.push({ ...p, address, values: change.after });
        continue;
      }
      const s = SCHEMA[rc.type] ?? { sensitive: [], args: {} };
      const tpl = rc.change.actions;
      const before = fullValues(rc);
      let actions;
      let after;
      let afterUnknown = {};
      if (tpl.includes('delete') && tpl.includes('create')) {
        actions = tpl;
        after = build(rc, rc.change.after, false);
        afterUnknown = { ...rc.change.after_unknown };
        for (const k of Object.keys(s.computed ?? {})) afterUnknown[k] = true;
        afterUnknown.id = true;
        for (const [k, u] of Object.entries(afterUnknown)) if (u === true) delete after[k];
      } else if (tpl.includes('delete')) {
        actions = tpl;
        after = null;
      } else if (tpl.includes('update')) {
        actions = tpl;
        after = build(rc, rc.change.after, true);
      } else if (managedSeen++ % 10 === 0 && 'tags' in s.args) {
        actions = ['update'];
        after = { ...before, tags: { ...(before.tags ?? {}), 'cost-centre': 'cc-4711' } };
      } else {
        actions = ['no-op'];
        after = before;
      }
      const beforeSensitive = sensitiveMirror(before, s.sensitive);
      const afterSensitive = after === null ? false : after === before ? beforeSensitive : sensitiveMirror(after, s.sensitive);
      changes.push({
        address,
        module_address,
        mode: rc.mode,
        type: rc.type,
        name: rc.name,
        ...(rc.index !== undefined ? { index: rc.index } : {}),
        provider_name: rc.provider_name,
        change: {
          actions,
          before,
          after,
          after_unknown: afterUnknown,
          before_sensitive: beforeSensitive,
          after_sensitive: afterSensitive,
        },
        ...(rc.action_reason ? { action_reason: rc.action_reason } : {}),
      });
      mod.prior.push({ ...meta, values: before, sensitive_values: beforeSensitive });
      if (after !== null) mod.planned.push({ ...meta, values: after, sensitive_values: afterSensitive });
    }
    // A few attributes the configuration reads from other resources, as Terraform lists them.
    for (const [addr, exprs] of E.config) {
      if (relevant.length >= 3 * (i + 1)) break;
      const ref = Object.values(exprs).find((e) => /^azurerm_\w+\.\w+(\["[^\]]+\])?\.id$/.test(e?.references?.[0] ?? ''))
        ?.references[0];
      if (!ref) continue;
      const path = addr.split('.').slice(0, -2).join('.');
      relevant.push({ resource: `${pre}.${path ? `${path}.` : ''}${ref.slice(0, -3)}`, attribute: ['id'] });
    }
    const tree = (which) => ({
      address: pre,
      resources: modules.get('')[which],
      child_modules: [...modules.keys()]
        .filter((m) => m !== '')
        .map((m) => ({ address: `${pre}.${m}`, resources: modules.get(m)[which] })),
    });
    plannedChildren.push(tree('planned'));
    priorChildren.push(tree('prior'));
  }

  const plan = {
    format_version: '1.2',
    terraform_version: T.terraform_version,
    variables: T.variables,
    planned_values: { root_module: { resources: [], child_modules: plannedChildren } },
    resource_drift: [],
    resource_changes: changes,
    prior_state: {
      format_version: '1.0',
      terraform_version: T.terraform_version,
      values: { root_module: { resources: [], child_modules: priorChildren } },
    },
    configuration: {
      provider_config: T.configuration.provider_config ?? {},
      root_module: {
        module_calls: {
          tenant: {
            source: './modules/tenant',
            for_each_expression: { references: ['var.tenants'] },
            module: T.configuration.root_module,
          },
        },
      },
    },
    relevant_attributes: relevant,
    timestamp: '2026-11-25T00:00:00Z',
    applyable: true,
    complete: true,
    errored: false,
  };
  return { plan, resourceChanges: changes.length, plannedResources: changes.length };
}
