// SPDX-License-Identifier: GPL-2.0-only
//
// JS-backed disks (lkl.disk.custom): the slow path.
//
// Threads:
//   - JS thread: DiskAddCustom(), CallJs() and the completion function it
//     hands to JS.
//   - pool thread: the attach job (lkl_host_disk_add_ops reads the
//     partition table through the callbacks before it returns, so it must
//     not run on the JS thread).
//   - the disk's one host I/O thread: Read/Write/Flush/Discard. Each one
//     queues a request on a thread-safe function and blocks until JS
//     completes it. Nothing here holds the kernel's CPU while it waits, and
//     the JS thread never blocks on the kernel (every syscall is a pool
//     job), so the JS thread is always free to run the callback.
//   - any thread: Release (after the disk is removed) drops the
//     thread-safe function.
//
// The JS function receives (op, buffer, position, length, complete) and
// calls complete(result) once: result >= 0 or -errno. Read buffers are
// copied into the kernel's buffer on completion and write buffers are
// copies, so JS never holds a pointer into memory that goes away.
//
// Process exit: emergencyClose blocks the JS thread while another thread
// unmounts, so the thread-safe function cannot deliver. It calls
// PumpCustomDiskIo instead, which runs the waiting requests' callbacks
// right there: synchronous callbacks complete, asynchronous ones (their
// promise can never settle without the event loop) fail with EIO.
//
// The op numbers are exported as `customDiskOps` (module init, JS thread).
#include <lkl/asm/errno.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <set>
#include <vector>

#include "args.h"

namespace lkl {

namespace {

enum Op { kRead = 0, kWrite = 1, kFlush = 2, kDiscard = 3 };

struct CustomDisk;

struct Request {
  CustomDisk* disk;
  bool dispatched = false;  // handed to JS; guarded by g_mu
  bool started = false;     // Invoke ran (JS thread only)
  int op;
  void* buf;
  size_t len;
  uint64_t off;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  int result = -LKL_EIO;

  void Complete(int r, const void* data) {
    std::lock_guard<std::mutex> lock(mu);
    if (done) return;
    if (r >= 0 && op == kRead && data != nullptr) memcpy(buf, data, len);
    result = r < 0 ? r : 0;
    done = true;
    cv.notify_all();
  }
};

// Requests waiting for JS, for PumpCustomDiskIo.
std::mutex g_mu;
std::set<std::shared_ptr<Request>>* g_waiting =
    new std::set<std::shared_ptr<Request>>();  // never freed: used at exit

// Shared by the kernel side (the host library's ctx, until Release or a
// failed attach) and the thread-safe function (until Finalize, which also
// runs when the environment goes away with the disk still attached).
struct CustomDisk {
  std::mutex mu;
  napi_threadsafe_function tsfn = nullptr;  // nullptr once finalized
  napi_ref fn = nullptr;                    // the dispatch function, for PumpCustomDiskIo
  int refs = 2;                             // guarded by mu

  void Unref() {
    bool last;
    {
      std::lock_guard<std::mutex> lock(mu);
      last = --refs == 0;
    }
    if (last) delete this;
  }
};

// I/O thread: hand the request to JS and wait for its completion.
int Call(void* ctx, int op, void* buf, size_t len, uint64_t off) {
  auto* disk = static_cast<CustomDisk*>(ctx);
  auto req = std::make_shared<Request>();
  req->disk = disk;
  req->op = op;
  req->buf = buf;
  req->len = len;
  req->off = off;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    g_waiting->insert(req);
  }
  // The queue is unbounded, so this never blocks. CallJs owns one
  // reference to the request from here on.
  auto* held = new std::shared_ptr<Request>(req);
  napi_status st = napi_closing;
  {
    std::lock_guard<std::mutex> lock(disk->mu);
    if (disk->tsfn != nullptr)
      st = napi_call_threadsafe_function(disk->tsfn, held, napi_tsfn_blocking);
  }
  if (st != napi_ok) {
    delete held;
    req->Complete(-LKL_EIO, nullptr);
  }
  {
    std::unique_lock<std::mutex> lock(req->mu);
    req->cv.wait(lock, [&] { return req->done; });
  }
  std::lock_guard<std::mutex> lock(g_mu);
  g_waiting->erase(req);
  return req->result;
}

int Read(void* ctx, void* buf, size_t len, uint64_t off) { return Call(ctx, kRead, buf, len, off); }

int Write(void* ctx, const void* buf, size_t len, uint64_t off) {
  return Call(ctx, kWrite, const_cast<void*>(buf), len, off);
}

int Flush(void* ctx) { return Call(ctx, kFlush, nullptr, 0, 0); }

int Discard(void* ctx, uint64_t off, uint64_t len) {
  return Call(ctx, kDiscard, nullptr, static_cast<size_t>(len), off);
}

// Any thread, after the disk is removed. The context is freed by Finalize,
// on the JS thread, once the thread-safe function is gone.
void Release(void* ctx) {
  auto* disk = static_cast<CustomDisk*>(ctx);
  {
    std::lock_guard<std::mutex> lock(disk->mu);
    if (disk->tsfn != nullptr) napi_release_threadsafe_function(disk->tsfn, napi_tsfn_release);
  }
  disk->Unref();
}

// JS thread: the thread-safe function is gone (released, or the
// environment is going away).
void Finalize(napi_env env, void* data, void*) {
  auto* disk = static_cast<CustomDisk*>(data);
  {
    std::lock_guard<std::mutex> lock(disk->mu);
    disk->tsfn = nullptr;
    if (disk->fn) napi_delete_reference(env, disk->fn);
    disk->fn = nullptr;
  }
  disk->Unref();
}

// JS thread: run the dispatch function for a request.
void Invoke(napi_env env, napi_value fn, const std::shared_ptr<Request>& req) {
  req->started = true;
  Napi::Env e(env);
  Napi::HandleScope scope(e);
  Napi::Value buffer = e.Null();
  std::shared_ptr<Napi::Reference<Napi::Buffer<uint8_t>>> keep;
  if (req->op == kRead) {
    auto b = Napi::Buffer<uint8_t>::New(e, req->len);
    memset(b.Data(), 0, req->len);
    keep = std::make_shared<Napi::Reference<Napi::Buffer<uint8_t>>>(Napi::Persistent(b));
    buffer = b;
  } else if (req->op == kWrite) {
    buffer = Napi::Buffer<uint8_t>::Copy(e, static_cast<const uint8_t*>(req->buf), req->len);
  }
  auto complete = Napi::Function::New(e, [req, keep](const Napi::CallbackInfo& info) {
    int r = info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : -LKL_EIO;
    const void* data = nullptr;
    if (keep && !keep->IsEmpty()) data = keep->Value().Data();
    req->Complete(r, data);
    if (keep) keep->Reset();
  });
  napi_value argv[] = {
      Napi::Number::New(e, req->op),
      buffer,
      Napi::Number::New(e, static_cast<double>(req->off)),
      Napi::Number::New(e, static_cast<double>(req->len)),
      complete,
  };
  napi_value result;
  if (napi_call_function(env, Napi::Object::New(e), fn, 5, argv, &result) != napi_ok) {
    // lib's dispatcher never throws; if it did, fail the request and clear
    // the exception so it does not surface elsewhere.
    napi_value exc;
    napi_get_and_clear_last_exception(env, &exc);
    req->Complete(-LKL_EIO, nullptr);
  }
}

// JS thread (env == nullptr: the environment is going away).
void CallJs(napi_env env, napi_value fn, void*, void* data) {
  auto* held = static_cast<std::shared_ptr<Request>*>(data);
  std::shared_ptr<Request> req = std::move(*held);
  delete held;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    if (req->dispatched) return;  // PumpCustomDiskIo ran it
    req->dispatched = true;
  }
  if (env == nullptr || fn == nullptr) {
    req->Complete(-LKL_EIO, nullptr);
    return;
  }
  Invoke(env, fn, req);
}

