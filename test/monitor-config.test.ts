// sources.monitor in compline.yaml: defaults, refused keys and values, and the endpoints a live source needs.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';

const SUB = '6e8d9f20-2c4b-4e1f-8a66-1b2c3d4e5f60';
const WS = '3f2e1d0c-9b8a-4765-8432-10fedcba9876';
const config = (monitor: string, cloud = 'public') => `version: 1
tenants:
  - { id: acme, name: Acme, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod] }
azure: { cloud: ${cloud}, subscriptions: [${SUB}] }
sources:
  resource_graph: { mode: live }
  monitor: ${monitor}
`;
const CUSTOM = '{ arm_endpoint: "https://arm.example", authority_host: "https://login.example" }';

describe('sources.monitor', () => {
  it('takes live defaults: 14 days, hourly, batches of 50, 4 at once, no clusters', () => {
    expect(parseConfig(config('{ mode: live }'), 'c.yaml').sources.monitor).toEqual({
      mode: 'live',
      lookback_days: 14,
      interval: 'PT1H',
      batch_size: 50,
      concurrency: 4,
      workspaces: [],
    });
  });

  it.each([
    ['a batch beyond the service limit', '{ mode: live, batch_size: 51 }', /c\.yaml: sources\.monitor\.batch_size: /],
    ['an interval the rules were not written for', '{ mode: live, interval: PT1M }', /c\.yaml: sources\.monitor\.interval: /],
    [
      'a workspace that is not a workspace id',
      '{ mode: live, workspaces: [{ cluster: aks, workspace_id: law-prod }] }',
      /sources\.monitor\.workspaces\[0\]\.workspace_id: /,
    ],
    [
      'an unknown key',
      `{ mode: live, workspace: [{ cluster: aks, workspace_id: ${WS} }] }`,
      /sources\.monitor: unknown key workspace/,
    ],
    ['a file source without paths', '{ mode: file }', /sources\.monitor\.paths: /],
  ])('refuses %s, naming the path', (_name, monitor, message) => {
    expect(() => parseConfig(config(monitor), 'c.yaml')).toThrow(message);
  });

  it('asks a cloud spelt out for the metrics endpoint, and for Log Analytics when clusters are named', () => {
    expect(() =>
      parseConfig(config(`{ mode: live, workspaces: [{ cluster: aks, workspace_id: ${WS} }] }`, CUSTOM), 'c.yaml'),
    ).toThrow(
      /c\.yaml: azure\.cloud\.metrics_endpoint: required for sources\.monitor\.mode: live\nc\.yaml: azure\.cloud\.log_analytics_endpoint: required for sources\.monitor\.workspaces/,
    );
    const spelt = CUSTOM.replace(' }', ', metrics_endpoint: "https://metrics.example" }');
    expect(parseConfig(config('{ mode: live }', spelt), 'c.yaml').sources.monitor?.mode).toBe('live');
  });

  it('needs the azure connection live', () => {
    const text = config('{ mode: live }')
      .replace(/azure: .*\n/, '')
      .replace('resource_graph: { mode: live }', 'resource_graph: { mode: file, paths: [x] }');
    expect(() => parseConfig(text, 'c.yaml')).toThrow(/c\.yaml: azure: required for sources\.monitor\.mode: live/);
  });
});
