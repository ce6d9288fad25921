// ImageService and OperationService through the provider's SDK, exactly as published.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageService, image as imageTypes } from '@yandex-cloud/nodejs-sdk/compute-v1';
import { admin, bob, client, Code, folderId, imageUrl, badImageUrl, rejects, session, unique, unpack, wait } from './support.mjs';

const {
  ImageServiceClient, CreateImageRequest, CreateImageMetadata, GetImageRequest, GetImageLatestByFamilyRequest, ListImagesRequest,
  UpdateImageRequest, UpdateImageMetadata, DeleteImageRequest, DeleteImageMetadata, ListImageOperationsRequest,
} = imageService;
const { Image, Image_Status, Os_Type } = imageTypes;

const images = client(admin, ImageServiceClient);
const IMAGE = 'yandex.cloud.compute.v1.Image';

const importImage = async (fields = {}) => {
  const operation = await images.create(CreateImageRequest.fromPartial({ folderId, name: unique('img'), uri: imageUrl, ...fields }));
  const done = await wait(operation);
  return { operation, done, image: unpack(done.response, IMAGE, Image) };
};

test('an image imported from a uri is made by an operation that waitForOperation follows and whose Any messages decode', async () => {
  const name = unique('imported');
  const operation = await images.create(CreateImageRequest.fromPartial({ folderId, name, description: 'from the SDK', labels: { env: 'test' }, uri: imageUrl }));
  const started = unpack(operation.metadata, 'yandex.cloud.compute.v1.CreateImageMetadata', CreateImageMetadata);
  assert.match(started.imageId, /^img[a-z0-9]{17}$/);
  assert.equal(operation.createdBy, 'userAccount:admin');

  const done = await wait(operation);
  assert.equal(done.id, operation.id);
  assert.equal(done.done, true);
  assert.equal(unpack(done.metadata, 'yandex.cloud.compute.v1.CreateImageMetadata', CreateImageMetadata).imageId, started.imageId);
  const image = unpack(done.response, IMAGE, Image);
  assert.equal(image.id, started.imageId);
  assert.equal(image.folderId, folderId);
  assert.equal(image.name, name);
  assert.equal(image.description, 'from the SDK');
  assert.deepEqual(image.labels, { env: 'test' });
  assert.equal(image.status, Image_Status.READY);
  assert.equal(image.os.type, Os_Type.LINUX);
  assert.ok(image.storageSize > 0);
  assert.equal(image.minDiskSize, 64 * 1024 * 1024);
  assert.ok(image.createdAt instanceof Date);
});

test('an image made from another image copies its data', async () => {
  const { image: source } = await importImage();
  const { image } = await importImage({ uri: undefined, imageId: source.id, minDiskSize: 128 * 1024 * 1024 });
  assert.notEqual(image.id, source.id);
  assert.equal(image.status, Image_Status.READY);
  assert.equal(image.storageSize, source.storageSize);
  assert.equal(image.minDiskSize, 128 * 1024 * 1024);
});

test('Get reads an image and GetLatestByFamily the newest of its family', async () => {
  const family = unique('fam');
  const { image: first } = await importImage({ family });
  const { image: second } = await importImage({ family });
  const read = await images.get(GetImageRequest.fromPartial({ imageId: first.id }));
  assert.equal(read.id, first.id);
  assert.equal(read.family, family);
  const latest = await images.getLatestByFamily(GetImageLatestByFamilyRequest.fromPartial({ folderId, family }));
  assert.equal(latest.id, second.id);
  await rejects(images.getLatestByFamily(GetImageLatestByFamilyRequest.fromPartial({ folderId, family: unique('empty') })), Code.NOT_FOUND);
});

