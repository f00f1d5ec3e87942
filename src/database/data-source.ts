import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app.config';
import { buildDataSourceOptions } from './typeorm.options';

/**
 * The DataSource for the TypeORM CLI and `npm run migration:run|revert` (compiled to
 * dist/database/data-source.js), built from the same options as the application's.
 */
export const dataSource = new DataSource(buildDataSourceOptions(loadConfig()));
export default dataSource;
