import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../config/app.config';
import { ROOT_LOGGER } from '../common/logger';
import { ApiKeyService } from './api-key.service';

/**
 * API start-up: make sure an admin key exists. A generated key is printed once to stdout as plain
 * text (not into the JSON log, which may be shipped elsewhere); only its hash is stored.
 */
@Injectable()
export class AdminKeyBootstrap implements OnApplicationBootstrap {
  constructor(
    private readonly config: AppConfig,
    private readonly keys: ApiKeyService,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const generated = await this.keys.ensureAdminKey(this.config.adminKey);
    if (this.config.adminKey) {
      this.logger.info('admin key from CONCORD_ADMIN_KEY is active');
    } else if (generated) {
      this.logger.warn('no admin key existed: generated one and printed it to stdout (shown once)');
      process.stdout.write(
        `\n  Concord admin key (shown once, store it now): ${generated}\n` +
          `  Use it as "Authorization: Bearer <key>". Set CONCORD_ADMIN_KEY to choose your own.\n\n`,
      );
    }
  }
}