test('List pages through a family with page tokens and a filter, as REST does', async () => {
  const family = unique('paged');
  const made = [];
  for (let i = 0; i < 3; i++) {
    made.push((await importImage({ family })).image.id);
  }
  const seen = [];
  let pageToken = '';
  let pages = 0;
  do {
    const page = await images.list(ListImagesRequest.fromPartial({ folderId, pageSize: 2, pageToken, filter: `family = "${family}"` }));
    assert.ok(page.images.length <= 2);
    seen.push(...page.images.map((i) => i.id));
    pageToken = page.nextPageToken;
    pages++;
  } while (pageToken);
  assert.equal(pages, 2);
  assert.deepEqual(seen, [...made].sort());

  const byName = await images.list(ListImagesRequest.fromPartial({ folderId, filter: `id = "${made[1]}"` }));
  assert.deepEqual(byName.images.map((i) => i.id), [made[1]]);
  await rejects(images.list(ListImagesRequest.fromPartial({ folderId, filter: 'size > 3' })), Code.INVALID_ARGUMENT);
  await rejects(images.list(ListImagesRequest.fromPartial({ folderId, pageToken: 'not-a-token' })), Code.INVALID_ARGUMENT);
});

test('Update changes only what the update mask names, and without a mask what is given', async () => {
  const { image } = await importImage({ description: 'before', labels: { keep: 'me' } });
  const masked = await wait(await images.update(UpdateImageRequest.fromPartial({
    imageId: image.id, updateMask: { paths: ['description'] }, name: unique('ignored'), description: 'after',
  })));
  assert.equal(unpack(masked.metadata, 'yandex.cloud.compute.v1.UpdateImageMetadata', UpdateImageMetadata).imageId, image.id);
  const updated = unpack(masked.response, IMAGE, Image);
  assert.equal(updated.description, 'after');
  assert.equal(updated.name, image.name);
  assert.deepEqual(updated.labels, { keep: 'me' });

  const cleared = unpack((await wait(await images.update(UpdateImageRequest.fromPartial({
    imageId: image.id, updateMask: { paths: ['labels'] },
  })))).response, IMAGE, Image);
  assert.deepEqual(cleared.labels, {});
  assert.equal(cleared.description, 'after');

  const unmasked = unpack((await wait(await images.update(UpdateImageRequest.fromPartial({
    imageId: image.id, minDiskSize: 96 * 1024 * 1024,
  })))).response, IMAGE, Image);
  assert.equal(unmasked.minDiskSize, 96 * 1024 * 1024);
  assert.equal(unmasked.description, 'after');
  await rejects(images.update(UpdateImageRequest.fromPartial({ imageId: image.id, updateMask: { paths: ['family'] }, family: 'x' })), Code.INVALID_ARGUMENT, /updateMask/);
});

test('ListOperations lists an image\'s create and update with their metadata', async () => {
  const { image, operation } = await importImage();
  const update = await wait(await images.update(UpdateImageRequest.fromPartial({ imageId: image.id, updateMask: { paths: ['description'] }, description: 'x' })));
  const { operations } = await images.listOperations(ListImageOperationsRequest.fromPartial({ imageId: image.id }));
  assert.deepEqual(operations.map((o) => o.id), [operation.id, update.id]);
  assert.deepEqual(operations.map((o) => o.metadata.typeUrl), [
    'type.googleapis.com/yandex.cloud.compute.v1.CreateImageMetadata',
    'type.googleapis.com/yandex.cloud.compute.v1.UpdateImageMetadata',
  ]);
  assert.ok(operations.every((o) => o.done && unpack(o.response, IMAGE, Image).id === image.id));
});

