// SPDX-License-Identifier: GPL-2.0-only
// The kernel's own log records (its printk ring: every level, whatever the
// console shows), read through /dev/kmsg. Pool threads (and the mount job)
// only: they make syscalls.
#ifndef LKL_NATIVE_KMSG_H
#define LKL_NATIVE_KMSG_H

#include <string>
#include <vector>

namespace lkl {

// printk levels (KERN_ERR = 3, KERN_WARNING = 4, KERN_INFO = 6, ...).
constexpr int kLogWarning = 4;

struct LogLine {
  int level;
  double seq;        // the record's sequence number (a double for JS)
  std::string text;  // the kernel's text (non-printable bytes as \xNN)
};

// A non-blocking /dev/kmsg fd (made on first use) at the oldest record the
// ring still holds, or with at_end after the newest one; -errno on failure.
long KmsgOpen(bool at_end);

// Append the records from fd's position to the newest one, levels up to
// max_level, to `out`. Records the ring dropped meanwhile are skipped.
void KmsgRead(long fd, int max_level, std::vector<LogLine>* out);

}  // namespace lkl

#endif
