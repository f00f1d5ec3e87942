import { Global, Module } from '@nestjs/common';
import { PinoNestLogger, rootLoggerProvider, ROOT_LOGGER } from './logger';
import { ShutdownLog } from './shutdown-log';

/** The one pino logger (ROOT_LOGGER) and Nest's adapter over it (PinoNestLogger), everywhere. */
@Global()
@Module({
  providers: [rootLoggerProvider, PinoNestLogger, ShutdownLog],
  exports: [ROOT_LOGGER, PinoNestLogger],
})
export class LoggerModule {}