test('access bindings make an image public: a stranger then reads it but cannot delete it', async () => {
  const family = unique('public');
  const { image } = await importImage({ family });
  const strangers = client(bob, ImageServiceClient);
  await rejects(strangers.get(GetImageRequest.fromPartial({ imageId: image.id })), Code.NOT_FOUND);

  const granted = await wait(await images.updateAccessBindings({
    resourceId: image.id,
    accessBindingDeltas: [{ action: 1, accessBinding: { roleId: 'compute.images.user', subject: { id: 'allAuthenticatedUsers', type: 'system' } } }],
  }));
  assert.equal(granted.metadata.typeUrl, 'type.googleapis.com/yandex.cloud.access.UpdateAccessBindingsMetadata');
  assert.equal(granted.response.typeUrl, 'type.googleapis.com/yandex.cloud.access.AccessBindingsOperationResult');
  const { accessBindings } = await images.listAccessBindings({ resourceId: image.id, pageSize: 0, pageToken: '' });
  assert.deepEqual(accessBindings, [{ roleId: 'compute.images.user', subject: { id: 'allAuthenticatedUsers', type: 'system' } }]);

  assert.equal((await strangers.get(GetImageRequest.fromPartial({ imageId: image.id }))).id, image.id);
  assert.equal((await strangers.getLatestByFamily(GetImageLatestByFamilyRequest.fromPartial({ folderId, family }))).id, image.id);
  await rejects(strangers.delete(DeleteImageRequest.fromPartial({ imageId: image.id })), Code.PERMISSION_DENIED);
  await rejects(strangers.updateAccessBindings({ resourceId: image.id, accessBindingDeltas: [] }), Code.PERMISSION_DENIED);

  const revoked = await wait(await images.setAccessBindings({ resourceId: image.id, accessBindings: [] }));
  assert.equal(revoked.metadata.typeUrl, 'type.googleapis.com/yandex.cloud.access.SetAccessBindingsMetadata');
  await rejects(strangers.get(GetImageRequest.fromPartial({ imageId: image.id })), Code.NOT_FOUND);
  assert.equal((await images.get(GetImageRequest.fromPartial({ imageId: image.id }))).status, Image_Status.READY);
});

test('the idempotency-key header returns the first operation and makes one image; another request with it is ABORTED', async () => {
  const key = unique('key');
  const keyed = client(session('dev-admin', { 'idempotency-key': key }), ImageServiceClient);
  const name = unique('once');
  const request = CreateImageRequest.fromPartial({ folderId, name, uri: imageUrl });
  const first = await keyed.create(request);
  const second = await keyed.create(request);
  assert.equal(second.id, first.id);
  await wait(first);
  const third = await keyed.create(request);
  assert.equal(third.id, first.id);
  const { images: named } = await images.list(ListImagesRequest.fromPartial({ folderId, filter: `name = "${name}"` }));
  assert.equal(named.length, 1);
  await rejects(keyed.create(CreateImageRequest.fromPartial({ folderId, name: unique('other'), uri: imageUrl })), Code.ABORTED);
});

test('deleting an image answers google.protobuf.Empty', async () => {
  const { image } = await importImage();
  const operation = await images.delete(DeleteImageRequest.fromPartial({ imageId: image.id }));
  assert.equal(unpack(operation.metadata, 'yandex.cloud.compute.v1.DeleteImageMetadata', DeleteImageMetadata).imageId, image.id);
  const done = await wait(operation);
  assert.equal(done.response.typeUrl, 'type.googleapis.com/google.protobuf.Empty');
  assert.equal(done.response.value.length, 0);
  await rejects(images.get(GetImageRequest.fromPartial({ imageId: image.id })), Code.NOT_FOUND);
});

test('a refused import ends its operation with the error, which waitForOperation rejects with', async () => {
  const operation = await images.create(CreateImageRequest.fromPartial({ folderId, name: unique('bad'), uri: badImageUrl }));
  const failed = await wait(operation).then(() => assert.fail('the import should fail'), (o) => o);
  assert.equal(failed.id, operation.id);
  assert.equal(failed.done, true);
  assert.equal(failed.error.code, Code.INVALID_ARGUMENT);
  assert.ok(failed.error.message.length > 0);
  assert.equal(failed.response, undefined);
  const imageId = unpack(failed.metadata, 'yandex.cloud.compute.v1.CreateImageMetadata', CreateImageMetadata).imageId;
  assert.equal((await images.get(GetImageRequest.fromPartial({ imageId }))).status, Image_Status.ERROR);
});
