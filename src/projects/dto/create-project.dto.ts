import { z } from 'zod';
import { PolicySchema, ProjectSchemaDefinitionSchema } from '../project-settings';

/** Body of `POST /v1/projects`. */
export const CreateProjectBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    schema: ProjectSchemaDefinitionSchema.nullish(),
    policy: PolicySchema.nullish(),
  })
  .meta({ id: 'CreateProjectBody' });
export type CreateProjectBody = z.infer<typeof CreateProjectBody>;
