import { DEMO_OWNER_EMAIL } from '@janix/testkit';
import { latestSignInCode, type TestServer } from '@janix/server/testing';
import type { LocalCore } from '../src/index.ts';

/** Signs a console in as the demo owner (code read from the dev mailbox) and enrolls it. */
export async function signInAndEnroll(
  core: LocalCore,
  server: TestServer,
  deviceName: string,
): Promise<void> {
  await core.caller.auth.requestCode({ email: DEMO_OWNER_EMAIL });
  await core.caller.auth.verifyCode({
    email: DEMO_OWNER_EMAIL,
    code: await latestSignInCode(server, DEMO_OWNER_EMAIL),
  });
  const [membership] = await core.caller.auth.memberships();
  await core.caller.device.enroll({ orgId: membership!.orgId, name: deviceName });
}
