import { useMutation, useQueryClient } from '@tanstack/react-query';
import { loginCodeSchema, requestCodeInputSchema } from '@janix/schemas';
import { useState, type FormEvent } from 'react';
import { DevMailboxPanel } from '../components/dev-mailbox-panel.tsx';
import { ErrorAlert } from '../components/error-alert.tsx';
import { FormField } from '../components/form-field.tsx';
import { useTRPC, type LocalStatus } from '../trpc.ts';

function firstIssue(result: {
  success: boolean;
  error?: { issues: { message: string }[] };
}): string | undefined {
  const message = result.success ? undefined : result.error?.issues[0]?.message;
  return message ? message.charAt(0).toUpperCase() + message.slice(1) : undefined;
}

/** Email, then the six-digit code mailed to it. */
export function SignInScreen({ device }: { device: LocalStatus['device'] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [step, setStep] = useState<'email' | 'code'>('email');
  const [email, setEmail] = useState('');
  const [code, setCode] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();

  const requestCode = useMutation(
    trpc.auth.requestCode.mutationOptions({
      onSuccess: () => {
        setStep('code');
        setCode('');
        void queryClient.invalidateQueries(trpc.devMailbox.pathFilter());
      },
    }),
  );
  const verifyCode = useMutation(
    trpc.auth.verifyCode.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.status.queryFilter()),
    }),
  );

  function submitEmail(event: FormEvent) {
    event.preventDefault();
    const parsed = requestCodeInputSchema.safeParse({ email });
    setFieldError(firstIssue(parsed));
    if (parsed.success) requestCode.mutate(parsed.data);
  }

  function submitCode(event: FormEvent) {
    event.preventDefault();
    const parsed = loginCodeSchema.safeParse(code);
    setFieldError(firstIssue(parsed));
    if (parsed.success) verifyCode.mutate({ email, code: parsed.data });
  }

  function useAnotherEmail() {
    setStep('email');
    setFieldError(undefined);
    requestCode.reset();
    verifyCode.reset();
  }

  return (
    <div className="auth-layout">
      <main className="card auth-card">
        <p className="brand brand-on-light">Janix Console</p>
        <h1>Sign in</h1>
        {device && (
          <p className="muted">
            This console is enrolled for <strong>{device.orgName}</strong> as “{device.name}”.
          </p>
        )}
        {step === 'email' ? (
          <form onSubmit={submitEmail} noValidate className="form">
            <p className="muted">We will email you a six-digit sign-in code.</p>
            <FormField label="Email" error={fieldError}>
              {(props) => (
                <input
                  {...props}
                  type="email"
                  name="email"
                  autoComplete="email"
                  autoFocus
                  value={email}
                  onChange={(event) => setEmail(event.target.value)}
                />
              )}
            </FormField>
            <ErrorAlert error={requestCode.error} />
            <div className="form-actions">
              <button type="submit" className="button button-primary" disabled={requestCode.isPending}>
                Send code
              </button>
            </div>
          </form>
        ) : (
          <form onSubmit={submitCode} noValidate className="form">
            <p className="muted">
              If <strong>{email.trim()}</strong> has a Janix account, a code is on its way. It expires in 10
              minutes.
            </p>
            <FormField label="Sign-in code" error={fieldError}>
              {(props) => (
                <input
                  {...props}
                  type="text"
                  name="code"
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  maxLength={6}
                  autoFocus
                  className="input-code"
                  value={code}
                  onChange={(event) => setCode(event.target.value)}
                />
              )}
            </FormField>
            <ErrorAlert error={verifyCode.error} />
            <div className="form-actions">
              <button type="submit" className="button button-primary" disabled={verifyCode.isPending}>
                Sign in
              </button>
              <button type="button" className="button button-secondary" onClick={useAnotherEmail}>
                Use another email
              </button>
            </div>
          </form>
        )}
      </main>
      <DevMailboxPanel />
    </div>
  );
}
