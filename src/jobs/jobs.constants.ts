/** Queue and job names (DESIGN.md section 9: names are constants; BullMQ ids never contain ':'). */
export const QUEUE_AGREEMENT = 'agreement';
export const QUEUE_EVALUATE = 'evaluate';

export const JOB_AGREEMENT_DIMENSION = 'agreement-dimension';
export const JOB_EVALUATE = 'evaluate';

/** The one FlowProducer (registered in the infrastructure module; `@InjectFlowProducer(FLOW_PRODUCER)`). */
export const FLOW_PRODUCER = 'batch-flow';
