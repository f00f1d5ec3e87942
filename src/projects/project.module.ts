import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module';
import { ProjectController } from './project.controller';
import { Project } from './project.entity';
import { ProjectRepository } from './project.repository';
import { ProjectService } from './project.service';
import { ProjectSettingsVersion } from './project-settings-version.entity';
import { ProjectSettingsController } from './project-settings.controller';
import { ProjectSettingsService } from './project-settings.service';

@Module({
  imports: [TypeOrmModule.forFeature([Project, ProjectSettingsVersion]), AuthModule],
  controllers: [ProjectController, ProjectSettingsController],
  providers: [ProjectRepository, ProjectService, ProjectSettingsService],
  exports: [ProjectService, ProjectSettingsService],
})
export class ProjectModule {}
