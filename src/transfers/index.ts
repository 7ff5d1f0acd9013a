export { createTransferAccounting, UNKNOWN_ORIGIN_HOST } from './transfer-accounting.js';
export type { TransferAccounting, TransferAccountingOptions, TransferIncrement, TransferReport, TransferStore, TransferSubject } from './transfer-accounting.js';
export { createPrismaTransferStore } from './transfer-store.js';
