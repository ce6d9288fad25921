// What every test file shares: the endpoint, the development CA and the fixture's folders from the
// environment the .NET test sets, sessions of the provider's SDK as published, and small waits.
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { Session, waitForOperation } from '@yandex-cloud/nodejs-sdk';

const required = (name) => {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: this suite is run by dotnet test (GrpcSdkTests), which starts a cluster for it.`);
  }
  return value;
};

export const endpoint = required('STRATUM_GRPC_ENDPOINT');
export const folderId = required('STRATUM_FOLDER_ID');
export const quotaFolderId = required('STRATUM_QUOTA_FOLDER_ID');
/** A folder of its own for the recycle-bin tests, so that deletes elsewhere stay final. */
export const binFolderId = required('STRATUM_BIN_FOLDER_ID');
export const imageUrl = required('STRATUM_IMAGE_URL');
export const badImageUrl = required('STRATUM_BAD_IMAGE_URL');
const rootCerts = readFileSync(required('STRATUM_CA_PATH'));

/** A Session of the SDK over TLS trusting only the development CA; headers ride on every call. */
export const session = (token, headers) => new Session({ iamToken: token, ssl: { rootCerts }, pollInterval: 100, headers });

export const admin = session('dev-admin');
export const alice = session('dev-alice');
export const bob = session('dev-bob');

export const client = (who, Client) => who.client(Client, endpoint);

/** The SDK's own wait: resolves with the finished operation, rejects with it if it failed. */
export const wait = (operation, who = admin) => waitForOperation(operation, who, 60_000, endpoint);

/** Asserts that the call fails with the gRPC status code, and returns the error. */
export const rejects = async (promise, code, pattern) => {
  const error = await promise.then(
    (value) => assert.fail(`expected status ${code}, got a response: ${JSON.stringify(value)}`),
    (e) => e);
  assert.equal(error.code, code, `expected status ${code}, got ${error.code}: ${error.details ?? error.message}`);
  if (pattern) {
    assert.match(error.details, pattern);
  }
  return error;
};

/** Unpacks an Any after checking its type URL names the expected message. */
export const unpack = (any, type, Message) => {
  assert.ok(any, `expected a packed ${type}`);
  assert.equal(any.typeUrl, `type.googleapis.com/${type}`);
  return Message.decode(any.value);
};

/** Polls until the check returns a truthy value (or the deadline passes) and returns it: no fixed sleeps. */
export const eventually = async (check, what, seconds = 10) => {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await check();
    if (value) {
      return value;
    }
    assert.ok(Date.now() < deadline, `not within ${seconds} s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

let counter = 0;
export const unique = (prefix) => `${prefix}-${process.pid}-${++counter}`;

export const Code = {
  INVALID_ARGUMENT: 3, NOT_FOUND: 5, ALREADY_EXISTS: 6, PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9, ABORTED: 10, UNIMPLEMENTED: 12, UNAUTHENTICATED: 16,
};
