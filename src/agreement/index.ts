/** The agreement core's public surface: the CLI and the worker import from here. */
export * from './types';
export * from './reliability';
export * from './alpha';
export * from './bootstrap';
export * from './kappa';
export * from './intervals';
export * from './assignment';
export * from './temporal';
export * from './boxes';
export * from './random';
export * from './numbers';
export * from './dataset';
export * from './analyze';
