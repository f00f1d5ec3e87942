import { Global, Module } from '@nestjs/common';
import { SESSION_AUTHENTICATOR } from '../auth/api-key.guard';
import { AuthModule } from '../auth/auth.module';
import { ProjectModule } from '../projects/project.module';
import { DashboardDataController } from './dashboard-data.controller';
import { DashboardDataRepository } from './dashboard-data.repository';
import { DashboardDataService } from './dashboard-data.service';
import { DashboardSessionRepository } from './dashboard-session.repository';
import { DashboardSessionService } from './dashboard-session.service';
import { DashboardStaticController } from './dashboard-static.controller';
import { SessionController } from './session.controller';

/**
 * The QA dashboards: static pages at /dashboards/, cookie sign-in at /v1/session and the aggregate
 * endpoints the pages read. Global only to hand the API-key guard (in AuthModule) its optional
 * SESSION_AUTHENTICATOR without AuthModule importing this module (no cycle).
 */
@Global()
@Module({
  imports: [AuthModule, ProjectModule],
  controllers: [SessionController, DashboardDataController, DashboardStaticController],
  providers: [
    DashboardSessionRepository,
    DashboardSessionService,
    DashboardDataRepository,
    DashboardDataService,
    { provide: SESSION_AUTHENTICATOR, useExisting: DashboardSessionService },
  ],
  exports: [SESSION_AUTHENTICATOR],
})
export class DashboardsModule {}
