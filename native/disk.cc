// SPDX-License-Identifier: GPL-2.0-only
//
// Disks and mounts. Entry functions run on the JS thread; the host library
// calls (which enter the kernel or take the disk table's lock) run on a
// pool thread. JS-backed disks are in disk_custom.cc.
#include <lkl/asm/unistd.h>

#include <functional>
#include <vector>

#include "args.h"
#include "kmsg.h"
#include "ops.h"
#include "sys.h"

namespace lkl {

void InitCustomDisk(Napi::Env env, Napi::Object exports);  // disk_custom.cc

namespace {

using Info = const Napi::CallbackInfo&;

// diskAddFd(fd, readOnly) -> disk id | -errno. fd is a host fd; the host
// library dup()s it, so the caller may close its own once this resolves.
class DiskAddJob : public Job {
 public:
  DiskAddJob(int fd, bool ro) : fd_(fd), ro_(ro) {}
  void Execute() override { result_ = lkl_host_disk_add_fd(fd_, ro_ ? 1 : 0, 0); }

 private:
  int fd_;
  bool ro_;
};

Napi::Value DiskAddFd(Info info) {
  return Submit(info, std::make_unique<DiskAddJob>(static_cast<int>(ArgLong(info, 0)),
                                                   info[1].ToBoolean().Value()));
}

// diskRemove(id) -> 0 | -errno (the disk must not be mounted)
class DiskRemoveJob : public Job {
 public:
  explicit DiskRemoveJob(int id) : id_(id) {}
  void Execute() override { result_ = lkl_host_disk_remove(id_); }

 private:
  int id_;
};

Napi::Value DiskRemove(Info info) {
  return Submit(info, std::make_unique<DiskRemoveJob>(static_cast<int>(ArgLong(info, 0))));
}

// A job that runs one host-library call returning a number.
template <typename F>
class CallJob : public Job {
 public:
  explicit CallJob(F fn) : fn_(std::move(fn)) {}
  void Execute() override { result_ = static_cast<long>(fn_()); }

 private:
  F fn_;
};

template <typename F>
Napi::Value SubmitCall(Info info, F fn) {
  return Submit(info, std::make_unique<CallJob<F>>(std::move(fn)));
}

// diskAddMemory(buffer, readOnly) -> disk id | -errno. The disk uses the
// buffer's memory in place; lib keeps the buffer referenced (and does not
// touch it) until the disk is removed.
Napi::Value DiskAddMemory(Info info) {
  auto buf = info[0].As<Napi::Uint8Array>();
  void* data = buf.Data();
  uint64_t size = buf.ByteLength();
  int ro = info[1].ToBoolean().Value() ? 1 : 0;
  auto job = std::make_unique<CallJob<std::function<long()>>>(
      [data, size, ro]() -> long { return lkl_host_disk_add_memory(data, size, ro, 0); });
  job->Keep(buf);
  return Submit(info, std::move(job));
}

// diskAddOverlay(hostFd, size) -> disk id | -errno. The host library opens
// its own read-only descriptor; the caller may close hostFd afterwards.
// Always writable (writes stay in memory).
Napi::Value DiskAddOverlay(Info info) {
  int fd = static_cast<int>(ArgLong(info, 0));
  uint64_t size = static_cast<uint64_t>(ArgLong(info, 1));
  return SubmitCall(info, [fd, size]() -> long { return lkl_host_disk_add_overlay(fd, size, 0); });
}

// diskOverlayBytes(id) -> host memory held by the overlay | -errno
Napi::Value DiskOverlayBytes(Info info) {
  int id = static_cast<int>(ArgLong(info, 0));
  return SubmitCall(info, [id]() -> long { return lkl_host_disk_overlay_bytes(id); });
}

// diskSize(id) -> bytes | -errno
Napi::Value DiskSize(Info info) {
  int id = static_cast<int>(ArgLong(info, 0));
  return SubmitCall(info, [id]() -> long { return lkl_host_disk_size(id); });
}

// diskOpen(id, partition, flags) -> kernel fd on the block device | -errno
Napi::Value DiskOpen(Info info) {
  int id = static_cast<int>(ArgLong(info, 0));
  int part = static_cast<int>(ArgLong(info, 1));
  int flags = static_cast<int>(ArgLong(info, 2));
  return SubmitCall(info,
                    [id, part, flags]() -> long { return lkl_host_disk_open(id, part, flags); });
}

// diskPartitions(id) / diskTable(id) -> [{ number, start, size, name,
// type, uuid }] | -errno: the partitions the kernel found, or those the
// table on the disk declares (lkl_host.h says how they differ).
using PartitionLister = int (*)(int, lkl_host_partition*, int);

class PartitionsJob : public Job {
 public:
  PartitionsJob(PartitionLister list, int id) : list_(list), id_(id) {}
  void Execute() override {
    parts_.resize(16);
    for (;;) {
      int n = list_(id_, parts_.data(), static_cast<int>(parts_.size()));
      result_ = n;
      if (n < 0 || static_cast<size_t>(n) <= parts_.size()) break;
      parts_.resize(static_cast<size_t>(n));
    }
    if (result_ >= 0) parts_.resize(static_cast<size_t>(result_));
  }
  Napi::Value Result(Napi::Env env) override {
    if (result_ < 0) return Job::Result(env);
    auto arr = Napi::Array::New(env, parts_.size());
    for (size_t i = 0; i < parts_.size(); i++) {
      const lkl_host_partition& p = parts_[i];
      auto o = Napi::Object::New(env);
      o["number"] = Napi::Number::New(env, p.number);
      o["start"] = Napi::Number::New(env, static_cast<double>(p.start));
      o["size"] = Napi::Number::New(env, static_cast<double>(p.size));
      o["name"] = Napi::String::New(env, p.name);
      o["type"] = Napi::String::New(env, p.type);
      o["uuid"] = Napi::String::New(env, p.uuid);
      arr[static_cast<uint32_t>(i)] = o;
    }
    return arr;
  }

