// Disks, instances and snapshots from an image through the provider's SDK, exactly as published.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { imageService, image as imageTypes, diskService, disk as diskTypes, instanceService, instance as instanceTypes, snapshotService, snapshot as snapshotTypes } from '@yandex-cloud/nodejs-sdk/compute-v1';
import { admin, client, Code, folderId, imageUrl, rejects, unique, unpack, wait } from './support.mjs';

const { Image } = imageTypes;
const { Disk, Disk_Status } = diskTypes;
const { Instance, Instance_Status } = instanceTypes;
const { Snapshot, Snapshot_Status } = snapshotTypes;
const disks = client(admin, diskService.DiskServiceClient);
const instances = client(admin, instanceService.InstanceServiceClient);
const snapshots = client(admin, snapshotService.SnapshotServiceClient);
const GiB = 1024 * 1024 * 1024;

let imageId;
before(async () => {
  const images = client(admin, imageService.ImageServiceClient);
  const done = await wait(await images.create(imageService.CreateImageRequest.fromPartial({ folderId, name: unique('base'), uri: imageUrl })));
  imageId = unpack(done.response, 'yandex.cloud.compute.v1.Image', Image).id;
});

const createDisk = async (fields = {}) => {
  const operation = await disks.create(diskService.CreateDiskRequest.fromPartial({ folderId, name: unique('disk'), size: GiB, imageId, ...fields }));
  const done = await wait(operation);
  return { operation, done, disk: unpack(done.response, 'yandex.cloud.compute.v1.Disk', Disk) };
};

const vm = (fields = {}) => instanceService.CreateInstanceRequest.fromPartial({
  folderId,
  name: unique('vm'),
  zoneId: 'ru-central1-a',
  platformId: 'standard-v3',
  resourcesSpec: { memory: 2 * GiB, cores: 2, coreFraction: 20 },
  metadata: { 'user-data': '#cloud-config\nruncmd:\n  - echo hello\n', 'ssh-keys': 'ubuntu:ssh-ed25519 AAAA test' },
  bootDiskSpec: { autoDelete: true, diskSpec: { size: 2 * GiB, imageId, typeId: 'network-ssd' } },
  ...fields,
});

test('a disk from an image keeps its zone, type, description and labels', async () => {
  const { operation, disk } = await createDisk({ zoneId: 'ru-central1-b', typeId: 'network-hdd', description: 'data', labels: { team: 'a' } });
  assert.equal(unpack(operation.metadata, 'yandex.cloud.compute.v1.CreateDiskMetadata', diskService.CreateDiskMetadata).diskId, disk.id);
  assert.equal(disk.sourceImageId, imageId);
  assert.equal(disk.size, GiB);
  assert.equal(disk.status, Disk_Status.READY);
  assert.equal(disk.zoneId, 'ru-central1-b');
  assert.equal(disk.typeId, 'network-hdd');
  assert.equal(disk.description, 'data');
  assert.deepEqual(disk.labels, { team: 'a' });
  const read = await disks.get(diskService.GetDiskRequest.fromPartial({ diskId: disk.id }));
  assert.deepEqual(read, disk);
  const listed = await disks.list(diskService.ListDisksRequest.fromPartial({ folderId, filter: `name = "${disk.name}"` }));
  assert.deepEqual(listed.disks.map((d) => d.id), [disk.id]);
  const { operations } = await disks.listOperations(diskService.ListDiskOperationsRequest.fromPartial({ diskId: disk.id }));
  assert.deepEqual(operations.map((o) => o.id), [operation.id]);
});

test('an instance from an image keeps zone, platform, resources and metadata and shows metadata in the FULL view', async () => {
  const request = vm({ description: 'web', labels: { tier: 'front' } });
  const operation = await instances.create(request);
  const done = await wait(operation);
  const made = unpack(done.response, 'yandex.cloud.compute.v1.Instance', Instance);
  assert.equal(unpack(done.metadata, 'yandex.cloud.compute.v1.CreateInstanceMetadata', instanceService.CreateInstanceMetadata).instanceId, made.id);
  assert.equal(made.status, Instance_Status.RUNNING);
  assert.equal(made.zoneId, 'ru-central1-a');
  assert.equal(made.platformId, 'standard-v3');
  assert.deepEqual(made.resources, { memory: 2 * GiB, cores: 2, coreFraction: 20, gpus: 0 });
  assert.deepEqual(made.metadata, request.metadata);
  assert.equal(made.description, 'web');
  assert.deepEqual(made.labels, { tier: 'front' });
  assert.equal(made.bootDisk.autoDelete, true);

  const basic = await instances.get(instanceService.GetInstanceRequest.fromPartial({ instanceId: made.id }));
  assert.deepEqual(basic.metadata, {});
  assert.equal(basic.platformId, 'standard-v3');
  const full = await instances.get(instanceService.GetInstanceRequest.fromPartial({ instanceId: made.id, view: instanceService.InstanceView.FULL }));
  assert.deepEqual(full.metadata, request.metadata);

  const bootDisk = await disks.get(diskService.GetDiskRequest.fromPartial({ diskId: made.bootDisk.diskId }));
  assert.equal(bootDisk.sourceImageId, imageId);
  assert.equal(bootDisk.zoneId, 'ru-central1-a');
  assert.equal(bootDisk.typeId, 'network-ssd');
  assert.deepEqual(bootDisk.instanceIds, [made.id]);

  const listed = await instances.list(instanceService.ListInstancesRequest.fromPartial({ folderId, filter: `name = "${made.name}"` }));
  assert.deepEqual(listed.instances.map((i) => i.id), [made.id]);
  const { operations } = await instances.listOperations(instanceService.ListInstanceOperationsRequest.fromPartial({ instanceId: made.id }));
  assert.deepEqual(operations.map((o) => o.id), [operation.id]);
});

