// Every kind of refusal reaches the SDK as the contract's gRPC status code.
import { test } from 'node:test';
import { imageService } from '@yandex-cloud/nodejs-sdk/compute-v1';
import { operationService } from '@yandex-cloud/nodejs-sdk/operation';
import { admin, alice, client, Code, folderId, imageUrl, quotaFolderId, rejects, session, unique, wait } from './support.mjs';

const { ImageServiceClient, CreateImageRequest, GetImageRequest, UpdateImageRequest, ListImagesRequest } = imageService;
const images = client(admin, ImageServiceClient);

test('no valid token is UNAUTHENTICATED', async () => {
  await rejects(client(session('not-a-token'), ImageServiceClient).list(ListImagesRequest.fromPartial({ folderId })), Code.UNAUTHENTICATED);
});

test('an image that does not exist, or a malformed id, is NOT_FOUND', async () => {
  await rejects(images.get(GetImageRequest.fromPartial({ imageId: 'img00000000000000000' })), Code.NOT_FOUND);
  await rejects(images.get(GetImageRequest.fromPartial({ imageId: 'no such id' })), Code.NOT_FOUND);
  const operations = client(admin, operationService.OperationServiceClient);
  await rejects(operations.get(operationService.GetOperationRequest.fromPartial({ operationId: 'opr00000000000000000' })), Code.NOT_FOUND);
});

test('a field breaking a rule is INVALID_ARGUMENT naming it', async () => {
  await rejects(images.create(CreateImageRequest.fromPartial({ folderId, name: 'Not A Name', uri: imageUrl })), Code.INVALID_ARGUMENT, /name/);
  await rejects(images.create(CreateImageRequest.fromPartial({ folderId, name: unique('nosource') })), Code.INVALID_ARGUMENT, /source/);
});

test('a name taken in the folder is ALREADY_EXISTS', async () => {
  const name = unique('taken');
  await wait(await images.create(CreateImageRequest.fromPartial({ folderId, name, uri: imageUrl })));
  await rejects(images.create(CreateImageRequest.fromPartial({ folderId, name, uri: imageUrl })), Code.ALREADY_EXISTS);
});

test('a caller who may read but not change is PERMISSION_DENIED', async () => {
  const done = await wait(await images.create(CreateImageRequest.fromPartial({ folderId, name: unique('readonly'), uri: imageUrl })));
  const imageId = imageService.CreateImageMetadata.decode(done.metadata.value).imageId;
  const viewer = client(alice, ImageServiceClient);
  await viewer.get(GetImageRequest.fromPartial({ imageId }));
  await rejects(viewer.update(UpdateImageRequest.fromPartial({ imageId, description: 'mine' })), Code.PERMISSION_DENIED);
});

test('a quota that would be exceeded is RESOURCE_EXHAUSTED naming it', async () => {
  await rejects(images.create(CreateImageRequest.fromPartial({ folderId: quotaFolderId, name: unique('over'), uri: imageUrl })),
    Code.RESOURCE_EXHAUSTED, /compute\.images\.count/);
});
