// JSON Schemas Compline publishes for editors and consumers, by path in the repository.
import { configJsonSchema } from './config.js';
import { gateJsonSchema } from './reports/gate/gate-result.js';
import { reportJsonSchema } from './reports/report-schema.js';

export const PUBLISHED_SCHEMAS: Record<string, () => object> = {
  'compline.schema.json': configJsonSchema,
  'schemas/report.v1.schema.json': reportJsonSchema,
  'schemas/gate-result.v1.schema.json': gateJsonSchema,
};

export const schemaText = (make: () => object): string => `${JSON.stringify(make(), null, 2)}\n`;
