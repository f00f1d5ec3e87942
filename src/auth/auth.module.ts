import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminKeyBootstrap } from './admin-key.bootstrap';
import { ApiKey } from './api-key.entity';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyService } from './api-key.service';
import { DEFAULT_PRINCIPAL_CACHE_OPTIONS, PRINCIPAL_CACHE_OPTIONS } from './principal-cache';

/** API keys: the global guard, key issuance and the admin key at start. Imported by the API only. */
@Module({
  imports: [TypeOrmModule.forFeature([ApiKey])],
  providers: [
    ApiKeyRepository,
    ApiKeyService,
    AdminKeyBootstrap,
    { provide: PRINCIPAL_CACHE_OPTIONS, useValue: DEFAULT_PRINCIPAL_CACHE_OPTIONS },
    { provide: APP_GUARD, useClass: ApiKeyGuard },
  ],
  exports: [ApiKeyService],
})
export class AuthModule {}
