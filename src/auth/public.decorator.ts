import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'concord:public';

/** Marks a controller or route as open without an API key (health, metrics). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
