// Consoles see the server only through this router type.
export type { AppRouter } from './trpc/router.ts';
