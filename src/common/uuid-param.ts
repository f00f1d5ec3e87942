import { Injectable, Param, type PipeTransform } from '@nestjs/common';
import { DomainError } from './domain-error';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id that is not a UUID names nothing: NOT_FOUND, like an unknown id (not 422). */
@Injectable()
export class ParseResourceIdPipe implements PipeTransform<string, string> {
  constructor(private readonly resource: string) {}

  transform(value: string): string {
    if (!UUID.test(value)) throw DomainError.notFound(this.resource, value);
    return value.toLowerCase();
  }
}

/** `@IdParam('projectId', 'Project') projectId: string`. */
export function IdParam(name: string, resource: string): ParameterDecorator {
  return Param(name, new ParseResourceIdPipe(resource));
}
