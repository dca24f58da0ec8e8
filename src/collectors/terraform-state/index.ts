// The terraform source as configured: a folder or Blob containers, with the tenants' key layout.
import { resolve } from 'node:path';
import type { Config, LoadedConfig } from '../../config.js';
import { defaultCredential } from '../../reports/storage/blob-publisher.js';
import { azureConnection } from '../azure/connection.js';
import { blobStore, folderStore } from './state-files.js';
import { TerraformStateSource } from './terraform-state-source.js';

export function terraformStateSource(
  settings: NonNullable<Config['sources']['terraform']>,
  loaded: LoadedConfig,
  env: NodeJS.ProcessEnv,
): TerraformStateSource {
  const { config } = loaded;
  if (settings.mode === 'folder')
    return new TerraformStateSource(
      folderStore(resolve(loaded.baseDir, settings.path), settings.account ?? null),
      settings.keys,
      config.tenants,
    );
  const store = blobStore(settings, env, () =>
    config.azure ? azureConnection(config.azure, env).credential : defaultCredential(),
  );
  return new TerraformStateSource(store, settings.keys, config.tenants, settings.max_mb * 1024 ** 2);
}