test('deletes of instances, disks and snapshots answer google.protobuf.Empty', async () => {
  const made = unpack((await wait(await instances.create(vm({ bootDiskSpec: { autoDelete: false, diskSpec: { size: 2 * GiB, imageId } } })))).response,
    'yandex.cloud.compute.v1.Instance', Instance);
  // auto_delete is the provider's: false unless set, so the boot disk outlives its instance.
  assert.equal(made.bootDisk.autoDelete, false);
  await rejects(disks.delete(diskService.DeleteDiskRequest.fromPartial({ diskId: made.bootDisk.diskId })), Code.FAILED_PRECONDITION, /attached/);

  const snapshotDone = await wait(await snapshots.create(snapshotService.CreateSnapshotRequest.fromPartial({ folderId, diskId: made.bootDisk.diskId, name: unique('snap'), labels: { when: 'now' } })));
  const snapshot = unpack(snapshotDone.response, 'yandex.cloud.compute.v1.Snapshot', Snapshot);
  const snapshotMetadata = unpack(snapshotDone.metadata, 'yandex.cloud.compute.v1.CreateSnapshotMetadata', snapshotService.CreateSnapshotMetadata);
  assert.deepEqual(snapshotMetadata, { snapshotId: snapshot.id, diskId: made.bootDisk.diskId });
  assert.equal(snapshot.status, Snapshot_Status.READY);
  assert.equal(snapshot.sourceDiskId, made.bootDisk.diskId);
  assert.deepEqual(snapshot.labels, { when: 'now' });
  assert.equal((await snapshots.get(snapshotService.GetSnapshotRequest.fromPartial({ snapshotId: snapshot.id }))).id, snapshot.id);

  const deleted = [
    [await instances.delete(instanceService.DeleteInstanceRequest.fromPartial({ instanceId: made.id })), 'DeleteInstanceMetadata', 'instanceId', made.id],
    [await disks.delete(diskService.DeleteDiskRequest.fromPartial({ diskId: made.bootDisk.diskId })), 'DeleteDiskMetadata', 'diskId', made.bootDisk.diskId],
    [await snapshots.delete(snapshotService.DeleteSnapshotRequest.fromPartial({ snapshotId: snapshot.id })), 'DeleteSnapshotMetadata', 'snapshotId', snapshot.id],
  ];
  for (const [operation, metadata, field, id] of deleted) {
    const done = await wait(operation);
    assert.equal(done.metadata.typeUrl, `type.googleapis.com/yandex.cloud.compute.v1.${metadata}`);
    const Message = { DeleteInstanceMetadata: instanceService.DeleteInstanceMetadata, DeleteDiskMetadata: diskService.DeleteDiskMetadata, DeleteSnapshotMetadata: snapshotService.DeleteSnapshotMetadata }[metadata];
    assert.equal(Message.decode(done.metadata.value)[field], id);
    assert.equal(done.response.typeUrl, 'type.googleapis.com/google.protobuf.Empty');
  }
  await rejects(instances.get(instanceService.GetInstanceRequest.fromPartial({ instanceId: made.id })), Code.NOT_FOUND);
  await rejects(disks.get(diskService.GetDiskRequest.fromPartial({ diskId: made.bootDisk.diskId })), Code.NOT_FOUND);
  await rejects(snapshots.get(snapshotService.GetSnapshotRequest.fromPartial({ snapshotId: snapshot.id })), Code.NOT_FOUND);
});

test('what Stratum cannot do for an instance is refused as UNIMPLEMENTED, not dropped', async () => {
  await rejects(instances.create(vm({ networkInterfaceSpecs: [{ subnetId: 'e9b0000000000000', primaryV4AddressSpec: {} }] })), Code.UNIMPLEMENTED, /networkInterfaceSpecs/);
  await rejects(instances.create(vm({ hostname: 'web-1' })), Code.UNIMPLEMENTED, /hostname/);
  await rejects(instances.create(vm({ secondaryDiskSpecs: [{ diskId: 'dsk00000000000000000' }] })), Code.UNIMPLEMENTED, /secondaryDiskSpecs/);
  // A field Stratum does not declare at all (the provider's gpu_settings) is refused by number.
  await rejects(instances.create(vm({ gpuSettings: { gpuClusterId: 'gpu' } })), Code.UNIMPLEMENTED, /Field number 20/);
  const { instances: none } = await instances.list(instanceService.ListInstancesRequest.fromPartial({ folderId, filter: 'name = "web-1"' }));
  assert.equal(none.length, 0);
  await rejects(instances.stop(instanceService.StopInstanceRequest.fromPartial({ instanceId: 'ins00000000000000000' })), Code.UNIMPLEMENTED);
  await rejects(disks.update(diskService.UpdateDiskRequest.fromPartial({ diskId: 'dsk00000000000000000' })), Code.UNIMPLEMENTED);
});
