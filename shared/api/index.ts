/**
 * The API contract both ends build from: domain shapes with their zod
 * schemas, error codes, the route table and the socket event maps. Pure:
 * zod and shared/ only.
 */
export * from './audit';
export * from './errors';
export * from './members';
export * from './rounds';
export * from './routes';
export * from './sessions';
export * from './socket';