// diskAddCustom(size, readOnly, dispatch, hasFlush, hasDiscard)
//   -> disk id | -errno
class AddCustomJob : public Job {
 public:
  AddCustomJob(CustomDisk* disk, uint64_t size, bool ro, bool flush, bool discard)
      : disk_(disk), size_(size), ro_(ro) {
    ops_.read = Read;
    ops_.write = Write;
    ops_.flush = flush ? Flush : nullptr;
    ops_.discard = discard ? Discard : nullptr;
    ops_.release = Release;
    ops_.threads = 1;
  }
  void Execute() override { result_ = lkl_host_disk_add_ops(&ops_, disk_, size_, ro_ ? 1 : 0); }
  Napi::Value Result(Napi::Env env) override {
    if (result_ < 0) Release(disk_);  // not attached: release was not called
    return Job::Result(env);
  }

 private:
  CustomDisk* disk_;
  uint64_t size_;
  bool ro_;
  lkl_host_disk_ops ops_ = {};
};

Napi::Value DiskAddCustom(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* disk = new CustomDisk();
  napi_status st =
      napi_create_threadsafe_function(env, info[2], nullptr, Napi::String::New(env, "lkl:disk"), 0,
                                      1, disk, Finalize, disk, CallJs, &disk->tsfn);
  if (st != napi_ok) {
    delete disk;
    Napi::Error::New(env, "could not create a thread-safe function").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  napi_create_reference(env, info[2], 1, &disk->fn);
  // An idle disk must not keep the process alive; a request in flight is
  // always part of a pending syscall, which does.
  napi_unref_threadsafe_function(env, disk->tsfn);
  return Submit(
      info, std::make_unique<AddCustomJob>(disk, static_cast<uint64_t>(ArgLong(info, 0)),
                                           info[1].ToBoolean().Value(), info[3].ToBoolean().Value(),
                                           info[4].ToBoolean().Value()));
}

}  // namespace

// JS thread, blocked in emergencyClose: run the callbacks of the requests
// waiting for JS (see the top of this file).
void PumpCustomDiskIo(napi_env env) {
  std::vector<std::shared_ptr<Request>> todo;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    for (const auto& req : *g_waiting) {
      if (req->dispatched) {
        // Handed to JS earlier: its promise cannot settle any more.
        if (!req->done) todo.push_back(req);
        continue;
      }
      req->dispatched = true;
      todo.push_back(req);
    }
  }
  for (const auto& req : todo) {
    bool fresh;
    {
      std::lock_guard<std::mutex> lock(req->mu);
      fresh = !req->done;
    }
    if (!fresh) continue;
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    napi_value fn = nullptr;
    if (req->disk->fn) napi_get_reference_value(env, req->disk->fn, &fn);
    if (fn != nullptr && !req->started) Invoke(env, fn, req);
    napi_close_handle_scope(env, scope);
    // A callback that did not complete synchronously never will.
    req->Complete(-LKL_EIO, nullptr);
  }
}

void InitCustomDisk(Napi::Env env, Napi::Object exports) {
  exports["diskAddCustom"] = Napi::Function::New(env, DiskAddCustom, "diskAddCustom");
  Napi::Object ops = Napi::Object::New(env);
  ops.Set("read", static_cast<int>(kRead));
  ops.Set("write", static_cast<int>(kWrite));
  ops.Set("flush", static_cast<int>(kFlush));
  ops.Set("discard", static_cast<int>(kDiscard));
  exports["customDiskOps"] = ops;
}

}  // namespace lkl
