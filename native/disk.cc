// SPDX-License-Identifier: GPL-2.0-only
//
// Disks and mounts. Entry functions run on the JS thread; the host library
// calls (which enter the kernel) run on a pool thread.
#include <vector>

#include "args.h"
#include "ops.h"

namespace lkl {

namespace {

using Info = const Napi::CallbackInfo&;

// diskAddFd(fd, readOnly) -> disk id | -errno. fd is a host fd; the host
// library dup()s it, so the caller may close its own once this resolves.
class DiskAddJob : public Job {
 public:
  DiskAddJob(int fd, bool ro) : fd_(fd), ro_(ro) {}
  void Execute() override {
    result_ = lkl_host_disk_add_fd(fd_, ro_ ? 1 : 0, 0);
  }

 private:
  int fd_;
  bool ro_;
};

Napi::Value DiskAddFd(Info info) {
  return Submit(info,
                std::make_unique<DiskAddJob>(static_cast<int>(ArgLong(info, 0)),
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
  return Submit(info, std::make_unique<DiskRemoveJob>(
                          static_cast<int>(ArgLong(info, 0))));
}

// mount(diskId, partition, fstype, flags, data) -> mount point | -errno
class MountJob : public Job {
 public:
  MountJob(int disk, int part, std::string fstype, unsigned long flags,
           std::string data)
      : disk_(disk), part_(part), fstype_(std::move(fstype)), flags_(flags),
        data_(std::move(data)), mnt_(256, '\0') {}
  void Execute() override {
    result_ = lkl_host_mount(disk_, part_, fstype_.c_str(), flags_,
                             data_.empty() ? nullptr : data_.c_str(),
                             mnt_.data(), mnt_.size());
  }
  Napi::Value Result(Napi::Env env) override {
    if (result_ < 0) return Job::Result(env);
    return Napi::String::New(env, mnt_.c_str());
  }

 private:
  int disk_, part_;
  std::string fstype_;
  unsigned long flags_;
  std::string data_;
  std::string mnt_;
};

Napi::Value Mount(Info info) {
  return Submit(info, std::make_unique<MountJob>(
                          static_cast<int>(ArgLong(info, 0)),
                          static_cast<int>(ArgLong(info, 1)),
                          ArgString(info, 2),
                          static_cast<unsigned long>(ArgLong(info, 3)),
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
  exports["mount"] = Napi::Function::New(env, Mount, "mount");
  exports["umount"] = Napi::Function::New(env, Umount, "umount");
}

}  // namespace lkl
