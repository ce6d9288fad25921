// Family releases and safe deletion as the provider's SDK sees them: Stratum's own methods make
// the change (stratum.mjs, through the same Session), the SDK's ImageService shows the effect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageService, image as imageTypes } from '@yandex-cloud/nodejs-sdk/compute-v1';
import { admin, binFolderId, client, Code, eventually, folderId, imageUrl, rejects, unique, unpack, wait } from './support.mjs';
import { StratumFolderServiceClient, StratumImageServiceClient } from './stratum.mjs';

const { ImageServiceClient, CreateImageRequest, GetImageRequest, GetImageLatestByFamilyRequest, ListImagesRequest, DeleteImageRequest, ListImageOperationsRequest } = imageService;
const { Image, Image_Status, image_StatusToJSON } = imageTypes;

const images = client(admin, ImageServiceClient);
const stratumImages = client(admin, StratumImageServiceClient);
const stratumFolders = client(admin, StratumFolderServiceClient);
const DELETED = 5;

const importImage = async (fields) =>
  unpack((await wait(await images.create(CreateImageRequest.fromPartial({ name: unique('rel'), uri: imageUrl, ...fields })))).response, 'yandex.cloud.compute.v1.Image', Image);
const latestId = async (folder, family) => (await images.getLatestByFamily(GetImageLatestByFamilyRequest.fromPartial({ folderId: folder, family }))).id;

test('deletion protection set by Stratum\'s Update makes the SDK\'s Delete FAILED_PRECONDITION until it is lifted', async () => {
  const image = await importImage({ folderId });
  const protect = await stratumImages.update({ imageId: image.id, deletionProtection: true });
  assert.equal(protect.metadata.typeUrl, 'type.googleapis.com/yandex.cloud.compute.v1.UpdateImageMetadata');
  await wait(protect);

  await rejects(images.delete(DeleteImageRequest.fromPartial({ imageId: image.id })), Code.FAILED_PRECONDITION, /deletionProtection/);
  assert.equal((await images.get(GetImageRequest.fromPartial({ imageId: image.id }))).status, Image_Status.READY);

  await wait(await stratumImages.update({ imageId: image.id, deletionProtection: false }));
  const deleted = await wait(await images.delete(DeleteImageRequest.fromPartial({ imageId: image.id })));
  assert.equal(deleted.response.typeUrl, 'type.googleapis.com/google.protobuf.Empty');
  await rejects(images.get(GetImageRequest.fromPartial({ imageId: image.id })), Code.NOT_FOUND);
});

test('an image in the recycle bin reads through the SDK\'s Get as status 5 (DELETED), is out of List and latest, and comes back with Restore', async () => {
  await wait(await stratumFolders.updateRecycleBin({ folderId: binFolderId, retentionHours: 24 }));
  const family = unique('bin');
  const older = await importImage({ folderId: binFolderId, family });
  const binned = await importImage({ folderId: binFolderId, family });

  const deleted = await wait(await images.delete(DeleteImageRequest.fromPartial({ imageId: binned.id })));
  assert.equal(deleted.response.typeUrl, 'type.googleapis.com/google.protobuf.Empty');
  const read = await images.get(GetImageRequest.fromPartial({ imageId: binned.id }));
  // Stratum's addition to the provider's enum: the SDK keeps the number and has no name for it.
  assert.equal(read.status, DELETED);
  assert.equal(image_StatusToJSON(read.status), 'UNKNOWN');
  assert.equal(read.name, binned.name);
  const listed = await images.list(ListImagesRequest.fromPartial({ folderId: binFolderId, filter: `family = "${family}"` }));
  assert.deepEqual(listed.images.map((i) => i.id), [older.id]);
  await eventually(async () => (await latestId(binFolderId, family)) === older.id, 'latest moves off the binned image');
  await rejects(images.delete(DeleteImageRequest.fromPartial({ imageId: binned.id })), Code.FAILED_PRECONDITION);

  const restore = await stratumImages.restore({ imageId: binned.id });
  assert.equal(restore.metadata.typeUrl, 'type.googleapis.com/stratum.compute.v1.RestoreImageMetadata');
  const restored = await wait(restore);
  assert.equal(restored.response.typeUrl, 'type.googleapis.com/stratum.compute.v1.ImageDetails');
  assert.equal((await images.get(GetImageRequest.fromPartial({ imageId: binned.id }))).status, Image_Status.READY);
  await eventually(async () => (await latestId(binFolderId, family)) === binned.id, 'the restored image is latest again');
});

test('a member rolled back to 0 % is no longer the SDK\'s latest, and is again at 100 %; its operations are typed', async () => {
  const family = unique('roll');
  const first = await importImage({ folderId, family });
  const second = await importImage({ folderId, family });
  assert.equal(await latestId(folderId, family), second.id);

  const rollback = await wait(await stratumImages.rollout({ imageId: second.id, percent: 0 }));
  assert.equal(rollback.metadata.typeUrl, 'type.googleapis.com/stratum.compute.v1.RolloutImageMetadata');
  await eventually(async () => (await latestId(folderId, family)) === first.id, 'a candidate is latest for no one');
  await wait(await stratumImages.rollout({ imageId: second.id, percent: 100 }));
  await eventually(async () => (await latestId(folderId, family)) === second.id, 'at 100 % it is everyone\'s latest');

  const operations = await images.listOperations(ListImageOperationsRequest.fromPartial({ imageId: second.id }));
  assert.equal(operations.operations.filter((o) => o.metadata.typeUrl === 'type.googleapis.com/stratum.compute.v1.RolloutImageMetadata').length, 2);
  await rejects(stratumImages.rollout({ imageId: second.id, percent: 101 }), Code.INVALID_ARGUMENT, /101/);
});
