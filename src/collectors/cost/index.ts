// The cost source as configured: export files, a Blob container of exports, or the Cost Management Query API.
import type { LoadedConfig } from '../../config.js';
import { defaultCredential } from '../../reports/storage/blob-publisher.js';
import { azureConnection } from '../azure/connection.js';
import type { Collector } from '../collector.js';
import { CostBlobSource } from './blob-source.js';
import type { CostSource } from './config.js';
import { CostFileSource } from './file-source.js';
import { liveCost } from './query-source.js';

export function costSource(settings: CostSource, loaded: LoadedConfig, env: NodeJS.ProcessEnv): Collector {
  const { config } = loaded;
  if (settings.mode === 'file') return new CostFileSource(settings.paths, loaded.baseDir, settings.currency);
  if (settings.mode === 'blob')
    return new CostBlobSource(settings, env, () =>
      config.azure ? azureConnection(config.azure, env).credential : defaultCredential(),
    );
  // The config's cross-check requires the azure section for a live source.
  return liveCost(config.azure!, settings, config.mapping.tenant_tag, env);
}
