import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app.config';
import {
  DestinationPolicy,
  resolveDestination,
  resolveWithDns,
  type ResolvedAddress,
  UnsafeDestinationError,
  urlShapeProblem,
} from './webhook-destination';

/**
 * The URL check of webhooks, twice: when a URL is set (a 422 naming `url`) and before every
 * attempt (the host may resolve elsewhere by then: DNS rebinding), whose checked addresses are the
 * ones the request connects to.
 */
@Injectable()
export class WebhookDestinationGuard {
  private readonly policy: DestinationPolicy;

  constructor(config: AppConfig) {
    this.policy = new DestinationPolicy(config.webhookAllowlist);
  }

  async assertAcceptable(raw: string): Promise<void> {
    const shape = urlShapeProblem(raw);
    const problem = shape ?? (await this.refusal(new URL(raw)));
    if (problem !== null) throw DomainError.invalidInput('The webhook URL is not acceptable.', [{ path: 'url', message: problem }]);
  }

  /** The addresses to connect to; throws UnsafeDestinationError when the policy refuses the URL now. */
  resolve(url: URL): Promise<ResolvedAddress[]> {
    return resolveDestination(url, this.policy, resolveWithDns);
  }

  private async refusal(url: URL): Promise<string | null> {
    try {
      await this.resolve(url);
      return null;
    } catch (error) {
      if (error instanceof UnsafeDestinationError) return error.message;
      throw error;
    }
  }
}
