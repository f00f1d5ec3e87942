import { Global, Module } from '@nestjs/common';
import { AppConfig, loadConfig } from './app.config';

/** Provides the one {@link AppConfig} of the process (tests override it with `overrideProvider`). */
@Global()
@Module({
  providers: [{ provide: AppConfig, useFactory: loadConfig }],
  exports: [AppConfig],
})
export class ConfigModule {}
