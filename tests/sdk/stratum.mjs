// Stratum's own methods (stratum.compute.v1) through the provider SDK's Session, with its TLS,
// token and headers: the SDK has no Stratum messages, so the service definition is written here.
// Each request is a few string and varint fields, encoded by hand from the field numbers in
// src/Gateway/Protos/stratum; each method answers the provider's Operation, which the SDK decodes
// and its waitForOperation follows.
import assert from 'node:assert/strict';
import { operation } from '@yandex-cloud/nodejs-sdk/operation';

const varint = (value) => {
  const bytes = [];
  for (let v = value; ; v = Math.floor(v / 128)) {
    if (v < 128) {
      bytes.push(v);
      return bytes;
    }
    bytes.push((v % 128) | 128);
  }
};
const string = (number, value) => {
  const text = Buffer.from(value, 'utf8');
  return [...varint(number * 8 + 2), ...varint(text.length), ...text];
};
const number = (number, value) => [...varint(number * 8), ...varint(value)];

const method = (service, name, encode) => ({
  path: `/stratum.compute.v1.${service}/${name}`,
  requestStream: false,
  responseStream: false,
  requestSerialize: (request) => Uint8Array.from(encode(request)),
  requestDeserialize: () => assert.fail('client only'),
  responseSerialize: () => assert.fail('client only'),
  responseDeserialize: (bytes) => operation.Operation.decode(bytes),
  options: {},
});

/** stratum.compute.v1.ImageService: Update (deletion_protection), Rollout (percent now), Restore. */
export const StratumImageServiceClient = {
  service: {
    update: method('ImageService', 'Update', ({ imageId, deletionProtection }) => [...string(1, imageId), ...number(3, deletionProtection ? 1 : 0)]),
    rollout: method('ImageService', 'Rollout', ({ imageId, percent }) => [...string(1, imageId), ...number(2, percent)]),
    restore: method('ImageService', 'Restore', ({ imageId }) => string(1, imageId)),
  },
};

/** stratum.compute.v1.FolderService: UpdateRecycleBin. */
export const StratumFolderServiceClient = {
  service: {
    updateRecycleBin: method('FolderService', 'UpdateRecycleBin', ({ folderId, retentionHours }) => [...string(1, folderId), ...number(2, retentionHours)]),
  },
};
