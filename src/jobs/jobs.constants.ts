/** Queue and job names (DESIGN.md section 9: names are constants; BullMQ ids never contain ':'). */
export const QUEUE_AGREEMENT = 'agreement';
export const QUEUE_EVALUATE = 'evaluate';
/** One job per webhook delivery (event × subscription); worker in the worker process only. */
export const QUEUE_WEBHOOKS = 'webhooks';

export const JOB_AGREEMENT_DIMENSION = 'agreement-dimension';
export const JOB_EVALUATE = 'evaluate';
export const JOB_WEBHOOK_DELIVERY = 'webhook-delivery';

/** The one FlowProducer (registered in the infrastructure module; `@InjectFlowProducer(FLOW_PRODUCER)`). */
export const FLOW_PRODUCER = 'batch-flow';