 private:
  PartitionLister list_;
  int id_;
  std::vector<lkl_host_partition> parts_;
};

Napi::Value DiskPartitions(Info info) {
  return Submit(info, std::make_unique<PartitionsJob>(lkl_host_disk_partitions,
                                                      static_cast<int>(ArgLong(info, 0))));
}

Napi::Value DiskTable(Info info) {
  return Submit(info, std::make_unique<PartitionsJob>(lkl_host_disk_table,
                                                      static_cast<int>(ArgLong(info, 0))));
}

// mount(diskId, partition, fstype, flags, data) -> mount point |
// { errno, log: [text, ...] }: on failure, the kernel's lines of warning
// level or worse logged while the mount ran (why the filesystem refused).
class MountJob : public Job {
 public:
  MountJob(int disk, int part, std::string fstype, unsigned long flags, std::string data)
      : disk_(disk),
        part_(part),
        fstype_(std::move(fstype)),
        flags_(flags),
        data_(std::move(data)),
        mnt_(256, '\0') {}
  void Execute() override {
    long log = KmsgOpen(true);
    result_ = lkl_host_mount(disk_, part_, fstype_.c_str(), flags_,
                             data_.empty() ? nullptr : data_.c_str(), mnt_.data(), mnt_.size());
    if (log < 0) return;
    if (result_ < 0) KmsgRead(log, kLogWarning, &log_);
    Sys(__lkl__NR_close, log);
  }
  Napi::Value Result(Napi::Env env) override {
    if (result_ < 0) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("errno", static_cast<double>(result_));
      Napi::Array lines = Napi::Array::New(env, log_.size());
      for (size_t i = 0; i < log_.size(); i++) lines[i] = Napi::String::New(env, log_[i].text);
      o.Set("log", lines);
      return o;
    }
    return Napi::String::New(env, mnt_.c_str());
  }

 private:
  int disk_, part_;
  std::string fstype_;
  unsigned long flags_;
  std::string data_;
  std::string mnt_;
  std::vector<LogLine> log_;
};

Napi::Value Mount(Info info) {
  return Submit(info, std::make_unique<MountJob>(
                          static_cast<int>(ArgLong(info, 0)), static_cast<int>(ArgLong(info, 1)),
                          ArgString(info, 2), static_cast<unsigned long>(ArgLong(info, 3)),
                          ArgString(info, 4)));
}

// umount(mountPoint) -> 0 | -errno (syncs, unmounts, removes the point)
class UmountJob : public Job {
 public:
  explicit UmountJob(std::string mnt) : mnt_(std::move(mnt)) {}
  void Execute() override { result_ = lkl_host_umount(mnt_.c_str()); }

 private:
  std::string mnt_;
};

Napi::Value Umount(Info info) {
  return Submit(info, std::make_unique<UmountJob>(ArgString(info, 0)));
}

}  // namespace

void InitDisk(Napi::Env env, Napi::Object exports) {
  exports["diskAddFd"] = Napi::Function::New(env, DiskAddFd, "diskAddFd");
  exports["diskRemove"] = Napi::Function::New(env, DiskRemove, "diskRemove");
  exports["diskAddMemory"] = Napi::Function::New(env, DiskAddMemory, "diskAddMemory");
  exports["diskAddOverlay"] = Napi::Function::New(env, DiskAddOverlay, "diskAddOverlay");
  exports["diskOverlayBytes"] = Napi::Function::New(env, DiskOverlayBytes, "diskOverlayBytes");
  exports["diskSize"] = Napi::Function::New(env, DiskSize, "diskSize");
  exports["diskOpen"] = Napi::Function::New(env, DiskOpen, "diskOpen");
  exports["diskPartitions"] = Napi::Function::New(env, DiskPartitions, "diskPartitions");
  exports["diskTable"] = Napi::Function::New(env, DiskTable, "diskTable");
  InitCustomDisk(env, exports);
  exports["mount"] = Napi::Function::New(env, Mount, "mount");
  exports["umount"] = Napi::Function::New(env, Umount, "umount");
}

}  // namespace lkl
