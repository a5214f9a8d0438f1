import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { takeLaunchSecret } from './launch-secret-store.ts';
import { createLocalCoreClient, TRPCProvider } from './trpc.ts';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    // The core is local: a failure is an answer (offline, not signed in), not a flaky network to retry.
    queries: { retry: false, refetchOnWindowFocus: true },
    mutations: { retry: false },
  },
});
const launchSecret = window.janixBridge
  ? null
  : takeLaunchSecret(window.location, window.sessionStorage, (url) =>
      window.history.replaceState(null, '', url),
    );
const trpcClient = createLocalCoreClient(window.janixBridge, launchSecret);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <App needsLaunchLink={!window.janixBridge && launchSecret === null} />
      </TRPCProvider>
    </QueryClientProvider>
  </StrictMode>,
);
