import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { Project } from './project.entity';
import type { Policy, ProjectSchemaDefinition } from './project-settings';

@Injectable()
export class ProjectRepository {
  constructor(@InjectRepository(Project) private readonly projects: Repository<Project>) {}

  create(input: { name: string; schema: ProjectSchemaDefinition | null; policy: Policy | null }): Promise<Project> {
    return this.projects.save(this.projects.create(input));
  }

  findById(id: string): Promise<Project | null> {
    return this.projects.findOne({ where: { id } });
  }

  /** Every project, newest first (admins). */
  listAll(): Promise<Project[]> {
    return this.projects.find({ order: { createdAt: 'DESC', id: 'DESC' } });
  }
}
