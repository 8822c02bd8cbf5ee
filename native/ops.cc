// SPDX-License-Identifier: GPL-2.0-only
//
// One thin entry per syscall. Every function here runs on the JS thread,
// only converts its arguments into a SysJob and returns a promise; the
// syscall itself runs on a pool thread (SysJob::Execute). Results are the
// kernel's: >= 0 or -errno. Path operations take a root fd first (-1 = the
// kernel's root): paths are resolved inside it (root.cc).
//
// Reads and writes go straight to/from the JS buffer's memory: the kernel
// runs in this process and its syscalls copy to/from ordinary host memory
// (copy_to_user is a memcpy in this arch). The buffer's backing store does
// not move (ArrayBuffer contents live outside the JS heap) and the job holds
// a reference to it until the promise resolves.
#include "ops.h"

#include <lkl/asm/unistd.h>
#include <lkl/linux/fcntl.h>

#include "args.h"

namespace lkl {

namespace {

using Info = const Napi::CallbackInfo&;

// Path operations take the image's root fd first (see root.cc); their
// other arguments follow from index 1.
std::unique_ptr<SysJob> PathJob(Info info, long nr) {
  auto job = std::make_unique<SysJob>(nr);
  job->root_ = ArgLong(info, 0);
  return job;
}

// openat(root, path, flags, mode) -> fd
Napi::Value Openat(Info info) {
  auto job = PathJob(info, __lkl__NR_openat);
  job->a_[0] = LKL_AT_FDCWD;
  job->SetString(0, 1, ArgString(info, 1));
  job->a_[2] = ArgLong(info, 2);
  job->a_[3] = ArgLong(info, 3);
  return Submit(info, std::move(job));
}

// close(fd)
Napi::Value Close(Info info) {
  auto job = std::make_unique<SysJob>(__lkl__NR_close);
  job->a_[0] = ArgLong(info, 0);
  return Submit(info, std::move(job));
}

// read(fd, buf, off, len, pos) / write(...): pos < 0 = current position.
Napi::Value ReadWrite(Info info, bool write) {
  long pos = ArgLong(info, 4);
  long nr = write ? (pos < 0 ? __lkl__NR_write : __lkl__NR_pwrite64)
                  : (pos < 0 ? __lkl__NR_read : __lkl__NR_pread64);
  auto job = std::make_unique<SysJob>(nr);
  job->a_[0] = ArgLong(info, 0);
  long len = ArgLong(info, 3);
  if (!job->SetBuffer(1, info[1], ArgLong(info, 2), len)) {
    Napi::RangeError::New(info.Env(), "buffer range out of bounds").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  job->a_[2] = len;
  job->a_[3] = pos < 0 ? 0 : pos;
  return Submit(info, std::move(job));
}
Napi::Value Read(Info info) { return ReadWrite(info, false); }
Napi::Value Write(Info info) { return ReadWrite(info, true); }

// lseek(fd, offset, whence)
Napi::Value Lseek(Info info) {
  auto job = std::make_unique<SysJob>(__lkl__NR_lseek);
  for (int i = 0; i < 3; i++) job->a_[i] = ArgLong(info, i);
  return Submit(info, std::move(job));
}

// mkdirat(root, path, mode)
Napi::Value Mkdirat(Info info) {
  auto job = PathJob(info, __lkl__NR_mkdirat);
  job->a_[0] = LKL_AT_FDCWD;
  job->SetString(0, 1, ArgString(info, 1));
  job->a_[2] = ArgLong(info, 2);
  return Submit(info, std::move(job));
}

// unlinkat(root, path, flags): flags AT_REMOVEDIR for rmdir
Napi::Value Unlinkat(Info info) {
  auto job = PathJob(info, __lkl__NR_unlinkat);
  job->a_[0] = LKL_AT_FDCWD;
  job->SetString(0, 1, ArgString(info, 1));
  job->a_[2] = ArgLong(info, 2);
  return Submit(info, std::move(job));
}

// renameat2(root, oldpath, newpath, flags)
Napi::Value Renameat2(Info info) {
  auto job = PathJob(info, __lkl__NR_renameat2);
  job->a_[0] = LKL_AT_FDCWD;
  job->SetString(0, 1, ArgString(info, 1));
  job->a_[2] = LKL_AT_FDCWD;
  job->SetString(1, 3, ArgString(info, 2));
  job->a_[4] = ArgLong(info, 3);
  return Submit(info, std::move(job));
}

// symlinkat(root, target, linkpath)
Napi::Value Symlinkat(Info info) {
  auto job = PathJob(info, __lkl__NR_symlinkat);
  job->SetString(0, 0, ArgString(info, 1));
  job->a_[1] = LKL_AT_FDCWD;
  job->SetString(1, 2, ArgString(info, 2));
  return Submit(info, std::move(job));
}

// linkat(root, oldpath, newpath, flags)
Napi::Value Linkat(Info info) {
  auto job = PathJob(info, __lkl__NR_linkat);
  job->a_[0] = LKL_AT_FDCWD;
  job->SetString(0, 1, ArgString(info, 1));
  job->a_[2] = LKL_AT_FDCWD;
  job->SetString(1, 3, ArgString(info, 2));
  job->a_[4] = ArgLong(info, 3);
  return Submit(info, std::move(job));
}

// fchmodat(root, path, mode)
Napi::Value Fchmodat(Info info) {
  auto job = PathJob(info, __lkl__NR_fchmodat);
  job->a_[0] = LKL_AT_FDCWD;
  job->SetString(0, 1, ArgString(info, 1));
  job->a_[2] = ArgLong(info, 2);
  return Submit(info, std::move(job));
}

// fchownat(root, path, uid, gid, flags)
Napi::Value Fchownat(Info info) {
  auto job = PathJob(info, __lkl__NR_fchownat);
  job->a_[0] = LKL_AT_FDCWD;
  job->SetString(0, 1, ArgString(info, 1));
  for (int i = 2; i < 5; i++) job->a_[i] = ArgLong(info, i);
  return Submit(info, std::move(job));
}

// fd-only syscalls: fsync(fd), fdatasync(fd), syncfs(fd)
template <long NR>
Napi::Value FdCall(Info info) {
  auto job = std::make_unique<SysJob>(NR);
  job->a_[0] = ArgLong(info, 0);
  return Submit(info, std::move(job));
}

// sync()
Napi::Value Sync(Info info) { return Submit(info, std::make_unique<SysJob>(__lkl__NR_sync)); }

// ftruncate(fd, length)
Napi::Value Ftruncate(Info info) {
  auto job = std::make_unique<SysJob>(__lkl__NR_ftruncate);
  job->a_[0] = ArgLong(info, 0);
  job->a_[1] = ArgLong(info, 1);
  return Submit(info, std::move(job));
}

// writeBack(fd, length): sync_file_range(fd, 0, length, WAIT_BEFORE | WRITE):
// wait for the writeback already under way in [0, length), then start it
// for the rest. Called after each chunk of a file written front to back, it
// makes the file reach the disk front to back: a kill leaves a prefix of
// it, never a full-size file with unwritten ranges (lib/tree/sparse-write.ts).
Napi::Value WriteBack(Info info) {
  auto job = std::make_unique<SysJob>(__lkl__NR_sync_file_range);
  job->a_[0] = ArgLong(info, 0);
  job->a_[1] = 0;
  job->a_[2] = ArgLong(info, 1);
  job->a_[3] = 1 | 2;  // SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE
  return Submit(info, std::move(job));
}

// truncate(root, path, length)
Napi::Value Truncate(Info info) {
  auto job = PathJob(info, __lkl__NR_truncate);
  job->SetString(0, 0, ArgString(info, 1));
  job->a_[1] = ArgLong(info, 2);
  return Submit(info, std::move(job));
}

}  // namespace

void InitOps(Napi::Env env, Napi::Object exports) {
  exports["openat"] = Napi::Function::New(env, Openat, "openat");
  exports["close"] = Napi::Function::New(env, Close, "close");
  exports["read"] = Napi::Function::New(env, Read, "read");
  exports["write"] = Napi::Function::New(env, Write, "write");
  exports["lseek"] = Napi::Function::New(env, Lseek, "lseek");
  exports["mkdirat"] = Napi::Function::New(env, Mkdirat, "mkdirat");
  exports["unlinkat"] = Napi::Function::New(env, Unlinkat, "unlinkat");
  exports["renameat2"] = Napi::Function::New(env, Renameat2, "renameat2");
  exports["symlinkat"] = Napi::Function::New(env, Symlinkat, "symlinkat");
  exports["linkat"] = Napi::Function::New(env, Linkat, "linkat");
  exports["fchmodat"] = Napi::Function::New(env, Fchmodat, "fchmodat");
  exports["fchownat"] = Napi::Function::New(env, Fchownat, "fchownat");
  exports["fsync"] = Napi::Function::New(env, FdCall<__lkl__NR_fsync>, "fsync");
  exports["fdatasync"] = Napi::Function::New(env, FdCall<__lkl__NR_fdatasync>, "fdatasync");
  exports["syncfs"] = Napi::Function::New(env, FdCall<__lkl__NR_syncfs>, "syncfs");
  exports["sync"] = Napi::Function::New(env, Sync, "sync");
  exports["ftruncate"] = Napi::Function::New(env, Ftruncate, "ftruncate");
  exports["truncate"] = Napi::Function::New(env, Truncate, "truncate");
  exports["writeBack"] = Napi::Function::New(env, WriteBack, "writeBack");
}

}  // namespace lkl
