// Key Vault certificates with their policies, through @azure/keyvault-certificates against each vault's data plane
// (the vault's own vaultUri from Resource Graph): the vault's list of certificates (their attributes), then each
// certificate's policy. ARM holds neither; the certificate itself and its private key are never asked for. A vault
// that refuses (403: no data-plane role, or its firewall) or cannot be reached is left uncovered, so the checks over
// its certificates say `error`.
//
// The row's properties are the certificate policy in the names of Key Vault's policy model (lifetimeActions,
// action.actionType, x509CertificateProperties.validityInMonths), as the plan mapping of azurerm_key_vault_certificate
// writes them, so one check reads both: the data plane itself answers in snake case (lifetime_actions, x509_props).
import type { FullOperationResponse } from '@azure/core-client';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { CertificateClient } from '@azure/keyvault-certificates';
import type { Json, ResourceRow } from '../../model.js';
import { TOOL_VERSION } from '../../version.js';
import type { AzureConnection } from '../azure/connection.js';
import { armToRow } from '../resource-graph/arm-row.js';
import type { ChildKind, ListOptions, RetryOptions } from './child-lists.js';

const VAULTS = 'microsoft.keyvault/vaults';
const CERTIFICATES = `${VAULTS}/certificates`;

export function keyVaultCertificateKinds(connection: AzureConnection, retry?: RetryOptions): ChildKind[] {
  return [
    {
      childType: CERTIFICATES,
      parentType: VAULTS,
      readMarks: [`'${VAULTS}'`],
      noun: 'certificates',
      list: (vault, options, row) => listCertificates(connection, retry, vault, options, row),
      rowsOf: certificateRows,
    },
  ];
}

/** Every certificate of the vault, then each one's policy; each answer reaches `onResponse`. */
async function listCertificates(
  connection: AzureConnection,
  retry: RetryOptions | undefined,
  vault: string,
  { abortSignal, onResponse }: ListOptions,
  row: ResourceRow,
): Promise<void> {
  const vaultUri = (row.properties as { vaultUri?: unknown } | null)?.vaultUri;
  if (typeof vaultUri !== 'string' || !/^https:\/\//.test(vaultUri))
    throw new Error(`no https vaultUri in the properties of ${vault}`);
  // The pager asks for later pages without the caller's options: this policy gives every request, each page
  // included, the list's abort signal and hands every answer to onResponse.
  const answers: PipelinePolicy = {
    name: 'complineChildAnswers',
    async sendRequest(request, next) {
      const stop = abortSignal as AbortSignal;
      request.abortSignal = request.abortSignal ? AbortSignal.any([request.abortSignal as AbortSignal, stop]) : stop;
      const response = await next(request);
      onResponse(response as unknown as FullOperationResponse, undefined);
      return response;
    },
  };
  const client = new CertificateClient(vaultUri, connection.credential, {
    retryOptions: retry,
    userAgentOptions: { userAgentPrefix: `compline/${TOOL_VERSION}` },
    disableChallengeResourceVerification: !connection.verifyKeyVaultChallenge,
    additionalPolicies: [{ policy: answers, position: 'perCall' }],
  });
  // A certificate without a name has no policy to ask for; its absence from the answers leaves the vault uncovered.
  for await (const page of client.listPropertiesOfCertificates({ abortSignal }).byPage())
    for (const { name } of page) if (name) await client.getCertificatePolicy(name, { abortSignal });
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Key Vault's policy field names that are not their camel-cased selves in its policy model. */
const RENAMED: Record<string, string> = {
  key_props: 'keyProperties',
  secret_props: 'secretProperties',
  x509_props: 'x509CertificateProperties',
  validity_months: 'validityInMonths',
  sans: 'subjectAlternativeNames',
  issuer: 'issuerParameters',
  kty: 'keyType',
  crv: 'curve',
  cty: 'certificateType',
};
const camel = (k: string) => RENAMED[k] ?? k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function modelNames(v: unknown): Json {
  if (Array.isArray(v)) return v.map(modelNames);
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [camel(k), modelNames(x)]));
  return v as Json;
}

/** `https://<vault>/certificates/<name>[/policy]` → name. */
const certificateName = (id: unknown): string | null =>
  typeof id === 'string' ? (/\/certificates\/([^/?]+)/.exec(id)?.[1] ?? null) : null;

/**
 * One row per certificate the vault listed: its policy (model names) beside the list's attributes of the certificate
 * (enabled, exp, ... as epoch seconds), x5t and tags. A listed certificate whose policy did not come back makes the
 * vault's list incomplete.
 */
function certificateRows(bodies: readonly unknown[], vault: string): { rows: ResourceRow[]; problem: string | null } {
  const listed = new Map<string, Obj>();
  const policies = new Map<string, Obj>();
  for (const body of bodies) {
    if (!isObj(body)) return { rows: [], problem: 'answer without a JSON object' };
    if (Array.isArray(body.value)) {
      for (const item of body.value) {
        const name = isObj(item) ? certificateName(item.id) : null;
        if (!name) return { rows: [], problem: 'a listed certificate without an id' };
        listed.set(name.toLowerCase(), { ...item, name });
      }
    } else {
      const name = certificateName(body.id);
      if (!name) return { rows: [], problem: 'a certificate policy without an id' };
      policies.set(name.toLowerCase(), body);
    }
  }
  const rows: ResourceRow[] = [];
  for (const [key, cert] of [...listed].sort(([a], [b]) => a.localeCompare(b))) {
    const policy = policies.get(key);
    if (!policy) return { rows, problem: `the policy of certificate ${cert.name} did not come back` };
    // The policy's own attributes (when it was created, updated) say nothing of the certificate: the list's do.
    const { attributes: _policyAttributes, ...rest } = modelNames(policy) as Obj;
    const row = armToRow(
      {
        id: `${vault}/certificates/${cert.name}`,
        type: CERTIFICATES,
        tags: cert.tags,
        properties: { ...rest, attributes: cert.attributes ?? null, x5t: cert.x5t ?? null },
      },
      'live',
    );
    if (row) rows.push(row);
  }
  return { rows, problem: null };
}
