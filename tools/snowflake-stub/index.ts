export { startSnowflakeStub } from './server.js';
export type { SnowflakeStub, SnowflakeStubOptions, StatementHandler, StubLogin, StubRequest, StubRoute, StubStatement } from './server.js';
export { copyResult, resultSet, sqlError, statusReply } from './replies.js';
export type { StubColumn, StubColumnType, StubReply } from './replies.js';
export { publicKeyFingerprint, verifySnowflakeJwt } from './jwt.js';
