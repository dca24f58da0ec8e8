// `compline config validate|schema`.
import { configJsonSchema, loadConfig } from '../config.js';

export async function configValidate(path: string, today = new Date().toISOString().slice(0, 10)): Promise<string> {
  const { config } = await loadConfig(path);
  const expired = config.waivers.filter((w) => w.expires < today);
  const lines = [
    `${path}: valid — ${config.tenants.length} tenants, ${config.waivers.length} waivers, ${config.alerts.routes.length} alert routes`,
    ...expired.map((w) => `warning: waiver ${w.id} (${w.check}) expired on ${w.expires}; it no longer applies`),
  ];
  return lines.join('\n');
}

export function configSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
