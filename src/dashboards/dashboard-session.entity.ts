import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { ApiKey } from '../auth/api-key.entity';

/** Table `dashboard_sessions`: a browser's sign-in, made from an API key; only the token's SHA-256 is stored. */
@Entity({ name: 'dashboard_sessions' })
@Unique('uq_dashboard_sessions_token_hash', ['tokenHash'])
@Index('idx_dashboard_sessions_key', ['keyId'])
@Index('idx_dashboard_sessions_expires', ['expiresAt'])
export class DashboardSession {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_dashboard_sessions' })
  id!: string;

  /** The API key the session was made from: its role and scope are the session's. */
  @Column('uuid', { name: 'key_id' })
  @ForeignKey(() => ApiKey, { name: 'fk_dashboard_sessions_key', onDelete: 'CASCADE' })
  keyId!: string;

  /** Hex SHA-256 of the cookie's token. */
  @Column('text', { name: 'token_hash' })
  tokenHash!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt!: Date;
}
